"""Event kinds: dotted lower-case names, from the domain down to the outcome (``auth.login.failure``).

Search, scoping of retention and the auditor pages match kinds by dotted prefix, so a kind is always a path of
segments: ``auth`` covers ``auth.login`` and ``auth.login.failure`` but never ``authority.x``.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

KIND_MAX_LENGTH = 100
_KIND = re.compile(r"^[a-z0-9_]+(?:\.[a-z0-9_]+)*$")


def is_valid_kind(kind: str) -> bool:
    """Whether ``kind`` is a dotted name of lower-case segments that fits the column."""
    return len(kind) <= KIND_MAX_LENGTH and bool(_KIND.match(kind))


def validate_kind(kind: str) -> None:
    """Django validator for form fields and models holding a kind or a kind prefix."""
    if not is_valid_kind(kind):
        raise ValidationError(
            _(
                "Type d'événement invalide : segments en minuscules séparés par des points, ex. « auth.login »."
            ),
            code="invalid_kind",
        )


def kind_and_ancestors(kind: str) -> list[str]:
    """``a.b.c`` → ``["a.b.c", "a.b", "a"]``: the prefixes a rule may be written for, most specific first."""
    segments = kind.split(".")
    return [".".join(segments[:length]) for length in range(len(segments), 0, -1)]
