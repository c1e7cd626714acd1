"""What a convention may contain (CNV-1): the national doctrine for the partner's type, the RSA instructor number,
and which version is in force.

These are checks of the convention's own content when it is entered. Whether a profile may then be *granted* in
the partner — inside the validated convention, within its user limits — is the engine's perimeter rule, compiled
from the conventions by `habpps.conventions.policy_rules`; `habpps.conventions.refusals` asks it.

Answers are values (``Refusal`` with a stable code and a French message) so that services can refuse with the
explanation next to the field and tests can name the exact rule that refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from habpps.authorization.labels import engine_explanation
from habpps.conventions.conf import setting
from habpps.conventions.models import Convention, ConventionVersion
from habpps.directory.models import Partner, ServiceRole, Status


@dataclass(frozen=True)
class Refusal:
    """Why something is outside the perimeter: a stable ``code``, the French ``message`` a person is shown, and
    the engine's ``decision`` behind it when the engine refused (its ``reason`` goes to the journal of refusals
    and the decision API)."""

    code: str
    message: str
    decision: Any = field(default=None, compare=False, repr=False)

    @property
    def reason(self) -> str:
        """The engine's reason for the refusal (``outside_perimeter``, ``perimeter_limit``…), else its code."""
        return getattr(self.decision, "reason", None) or self.code


def explained(refusal: Refusal, decision: Any) -> Refusal:
    """``refusal`` with the engine's explanation of ``decision`` after its message, in names
    (`habpps.authorization.labels.engine_explanation`): the page, the API and the journal of refusals say both what
    may not be done and why the engine refused it."""
    return Refusal(refusal.code, f"{refusal.message} ({engine_explanation(decision.message)})", decision)


def convention_in_force(partner: Partner) -> Convention | None:
    """The partner's convention that has a validated version and has not ended, if any."""
    convention = Convention.objects.filter(partner=partner, ended_at__isnull=True).first()
    if convention is None or convention.version_in_force() is None:
        return None
    return convention


def version_in_force(partner: Partner) -> ConventionVersion | None:
    convention = convention_in_force(partner)
    return convention.version_in_force() if convention else None


def requires_instructor_number(partner: Partner) -> bool:
    return partner.partner_type.code in setting("HABPPS_INSTRUCTOR_NUMBER_PARTNER_TYPES")


def instructor_number_refusal(number: str) -> Refusal | None:
    """Whether an RSA instructor number has the configured shape."""
    if not number:
        return Refusal("instructor_number_missing", _("Le numéro instructeur RSA n'est pas renseigné."))
    if not re.fullmatch(setting("HABPPS_INSTRUCTOR_NUMBER_PATTERN"), number):
        return Refusal(
            "instructor_number_invalid",
            _(
                "Le numéro instructeur « %(number)s » n'a pas la forme attendue (lettres majuscules et chiffres)."
            )
            % {"number": number},
        )
    return None


def doctrine_refusal(partner: Partner, role: ServiceRole) -> Refusal | None:
    """Whether the national doctrine allows ``role`` for the partner's type (CNV-1)."""
    if role.account_level:
        return Refusal(
            "administrative_role",
            _("« %(role)s » est un rôle d'administration, pas un profil d'accès.") % {"role": role.name},
        )
    if role.status != Status.ACTIVE:
        return Refusal(
            "role_not_in_force", _("Le profil « %(role)s » n'est plus proposé.") % {"role": role.name}
        )
    if not role.doctrine_rules.filter(partner_type_id=partner.partner_type_id).exists():
        return Refusal(
            "outside_doctrine",
            _("La doctrine nationale n'autorise pas le profil « %(role)s » pour le type « %(type)s ».")
            % {"role": role.name, "type": partner.partner_type.name},
        )
    return None
