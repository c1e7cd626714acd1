"""Temporary passwords sent to new accounts (AUT-3): random, and satisfying the policy in force."""

from __future__ import annotations

import secrets

# Characters that read unambiguously in an e-mail (no 0/O, 1/l/I).
_UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_LOWER = "abcdefghijkmnopqrstuvwxyz"
_DIGITS = "23456789"
_SPECIAL = "!#$%&*+-=?@_"
# Long enough to resist guessing during its short life, short enough to type from a message.
TEMPORARY_PASSWORD_LENGTH = 14


def temporary_password_length() -> int:
    """The preferred length brought within the bounds of the policy in force (reads the database)."""
    from habpps.accounts.policy import current_policy

    policy = current_policy()
    return max(policy.password_min_length, min(TEMPORARY_PASSWORD_LENGTH, policy.password_max_length))


def generate_temporary_password(length: int = TEMPORARY_PASSWORD_LENGTH) -> str:
    """A password with at least one character of each of the four classes, in random order.

    Pass ``temporary_password_length()`` to follow an administrator's bounds other than the slides'.
    """
    classes = [_UPPER, _LOWER, _DIGITS, _SPECIAL]
    alphabet = "".join(classes)
    chars = [secrets.choice(chars) for chars in classes]
    chars += [secrets.choice(alphabet) for _ in range(length - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)
