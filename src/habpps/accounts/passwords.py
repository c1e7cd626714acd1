"""Temporary passwords sent to new accounts (AUT-3): random, and satisfying the slides' complexity rules."""

from __future__ import annotations

import secrets

# Characters that read unambiguously in an e-mail (no 0/O, 1/l/I).
_UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_LOWER = "abcdefghijkmnopqrstuvwxyz"
_DIGITS = "23456789"
_SPECIAL = "!#$%&*+-=?@_"
TEMPORARY_PASSWORD_LENGTH = 14


def generate_temporary_password(length: int = TEMPORARY_PASSWORD_LENGTH) -> str:
    """A password with at least one character of each of the four classes, in random order."""
    classes = [_UPPER, _LOWER, _DIGITS, _SPECIAL]
    alphabet = "".join(classes)
    chars = [secrets.choice(chars) for chars in classes]
    chars += [secrets.choice(alphabet) for _ in range(length - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    password = "".join(chars)
    return password
