"""HMAC signatures of what the hash chain alone cannot protect: purge checkpoints and the chain head.

A hash chain proves that entries were not edited in place, but someone with write access to the database could
delete entries and forge a checkpoint claiming they were purged, or cut the tail of the chain and rewind the
head. Both records are therefore signed with a key that lives outside the database: ``HABPPS_JOURNAL_KEY``
(Django setting, else environment variable), falling back to ``SECRET_KEY``.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .canonical import canonical_bytes

KEY_SETTING = "HABPPS_JOURNAL_KEY"


def journal_key() -> bytes:
    """The signing key: setting ``HABPPS_JOURNAL_KEY``, else the environment variable, else ``SECRET_KEY``."""
    key = getattr(settings, KEY_SETTING, None) or os.environ.get(KEY_SETTING) or settings.SECRET_KEY
    if not key:
        raise ImproperlyConfigured(
            "Aucune clé de signature du journal : définir HABPPS_JOURNAL_KEY ou SECRET_KEY."
        )
    return key.encode("utf-8") if isinstance(key, str) else bytes(key)


def sign(purpose: str, payload: Any) -> str:
    """HMAC-SHA256 (hex) of ``payload``'s canonical form, bound to ``purpose`` so signatures never transfer."""
    message = purpose.encode("utf-8") + b"\n" + canonical_bytes(payload)
    return hmac.new(journal_key(), message, hashlib.sha256).hexdigest()


def is_valid(purpose: str, payload: Any, signature: str) -> bool:
    """Whether ``signature`` is the signature of ``payload`` for ``purpose`` (constant-time comparison)."""
    return hmac.compare_digest(sign(purpose, payload), signature)


HEAD_PURPOSE = "habpps-journal-head"
CHECKPOINT_PURPOSE = "habpps-journal-checkpoint"


def sign_head(sequence: int, entry_hash: str) -> str:
    """Signature of the chain head (last sequence and its hash)."""
    return sign(HEAD_PURPOSE, {"sequence": sequence, "hash": entry_hash})


def head_is_authentic(sequence: int, entry_hash: str, signature: str) -> bool:
    """Whether the chain head's signature matches its values."""
    return is_valid(HEAD_PURPOSE, {"sequence": sequence, "hash": entry_hash}, signature)


def signed_with_development_key(sequence: int, entry_hash: str, signature: str) -> bool:
    """Whether the head was signed with the development ``SECRET_KEY`` published in the source (demo instances).

    Anyone can then forge heads and checkpoints, so ``habpps journal verify`` warns loudly about it.
    """
    from habpps.development import DEVELOPMENT_SECRET_KEY

    payload = {"sequence": sequence, "hash": entry_hash}
    message = HEAD_PURPOSE.encode("utf-8") + b"\n" + canonical_bytes(payload)
    expected = hmac.new(DEVELOPMENT_SECRET_KEY.encode("utf-8"), message, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature or "")
