"""The beneficiary number (numéro d'allocataire): the only key a partner may look a file up by (CDP-1).

A fund numbers its beneficiaries with 7 digits; partners copy it from a form or a letter, often with spaces
(« 123 45 67 »), so spaces and dots are ignored. Anything else — letters, a name, a wildcard — is refused:
there is no browsing and no search by name.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

BENEFICIARY_NUMBER_LENGTH = 7
_SEPARATORS = re.compile(r"[\s.]+")
_NUMBER = re.compile(rf"[0-9]{{{BENEFICIARY_NUMBER_LENGTH}}}")


def normalize_beneficiary_number(raw: str) -> str:
    """The number without the separators people type; not yet validated."""
    return _SEPARATORS.sub("", raw or "")


def validate_beneficiary_number(value: str) -> None:
    """Django validator: exactly 7 digits once separators are removed."""
    if not _NUMBER.fullmatch(normalize_beneficiary_number(value)):
        raise ValidationError(
            _("Le numéro d'allocataire comporte 7 chiffres, par exemple 1234567."),
            code="invalid_beneficiary_number",
        )


def is_beneficiary_number(value: str) -> bool:
    return bool(_NUMBER.fullmatch(value))
