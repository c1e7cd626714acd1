"""What a partner's administrator or delegate may grant (ADM-4): the authority each holds, and decisions on it.

The partner administrator acts on the whole perimeter of the partner's validated convention; a delegate on the
sub-perimeter (some groups, some profiles) the administrator gave him, always cut down to what the convention
grants today. Who is which is decided by the engine (the delegate-habilitations permission in the partner's
unit), never by a role name. The invariant of the slides holds by construction: a delegate's profiles are a
subset of the administrator's, which are the convention's — nobody grants more than they hold.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from habpps.accounts.models import Account
from habpps.authorization.decisions import is_allowed
from habpps.authorization.orgs import partner_unit
from habpps.conventions.doctrine import Refusal, granted_profiles
from habpps.conventions.models import DelegatedPerimeter
from habpps.conventions.perimeter_decisions import membership_refusal, profile_refusal
from habpps.conventions.permissions import DELEGATE_HABILITATIONS, MANAGE_PARTNER_ACCOUNTS
from habpps.directory.models import AccountRoleAssignment, Group, GroupMembership, Partner, ServiceRole


@dataclass(frozen=True)
class Authority:
    """The perimeter ``actor`` administers in ``partner``: ``group_ids`` None means every group."""

    actor: Account
    partner: Partner
    full: bool
    group_ids: frozenset[int] | None
    role_ids: frozenset[int]

    def covers_group(self, group: Group) -> bool:
        return group.partner_id == self.partner.pk and (self.group_ids is None or group.pk in self.group_ids)

    def covers_role(self, role: ServiceRole) -> bool:
        return role.pk in self.role_ids


def current_perimeter(delegate: Account) -> DelegatedPerimeter | None:
    return DelegatedPerimeter.objects.filter(delegate=delegate, ended_at__isnull=True).first()


def authority_of(actor: Account, partner: Partner) -> Authority | None:
    """The actor's authority over his own partner, or None when he administers nothing there."""
    if actor is None or actor.partner_id != partner.pk:
        return None
    unit = partner_unit(partner.pk)
    if not is_allowed(actor, *MANAGE_PARTNER_ACCOUNTS, unit):
        return None
    convention_roles = frozenset(granted_profiles(partner))
    if is_allowed(actor, *DELEGATE_HABILITATIONS, unit):
        return Authority(actor, partner, True, None, convention_roles)
    perimeter = current_perimeter(actor)
    if perimeter is None:
        return Authority(actor, partner, False, frozenset(), frozenset())
    return Authority(
        actor,
        partner,
        False,
        frozenset(perimeter.groups.values_list("pk", flat=True)),
        frozenset(perimeter.roles.values_list("pk", flat=True)) & convention_roles,
    )


def _outside_groups(group: Group) -> Refusal:
    return Refusal(
        "outside_delegation_group",
        _("Le groupe « %(group)s » n'est pas dans le périmètre qui vous a été délégué.")
        % {"group": group.name},
    )


def group_refusal(authority: Authority, group: Group) -> Refusal | None:
    return None if authority.covers_group(group) else _outside_groups(group)


def assign_refusal(authority: Authority, group: Group, role: ServiceRole) -> Refusal | None:
    """May the actor give ``role`` to ``group``? Delegation first, then the convention and its user limit."""
    refusal = group_refusal(authority, group)
    if refusal:
        return refusal
    if not authority.covers_role(role) and not authority.full:
        return Refusal(
            "outside_delegation_role",
            _("Le profil « %(role)s » n'est pas dans le périmètre qui vous a été délégué.")
            % {"role": role.name},
        )
    return profile_refusal(group, role)


def revoke_refusal(authority: Authority, group: Group, role: ServiceRole) -> Refusal | None:
    """Withdrawing is allowed on the same perimeter as granting (a delegate never touches other profiles)."""
    refusal = group_refusal(authority, group)
    if refusal:
        return refusal
    if not authority.full and not authority.covers_role(role):
        return Refusal(
            "outside_delegation_role",
            _("Le profil « %(role)s » n'est pas dans le périmètre qui vous a été délégué.")
            % {"role": role.name},
        )
    return None


def account_refusal(authority: Authority, account: Account) -> Refusal | None:
    """May the actor manage ``account`` (membership, suspension, removal)?

    Never an account of another partner; for a delegate, never an administrator of the partner (an account
    holding an administrative role) nor a member of a group outside his perimeter.
    """
    if account.partner_id != authority.partner.pk:
        return Refusal("other_partner", _("Ce compte n'appartient pas à votre organisme."))
    if authority.full:
        return None
    if AccountRoleAssignment.objects.current().filter(account=account).exists():
        return Refusal(
            "administrator_account",
            _(
                "Le compte de %(name)s porte un rôle d'administration : seul l'administrateur partenaire le gère."
            )
            % {"name": account.full_name},
        )
    outside = (
        GroupMembership.objects.current()
        .filter(account=account)
        .exclude(group_id__in=authority.group_ids or ())
        .select_related("group")
        .first()
    )
    if outside is not None:
        return Refusal(
            "outside_delegation_account",
            _("%(name)s est membre du groupe « %(group)s », hors du périmètre qui vous a été délégué.")
            % {"name": account.full_name, "group": outside.group.name},
        )
    return None


def membership_add_refusal(authority: Authority, group: Group, account: Account) -> Refusal | None:
    return (
        group_refusal(authority, group)
        or account_refusal(authority, account)
        or membership_refusal(group, account)
    )


def delegation_refusal(
    authority: Authority, delegate: Account, groups: list[Group], roles: list[ServiceRole]
) -> Refusal | None:
    """May the actor give ``delegate`` this sub-perimeter? Only the full authority delegates, only within it."""
    if not authority.full:
        return Refusal("cannot_delegate", _("Seul l'administrateur partenaire délègue un périmètre."))
    if delegate.partner_id != authority.partner.pk or delegate.pk == authority.actor.pk:
        return Refusal("bad_delegate", _("Le délégataire doit être un autre compte de votre organisme."))
    for group in groups:
        refusal = group_refusal(authority, group)
        if refusal:
            return refusal
    for role in roles:
        if not authority.covers_role(role):
            return Refusal(
                "outside_convention",
                _(
                    "Le profil « %(role)s » n'est pas accordé par la convention en vigueur : vous ne pouvez pas "
                    "le déléguer."
                )
                % {"role": role.name},
            )
    return None
