"""Encryption at rest of the TOTP secrets (AUT-8, OWASP ASVS 2.8.2, red-team finding 11).

A copy of the database (a backup, a replica, a read-only SQL injection) used to give every second factor away:
the shared secret was a clear column. It is now stored as ``fernet:<token>`` — AES-128-CBC + HMAC-SHA256
(``cryptography``'s Fernet) — under a key that never lives in the database.

Keys come from ``HABPPS_TOTP_KEYS`` (setting, else environment variable): a comma-separated list, the first
encrypts, every one decrypts. To rotate: put the new key first and keep the old one after it, run
``habpps totp rotate`` (re-encrypts every secret with the first key), then remove the old key. A key is either a
Fernet key (32 url-safe base64 bytes) or any passphrase of 32 characters or more (stretched with SHA-256).
Without the variable the key is derived from ``SECRET_KEY`` (which also lives outside the database); production
should set its own, so that ``SECRET_KEY`` can be changed without losing every second factor.
"""

from __future__ import annotations

import base64
import hashlib
import os

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "fernet:"
SETTING = "HABPPS_TOTP_KEYS"


def _as_fernet_key(raw: str) -> bytes:
    raw = raw.strip()
    try:
        decoded = base64.urlsafe_b64decode(raw.encode())
        if len(decoded) == 32:
            return raw.encode()
    except (ValueError, TypeError):
        pass
    if len(raw) < 32:
        raise ImproperlyConfigured(f"{SETTING} : chaque clé doit faire 32 caractères au moins.")
    return base64.urlsafe_b64encode(hashlib.sha256(raw.encode()).digest())


def configured_keys() -> list[str]:
    value = getattr(settings, SETTING, None) or os.environ.get(SETTING, "")
    if isinstance(value, (list, tuple)):
        return [k for k in value if k]
    return [k.strip() for k in str(value).split(",") if k.strip()]


def _box() -> MultiFernet:
    keys = configured_keys()
    if not keys:
        keys = ["habpps-totp:" + settings.SECRET_KEY]
    return MultiFernet([Fernet(_as_fernet_key(key)) for key in keys])


def is_sealed(value: str) -> bool:
    return value.startswith(PREFIX)


def seal(clear: str) -> str:
    """The stored form of ``clear`` (already sealed values are returned as they are)."""
    if not clear or is_sealed(clear):
        return clear
    return PREFIX + _box().encrypt(clear.encode()).decode()


def open_sealed(stored: str) -> str:
    """The clear secret; a value stored before encryption (not yet migrated) is returned as it is."""
    if not stored or not is_sealed(stored):
        return stored
    try:
        return _box().decrypt(stored[len(PREFIX) :].encode()).decode()
    except InvalidToken as error:
        raise ImproperlyConfigured(
            "Secret TOTP indéchiffrable : la clé qui l'a chiffré n'est plus dans HABPPS_TOTP_KEYS."
        ) from error


def reseal(stored: str) -> str:
    """``stored`` encrypted with the first key (rotation); clear values get encrypted."""
    if not stored:
        return stored
    if not is_sealed(stored):
        return seal(stored)
    return PREFIX + _box().rotate(stored[len(PREFIX) :].encode()).decode()
