"""The perimeter a partner's validated convention opens (CNV-1, CNV-2, ADM-4): which profiles its groups may
receive, how many users may hold each, and who holds them now.

Answers are values (``Refusal`` with a stable code and a French message) so that services can refuse with the
explanation next to the field and tests can name the exact rule that refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from habpps.accounts.models import AccountStatus
from habpps.conventions.conf import setting
from habpps.conventions.models import Convention, ConventionVersion
from habpps.directory.models import Group, GroupMembership, GroupRoleAssignment, Partner, ServiceRole, Status


@dataclass(frozen=True)
class Refusal:
    """Why something is outside the perimeter."""

    code: str
    message: str


def convention_in_force(partner: Partner) -> Convention | None:
    """The partner's convention that has a validated version and has not ended, if any."""
    convention = Convention.objects.filter(partner=partner, ended_at__isnull=True).first()
    if convention is None or convention.version_in_force() is None:
        return None
    return convention


def version_in_force(partner: Partner) -> ConventionVersion | None:
    convention = convention_in_force(partner)
    return convention.version_in_force() if convention else None


def granted_profiles(partner: Partner) -> dict[int, int | None]:
    """Profile id → user limit (None: unlimited) of the version in force; empty without a validated convention."""
    version = version_in_force(partner)
    return version.granted() if version else {}


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


def holders(partner: Partner, role: ServiceRole) -> set[int]:
    """Ids of the partner's active accounts holding ``role`` through one of its groups in force."""
    groups = (
        GroupRoleAssignment.objects.current()
        .filter(role=role, group__partner=partner, group__status=Status.ACTIVE)
        .values("group_id")
    )
    return set(
        GroupMembership.objects.current()
        .filter(group_id__in=groups, account__status=AccountStatus.ACTIVE)
        .values_list("account_id", flat=True)
    )


def current_members(group: Group) -> set[int]:
    return set(
        GroupMembership.objects.current()
        .filter(group=group, account__status=AccountStatus.ACTIVE)
        .values_list("account_id", flat=True)
    )


def group_roles(group: Group) -> list[ServiceRole]:
    return [
        assignment.role
        for assignment in GroupRoleAssignment.objects.current().filter(group=group).select_related("role")
    ]


def limit_refusal(partner: Partner, role: ServiceRole, newcomers: Iterable[int]) -> Refusal | None:
    """Whether giving ``role`` to the accounts ``newcomers`` would exceed the convention's user limit."""
    limit = granted_profiles(partner).get(role.pk)
    if limit is None:
        return None
    after = holders(partner, role) | set(newcomers)
    if len(after) > limit:
        return Refusal(
            "user_limit",
            _(
                "La convention limite le profil « %(role)s » à %(limit)d utilisateur(s) ; "
                "cette action en porterait le nombre à %(count)d."
            )
            % {"role": role.name, "limit": limit, "count": len(after)},
        )
    return None


def profile_refusal(group: Group, role: ServiceRole) -> Refusal | None:
    """Whether ``role`` may be given to ``group``: inside the validated convention and its user limit."""
    partner = group.partner
    refusal = doctrine_refusal(partner, role)
    if refusal:
        return refusal
    version = version_in_force(partner)
    if version is None:
        return Refusal(
            "no_convention",
            _("L'organisme n'a pas de convention validée en vigueur : aucun profil ne peut être attribué."),
        )
    granted = version.granted()
    if role.pk not in granted:
        return Refusal(
            "outside_convention",
            _("Le profil « %(role)s » n'est pas accordé par la convention %(reference)s en vigueur.")
            % {"role": role.name, "reference": version.convention.reference},
        )
    if requires_instructor_number(partner) and not version.instructor_number_checked:
        return Refusal(
            "instructor_number_unchecked",
            _("Le numéro instructeur RSA de la convention n'a pas été vérifié."),
        )
    return limit_refusal(partner, role, current_members(group))


def membership_refusal(group: Group, account_id: int) -> Refusal | None:
    """Whether adding an account to ``group`` keeps every profile of the group within its user limit."""
    for role in group_roles(group):
        refusal = limit_refusal(group.partner, role, [account_id])
        if refusal:
            return refusal
    return None
