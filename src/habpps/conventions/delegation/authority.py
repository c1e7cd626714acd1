"""What a partner's administrator or delegate may do (ADM-4): the engine decides, this module asks and words it.

Who administers the whole partner is the engine's permission decision (delegate-habilitations in the partner's
unit, never a role name). What a delegate may do is the engine's administrative RBAC (ENG-12): the sub-perimeter
the partner administrator gave him is compiled into an engine delegation (`policy_rules`), which the engine
intersects with the administrator's authority — the profiles the convention grants — so nobody grants more than
he holds. Each question below is one engine decision (`can_manage_group`, `can_assign_group`, `can_revoke_group`,
`can_manage_user`, `can_delegate`); this module only turns a refusal into the partner's words, with names.

Basic facts that are not rules stay here: an administrator acts on his own partner only, and a delegate must be
another account of it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from habpps.accounts.models import Account
from habpps.authorization.decisions import is_allowed
from habpps.authorization.orgs import group_name, partner_unit
from habpps.authorization.policy_cache import current_policy
from habpps.conventions.delegation.policy_rules import DELEGATED_ABILITIES, admin_role_name
from habpps.conventions.doctrine import Refusal, explained
from habpps.conventions.models import DelegatedPerimeter
from habpps.conventions.permissions import DELEGATE_HABILITATIONS, MANAGE_PARTNER_ACCOUNTS
from habpps.directory.models import Group, GroupMembership, Partner, ServiceRole
from habpps.engine import AdminDecision

CONVENTION_REASONS = frozenset({"outside_perimeter", "perimeter_limit"})
"""Engine refusals that are the convention's, worded by `perimeter_decisions` (CNV-1, CNV-2), not the delegation's."""


@dataclass(frozen=True)
class Authority:
    """What ``actor`` administers in ``partner``, as the engine answers it: ``full`` for the partner
    administrator; for a delegate the groups (ids) and profiles (ids) of his engine delegations, for the pages'
    lists. ``group_ids`` None means every group of the partner."""

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
    """The stored sub-perimeter (what the delegation page shows and edits)."""
    return DelegatedPerimeter.objects.filter(delegate=delegate, ended_at__isnull=True).first()


def _rbac():
    return current_policy().rbac


def authority_of(actor: Account, partner: Partner) -> Authority | None:
    """The actor's authority over his own partner, or None when he administers nothing there."""
    if actor is None or actor.partner_id != partner.pk:
        return None
    unit = partner_unit(partner.pk)
    if not is_allowed(actor, *MANAGE_PARTNER_ACCOUNTS, unit):
        return None
    rbac = _rbac()
    if is_allowed(actor, *DELEGATE_HABILITATIONS, unit):
        # The partner administrator's profiles are the engine's perimeter of the partner (the convention).
        perimeter = rbac.perimeters().get(unit)
        codes = perimeter.roles if perimeter is not None else ()
        role_ids = frozenset(ServiceRole.objects.filter(code__in=codes).values_list("pk", flat=True))
        return Authority(actor, partner, True, None, role_ids)
    groups: set[str] | None = set()
    roles: set[str] = set()
    if actor.login in rbac.users():
        for held in rbac.effective_authorities(actor.login):
            if not held.covers_org(unit, rbac._lineage):
                continue
            roles |= held.roles
            groups = None if groups is None or held.groups is None else groups | held.groups
    group_ids = None if groups is None else frozenset(int(name.split(":", 1)[1]) for name in groups)
    role_ids = frozenset(ServiceRole.objects.filter(code__in=roles).values_list("pk", flat=True))
    return Authority(actor, partner, False, group_ids, role_ids)


def _outside_groups(group: Group) -> Refusal:
    return Refusal(
        "outside_delegation_group",
        _("Le groupe « %(group)s » n'est pas dans le périmètre qui vous a été délégué.") % {"group": group.name},
    )


def _outside_role(role: ServiceRole) -> Refusal:
    return Refusal(
        "outside_delegation_role",
        _("Le profil « %(role)s » n'est pas dans le périmètre qui vous a été délégué.") % {"role": role.name},
    )


def group_refusal(authority: Authority, group: Group) -> Refusal | None:
    """May the actor administer ``group``? The engine's ``can_manage_group`` for a delegate."""
    if group.partner_id != authority.partner.pk:
        return _outside_groups(group)
    if authority.full:
        return None
    decision = _rbac().can_manage_group(authority.actor.login, group_name(group.pk))
    return None if decision else explained(_outside_groups(group), decision)


def _profile_refusal(authority: Authority, decision: AdminDecision, group: Group, role: ServiceRole):
    if decision or decision.reason in CONVENTION_REASONS:
        return None
    if decision.reason in ("group_out_of_scope", "unknown_group"):
        return explained(_outside_groups(group), decision)
    return explained(_outside_role(role), decision)


def assign_refusal(authority: Authority, group: Group, role: ServiceRole) -> Refusal | None:
    """May the actor give ``role`` to ``group`` as far as his delegation goes? The engine's ``can_assign_group``
    for a delegate; the convention's perimeter and user limits are the other registered perimeter's
    (`habpps.conventions.refusals`), asked after this one."""
    refusal = group_refusal(authority, group)
    if refusal or authority.full:
        return refusal
    unit = partner_unit(group.partner_id)
    decision = _rbac().can_assign_group(authority.actor.login, group_name(group.pk), role.code, unit)
    return _profile_refusal(authority, decision, group, role)


