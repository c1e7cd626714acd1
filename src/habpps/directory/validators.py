"""Checks on the identity of partner organisations (ADM-3)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# La Poste's establishments share one SIREN whose SIRET numbers follow another key (sum of digits divisible by 5).
LA_POSTE_SIREN = "356000000"


def luhn_is_valid(digits: str) -> bool:
    """The Luhn key used by SIREN and SIRET numbers: doubled every second digit from the right."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def siret_is_valid(siret: str) -> bool:
    """Whether ``siret`` is 14 digits with a correct key (La Poste's own rule included)."""
    if len(siret) != 14 or not siret.isascii() or not siret.isdigit():
        return False
    if luhn_is_valid(siret):
        return True
    return siret.startswith(LA_POSTE_SIREN) and sum(int(char) for char in siret) % 5 == 0


def normalize_siret(value: str) -> str:
    """Drop the spaces and dots people type in SIRET numbers (« 130 005 481 00010 »)."""
    return "".join(char for char in value if char not in " .\u00a0\u202f")


def validate_siret(value: str) -> None:
    """Model and form validator: a French message saying what is wrong with the number."""
    siret = normalize_siret(value)
    if len(siret) != 14 or not siret.isascii() or not siret.isdigit():
        raise ValidationError(_("Le SIRET comporte exactement 14 chiffres."), code="siret_format")
    if not siret_is_valid(siret):
        raise ValidationError(
            _("Ce SIRET n'est pas valide : sa clé de contrôle ne correspond pas. Vérifiez la saisie."),
            code="siret_key",
        )
