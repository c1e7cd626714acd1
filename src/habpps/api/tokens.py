"""Creating, revoking and recognising API tokens.

A token reads ``hab_<prefix>_<secret>``: the prefix names it in lists and in the journal, the secret carries 256
bits of randomness. Because the secret is random rather than chosen by a person, a plain SHA-256 digest is
enough to store it (no slow hash needed) and it can be looked up by an index.

The decision endpoint must not pay a query per call (ENG-11), so a process remembers the tokens it has
recognised for at most ``HABPPS_POLICY_PROBE_SECONDS``, the freshness bound of the policy itself: a revoked
token stops working within the same delay as a revoked habilitation.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from habpps.api.models import ApiToken, TokenKind
from habpps.authorization.orgs import scope_path
from habpps.journal.services import record_event

TOKEN_PREFIX = "hab"


@dataclass(frozen=True)
class IssuedToken:
    """A token just created: ``secret`` is the only time the whole token is ever available."""

    token: ApiToken
    secret: str


@dataclass(frozen=True)
class Caller:
    """Who presents a recognised token: a registered service, or a person through their account."""

    token_id: int
    prefix: str
    kind: str
    name: str
    account_id: int | None


def digest_of(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _new_secret() -> tuple[str, str]:
    prefix = secrets.token_hex(6)
    return prefix, f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"


def _issue(kind: str, name: str, account=None, expires_at: datetime | None = None) -> IssuedToken:
    prefix, secret = _new_secret()
    token = ApiToken(
        kind=kind, name=name, account=account, prefix=prefix, digest=digest_of(secret), expires_at=expires_at
    )
    token.full_clean()
    with transaction.atomic():
        token.save()
        record_event(
            "api.token.create",
            org_scope=account.org_scope if account is not None else scope_path(),
            target=f"api-token:{prefix}",
            data={"kind": kind, "name": name, "account": account.login if account else None},
        )
    return IssuedToken(token=token, secret=secret)


def register_service(name: str, expires_at: datetime | None = None) -> IssuedToken:
    """Register a service of the portal (or give it one more token, to rotate the old one out)."""
    return _issue(TokenKind.SERVICE, name, expires_at=expires_at)


def create_personal_token(account, name: str, expires_at: datetime | None = None) -> IssuedToken:
    """A token acting as ``account`` for its administration scripts: it may do what the account may do."""
    if not account.is_active:
        raise ValidationError(_("Un compte suspendu ou supprimé ne reçoit pas de jeton."), code="inactive")
    return _issue(TokenKind.PERSONAL, name, account=account, expires_at=expires_at)


def revoke(prefix: str) -> ApiToken:
    """Revoke the token named by ``prefix``; every process refuses it within the probe period."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(prefix=prefix).first()
        if token is None:
            raise ValidationError(_("Aucun jeton ne porte le préfixe « %(prefix)s ».") % {"prefix": prefix})
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            record_event(
                "api.token.revoke",
                org_scope=token.account.org_scope if token.account_id else scope_path(),
                target=f"api-token:{prefix}",
                data={"kind": token.kind, "name": token.name},
            )
    forget_recognised_tokens()
    return token


class _RecognisedTokens:
    """Per-process memory of recognised tokens, each trusted for one probe period."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, Caller]] = {}

    def get(self, digest: str) -> Caller | None:
        entry = self._entries.get(digest)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put(self, digest: str, caller: Caller) -> None:
        ttl = settings.HABPPS_POLICY_PROBE_SECONDS
        if ttl <= 0:
            return
        with self._lock:
            if len(self._entries) > 10_000:  # tokens are few; this only bounds a flood of made-up ones
                self._entries.clear()
            self._entries[digest] = (time.monotonic() + ttl, caller)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_recognised = _RecognisedTokens()


def forget_recognised_tokens() -> None:
    _recognised.clear()


def recognise(secret: str) -> Caller | None:
    """The caller a presented token stands for, or None when it is unknown, revoked or expired."""
    if not secret.startswith(f"{TOKEN_PREFIX}_") or len(secret) > 200:
        return None
    digest = digest_of(secret)
    caller = _recognised.get(digest)
    if caller is not None:
        return caller
    token = ApiToken.objects.usable().filter(digest=digest).first()
    if token is None:
        return None
    caller = Caller(
        token_id=token.pk, prefix=token.prefix, kind=token.kind, name=token.name, account_id=token.account_id
    )
    _recognised.put(digest, caller)
    return caller