def revoke_refusal(authority: Authority, group: Group, role: ServiceRole) -> Refusal | None:
    """May the actor withdraw ``role`` from ``group``? The engine's ``can_revoke_group`` for a delegate."""
    refusal = group_refusal(authority, group)
    if refusal or authority.full:
        return refusal
    unit = partner_unit(group.partner_id)
    decision = _rbac().can_revoke_group(authority.actor.login, group_name(group.pk), role.code, unit)
    return _profile_refusal(authority, decision, group, role)


def account_refusal(authority: Authority, account: Account) -> Refusal | None:
    """May the actor manage ``account`` (membership, suspension, removal)? The engine's ``can_manage_user``:
    a delegate manages only the plain accounts of his groups — not an account holding roles of its own (an
    administrator), nor a member of a group outside his perimeter."""
    if account.partner_id != authority.partner.pk:
        return Refusal("other_partner", _("Ce compte n'appartient pas à votre organisme."))
    if authority.full:
        return None
    rbac = _rbac()
    if account.login not in rbac.users():
        return Refusal(
            "account_not_in_force",
            _("Le compte de %(name)s n'est pas actif : seul l'administrateur partenaire le gère.")
            % {"name": account.full_name},
        )
    decision = rbac.can_manage_user(authority.actor.login, account.login)
    if decision:
        return None
    if decision.reason == "user_holds_roles":
        return explained(Refusal(
            "administrator_account",
            _("Le compte de %(name)s porte un rôle d'administration : seul l'administrateur partenaire le gère.")
            % {"name": account.full_name},
        ), decision)
    outside = next(
        (
            membership.group
            for membership in GroupMembership.objects.current().filter(account=account).select_related("group")
            if not rbac.can_manage_group(authority.actor.login, group_name(membership.group_id))
        ),
        None,
    )
    if outside is not None:
        return explained(Refusal(
            "outside_delegation_account",
            _("%(name)s est membre du groupe « %(group)s », hors du périmètre qui vous a été délégué.")
            % {"name": account.full_name, "group": outside.name},
        ), decision)
    return explained(Refusal(
        "outside_delegation_account",
        _("Le compte de %(name)s est hors du périmètre qui vous a été délégué.") % {"name": account.full_name},
    ), decision)


def group_creation_refusal(authority: Authority) -> Refusal | None:
    """May the actor create a group in his partner? The engine's ``can_create_group``: a delegate's authority lists
    its groups, and a new group is outside the list."""
    if authority.full:
        return None
    decision = _rbac().can_create_group(authority.actor.login, partner_unit(authority.partner.pk))
    if decision:
        return None
    return explained(Refusal("cannot_create_group", _("Seul l'administrateur partenaire crée des groupes.")), decision)


def administrative_role_refusal(authority: Authority, account: Account | None) -> Refusal | None:
    """May the actor give ``account`` (None: an account he is creating) an administrative role of his partner, or
    take it away? The engine's ``can_assign_admin`` of the partner's administration: giving authority is
    delegating it, and a delegate holds no ``delegate`` ability — nobody grants more than he holds."""
    if authority.full:
        return None
    rbac = _rbac()
    user = account.login if account is not None and account.login in rbac.users() else None
    decision = rbac.can_assign_admin(authority.actor.login, user, admin_role_name(authority.partner.pk),
                                     partner_unit(authority.partner.pk))
    if decision:
        return None
    return explained(Refusal(
        "cannot_grant_role", _("Seul l'administrateur partenaire attribue les rôles d'administration.")
    ), decision)


def delegation_refusal(
    authority: Authority, delegate: Account, groups: list[Group], roles: list[ServiceRole]
) -> Refusal | None:
    """May the actor give ``delegate`` this sub-perimeter? The engine's ``can_delegate``: only who holds the
    ``delegate`` ability delegates (a delegate holds none), and only what the engine says he holds (the profiles
    the convention grants)."""
    if not authority.full:
        rbac = _rbac()
        known_roles, known_groups = rbac.roles(), rbac.groups()
        decision = rbac.can_delegate(
            authority.actor.login,
            [role.code for role in roles if role.code in known_roles],
            orgs=[partner_unit(authority.partner.pk)],
            groups=[name for name in (group_name(group.pk) for group in groups) if name in known_groups],
            abilities=DELEGATED_ABILITIES,
        )
        if not decision:
            return explained(Refusal("cannot_delegate", _("Seul l'administrateur partenaire délègue un périmètre.")),
                             decision)
    if delegate.partner_id != authority.partner.pk or delegate.pk == authority.actor.pk:
        return Refusal("bad_delegate", _("Le délégataire doit être un autre compte de votre organisme."))
    for group in groups:
        refusal = group_refusal(authority, group)
        if refusal:
            return refusal
    if not roles:
        return None
    rbac = _rbac()
    known = rbac.roles()
    unit = partner_unit(authority.partner.pk)
    decision = rbac.can_delegate(
        authority.actor.login,
        [role.code for role in roles if role.code in known],
        orgs=[unit],
        abilities=DELEGATED_ABILITIES,
    )
    outside = set(decision.target.get("outside_roles", ())) if not decision else set()
    for role in roles:
        if role.code not in known or role.code in outside or (not decision and not outside):
            refusal = Refusal(
                "outside_convention",
                _(
                    "Le profil « %(role)s » n'est pas accordé par la convention en vigueur : vous ne pouvez pas "
                    "le déléguer."
                )
                % {"role": role.name},
            )
            return refusal if decision else explained(refusal, decision)
    return None
