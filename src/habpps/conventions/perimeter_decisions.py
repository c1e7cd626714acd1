"""The engine's decision on a partner's convention perimeter (CNV-1, CNV-2), in the partner's words.

The rule is the engine's (`RBAC.perimeter_decision`, over the perimeters `habpps.conventions.policy_rules`
compiles from the validated conventions): only the profiles the convention grants, each within its user limit.
This module only asks it about a change to a group, and words a refusal with names — the profile's, the
convention's reference — and the reason the profile is outside the perimeter (no validated convention, the
national doctrine, a profile the convention does not grant), read from the records the perimeter came from,
followed by the engine's own explanation in names; the refusal keeps the engine's decision (its ``reason`` goes
to the journal of refusals and the decision API).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from habpps.accounts.models import Account, AccountStatus
from habpps.authorization.orgs import partner_unit
from habpps.authorization.policy_cache import current_policy
from habpps.conventions.doctrine import (
    Refusal,
    doctrine_refusal,
    explained,
    requires_instructor_number,
    version_in_force,
)
from habpps.directory.models import Group, GroupMembership, GroupRoleAssignment, Partner, ServiceRole
from habpps.engine import NotFound


def _why_outside(partner: Partner, role: ServiceRole) -> Refusal:
    """Why ``role`` is not in the partner's perimeter, in the partner's words."""
    refusal = doctrine_refusal(partner, role)
    if refusal:
        return refusal
    version = version_in_force(partner)
    if version is None:
        return Refusal(
            "no_convention",
            _("L'organisme n'a pas de convention validée en vigueur : aucun profil ne peut être attribué."),
        )
    if role.pk not in version.granted():
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
    return Refusal(
        "outside_convention",
        _("Le profil « %(role)s » n'est pas dans le périmètre de la convention %(reference)s.")
        % {"role": role.name, "reference": version.convention.reference},
    )


def perimeter_refusal(partner: Partner, role: ServiceRole, newcomers: Iterable[Account]) -> Refusal | None:
    """The engine's decision on giving ``role`` in ``partner`` to ``newcomers`` (besides its holders)."""
    rbac = current_policy().rbac
    try:
        decision = rbac.perimeter_decision(role.code, partner_unit(partner.pk), [a.login for a in newcomers])
    except NotFound:  # a profile no longer in force is in no perimeter
        return _why_outside(partner, role)
    if decision.granted:
        return None
    if decision.reason == "perimeter_limit":
        return explained(Refusal(
            "user_limit",
            _(
                "La convention limite le profil « %(role)s » à %(limit)d utilisateur(s) ; "
                "cette action en porterait le nombre à %(count)d."
            )
            % {"role": role.name, "limit": decision.target["limit"], "count": decision.target["holders"]},
        ), decision)
    return explained(_why_outside(partner, role), decision)


def active_members(group: Group) -> list[Account]:
    """The group's current members whose accounts are active (a suspended account holds nothing)."""
    return [
        membership.account
        for membership in GroupMembership.objects.current()
        .filter(group=group, account__status=AccountStatus.ACTIVE)
        .select_related("account")
    ]


def group_roles(group: Group) -> list[ServiceRole]:
    return [a.role for a in GroupRoleAssignment.objects.current().filter(group=group).select_related("role")]


def profile_refusal(group: Group, role: ServiceRole) -> Refusal | None:
    """May ``group`` receive ``role``? Its members all come to hold it."""
    return perimeter_refusal(group.partner, role, active_members(group))


def membership_refusal(group: Group, account: Account) -> Refusal | None:
    """May ``account`` join ``group``? It comes to hold every profile of the group."""
    for role in group_roles(group):
        refusal = perimeter_refusal(group.partner, role, [account])
        if refusal:
            return refusal
    return None


def reactivation_refusal(group: Group) -> Refusal | None:
    """May a suspended group come back in force? Its members, not counted meanwhile, hold its profiles again."""
    members = active_members(group)
    for role in group_roles(group):
        refusal = perimeter_refusal(group.partner, role, members)
        if refusal:
            return refusal
    return None


def holders_count(partner: Partner, role: ServiceRole) -> int:
    """How many of the partner's users hold ``role`` now, as the engine counts them against the user limit."""
    rbac = current_policy().rbac
    try:
        return len(rbac.holders_within(role.code, partner_unit(partner.pk)))
    except NotFound:
        return 0
