"""Generation of login identifiers (ADM-5): unique, never chosen by a person, and not the e-mail address.

A login reads like the person's name so that support staff recognise it on the phone (« jdupont.4821 »), but the
numeric suffix is random so that knowing someone's name is not enough to guess their login.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Callable

MAX_STEM_LENGTH = 20
_ATTEMPTS_PER_WIDTH = 20


def login_stem(first_name: str, last_name: str) -> str:
    """The readable part of a login: first initial and last name, in lower-case ASCII letters."""

    def ascii_letters(text: str) -> str:
        decomposed = unicodedata.normalize("NFKD", text)
        return re.sub(r"[^a-z]", "", decomposed.encode("ascii", "ignore").decode().lower())

    stem = (ascii_letters(first_name)[:1] + ascii_letters(last_name))[:MAX_STEM_LENGTH]
    return stem or "compte"


def generate_login(first_name: str, last_name: str, *, exists: Callable[[str], bool]) -> str:
    """Return a login not yet taken according to ``exists``, widening the random suffix when crowded."""
    stem = login_stem(first_name, last_name)
    for width in (4, 6, 8, 10):
        for _ in range(_ATTEMPTS_PER_WIDTH):
            candidate = f"{stem}.{secrets.randbelow(10**width):0{width}d}"
            if not exists(candidate):
                return candidate
    raise RuntimeError("Impossible de générer un identifiant libre.")
