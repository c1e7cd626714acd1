"""Delegated administration (ADM-4) compiled into the engine (ENG-12): the engine decides what a delegate may do.

The partner administrator's sub-perimeters (``DelegatedPerimeter``: some groups, some profiles) are stored by
this app; what they allow is the engine's administrative RBAC, compiled here from them:

- ``admin_roles``: for each partner that delegated, one administrative role ``administration:partner:<id>`` over
  the profiles the partner's validated convention grants, in the partner's unit, with every ability (assign,
  revoke, manage accounts, delegate) — the partner administrator's authority.
- ``admin_assignments``: that role, in the partner's unit, to the partner's accounts in force holding the
  delegate-habilitations permission through one of their own roles (or a role inheriting it).
- ``delegations``: one per current sub-perimeter, from the administrator who gave it (or, if he no longer is
  one, another administrator of the partner: the delegation is the partner administration's) to the delegate,
  over the delegated groups and profiles in the partner's unit. The engine intersects it with the grantor's
  authority — nobody grants more than he holds, so a profile the convention stopped granting falls out by itself.
- ``user_orgs``: the unit of every account in force of the partners that delegated, which the engine's
  ``manage_user`` decisions scope.

A moved section is a change-log call (``replace_rule``, `habpps.authorization.policy_rules.calls_for`): an
administrator named or removed, a convention validated, a delegation given, an account created or suspended in
a partner that delegated are replayed by every process like the directory's own calls, never a full rebuild.
`habpps.conventions.delegation.authority` asks the engine; nothing here decides.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from habpps.authorization import policy_rules
from habpps.authorization.orgs import group_name, partner_unit
from habpps.authorization.policy_build import accounts_in_force, groups_in_force, roles_in_force
from habpps.authorization.separation_models import RoleInheritance
from habpps.conventions.models import DelegatedPerimeter
from habpps.conventions.permissions import DELEGATE_HABILITATIONS
from habpps.directory.models import AccountRoleAssignment, RolePermission

ABILITIES = ["assign", "delegate", "manage_user", "revoke"]
DELEGATED_ABILITIES = ["assign", "manage_user", "revoke"]


def admin_role_name(partner_id: int) -> str:
    return f"administration:{partner_unit(partner_id)}"


def delegation_name(perimeter_id: int) -> str:
    return f"delegation:{perimeter_id}"


def _delegating_roles() -> set[int]:
    """Profiles in force conferring the delegate-habilitations permission, directly or by inheritance."""
    roles = set(
        RolePermission.objects.filter(
            operation=DELEGATE_HABILITATIONS.operation, obj=DELEGATE_HABILITATIONS.obj
        ).values_list("role_id", flat=True)
    )
    edges = list(RoleInheritance.objects.values_list("senior_id", "junior_id"))
    grown = True
    while grown:
        seniors = {senior for senior, junior in edges if junior in roles} - roles
        grown = bool(seniors)
        roles |= seniors
    return roles & set(roles_in_force().values_list("id", flat=True))


def sections(perimeters: list[dict[str, Any]], partners: policy_rules.Partners = None) -> policy_rules.Sections:
    """The delegated administration's sections, given the convention perimeters just derived (their profiles
    are the partner administrator's authority) — of ``partners`` only when given."""
    administrators: dict[int, list[tuple[int, str]]] = defaultdict(list)
    accounts = accounts_in_force().filter(partner__isnull=False)
    if partners is not None:
        accounts = accounts.filter(partner_id__in=partners)
    holders = (
        AccountRoleAssignment.objects.current()
        .filter(role_id__in=_delegating_roles(), account__in=accounts)
        .values_list("account_id", "account__login", "account__partner_id")
    )
    for account_id, login, partner_id in sorted(set(holders)):
        administrators[partner_id].append((account_id, login))
    convention_roles = {item["org"]: item["roles"] for item in perimeters}
    admin_roles: list[dict[str, Any]] = []
    admin_assignments: list[dict[str, Any]] = []
    for partner_id in sorted(administrators):
        unit = partner_unit(partner_id)
        admin_roles.append(
            {"name": admin_role_name(partner_id), "roles": list(convention_roles.get(unit, [])),
             "abilities": ABILITIES, "orgs": [unit]}
        )
        admin_assignments.extend(
            {"user": login, "admin_role": admin_role_name(partner_id), "org": unit}
            for _, login in administrators[partner_id]
        )
    sections: policy_rules.Sections = {"admin_roles": admin_roles, "admin_assignments": admin_assignments}
    sections.update(_delegations(administrators, partners))
    return sections


def _delegations(administrators: dict[int, list[tuple[int, str]]], partners: policy_rules.Partners) -> policy_rules.Sections:
    """The current sub-perimeters as engine delegations, and the units of their partners' accounts."""
    current = DelegatedPerimeter.objects.filter(ended_at__isnull=True)
    if partners is not None:
        current = current.filter(partner_id__in=partners)
    perimeters = list(current.order_by("id").values_list("id", "partner_id", "delegate_id", "started_by_id"))
    partner_ids = sorted({partner_id for _, partner_id, _, _ in perimeters})
    logins = dict(accounts_in_force().filter(partner_id__in=partner_ids).values_list("id", "login"))
    partner_of = dict(accounts_in_force().filter(partner_id__in=partner_ids).values_list("id", "partner_id"))
    access_profiles = dict(roles_in_force().filter(account_level="").values_list("id", "code"))
    in_force_groups = set(groups_in_force().filter(partner_id__in=partner_ids).values_list("id", flat=True))
    ids = [p[0] for p in perimeters]
    groups: dict[int, list[int]] = defaultdict(list)
    roles: dict[int, list[int]] = defaultdict(list)
    through = DelegatedPerimeter.groups.through.objects.filter(delegatedperimeter_id__in=ids)
    for perimeter_id, group_id in through.values_list("delegatedperimeter_id", "group_id"):
        groups[perimeter_id].append(group_id)
    through = DelegatedPerimeter.roles.through.objects.filter(delegatedperimeter_id__in=ids)
    for perimeter_id, role_id in through.values_list("delegatedperimeter_id", "servicerole_id"):
        roles[perimeter_id].append(role_id)
    delegations: list[dict[str, Any]] = []
    for perimeter_id, partner_id, delegate_id, started_by_id in perimeters:
        admins = [account_id for account_id, _ in administrators.get(partner_id, [])]
        if delegate_id not in logins or not admins:
            continue  # a delegate out of force, or nobody left to hold the authority he was given
        grantor = started_by_id if started_by_id in admins else admins[0]
        if grantor == delegate_id:
            continue  # he became an administrator himself: the delegation adds nothing
        delegations.append(
            {
                "name": delegation_name(perimeter_id),
                "grantor": logins[grantor],
                "grantee": logins[delegate_id],
                "roles": sorted(access_profiles[r] for r in roles[perimeter_id] if r in access_profiles),
                "orgs": [partner_unit(partner_id)],
                # Always an explicit list, even empty: None would mean "every group of the grantor", and the
                # engine's can_create_group refuses a delegate precisely because his groups are listed.
                "groups": sorted(group_name(g) for g in groups[perimeter_id] if g in in_force_groups),
                "abilities": DELEGATED_ABILITIES,
            }
        )
    user_orgs = [{"user": login, "org": partner_unit(partner_of[a])} for a, login in logins.items()]
    return {"delegations": delegations, "user_orgs": user_orgs}
