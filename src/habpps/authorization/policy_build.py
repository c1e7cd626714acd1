"""Build the engine's policy from the directory (ENG-11): the database is the source of truth.

The engine sees: users = logins of active accounts whose organisations are in force; organisation units =
national → funds → partners; groups = partner groups in force; roles = profiles in force (administrative roles
and service profiles) with their permissions; assignments = current group profiles (in the partner's unit) and
current account roles (in the account's own unit). Whatever is suspended or removed is simply absent, which is
how a suspension takes effect on the next decision (ADM-6). The deployment calendar (ADM-1) is built beside it.

This full build runs when a process starts, when the change log has a gap, or on demand (``habpps policy
rebuild``); every other version is reached by replaying the change log (``policy_delta``), whose calls must
reproduce exactly what this build gives — the two share the definitions below.
"""

from __future__ import annotations

from django.db.models import Q

from habpps.authorization import policy_rules
from habpps.authorization.access_windows import WINDOW_FIELDS, Window
from habpps.authorization.model_sync import apply_model, wanted_model
from habpps.authorization.orgs import NATIONAL_UNIT, fund_unit, group_name, partner_unit
from habpps.authorization.scope_policy import build_extensions
from habpps.authorization.stored import (
    Account,
    AccountRoleAssignment,
    AccountStatus,
    Fund,
    Group,
    GroupMembership,
    GroupRoleAssignment,
    OrgLevel,
    Partner,
    ProfileOpening,
    RolePermission,
    ServiceRole,
    Status,
)
from habpps.engine import RBAC
from habpps.engine.deployment import DeploymentCalendar


def accounts_in_force():
    """Active accounts whose organisation and fund are active."""
    return Account.objects.filter(in_force(""))


def in_force(prefix: str) -> Q:
    """The condition of ``accounts_in_force`` on an account reached through ``prefix`` (e.g. ``account__``): a
    query already joining the account filters it in place instead of semi-joining every account in force."""
    return Q(**{f"{prefix}status": AccountStatus.ACTIVE}) & (
        Q(**{f"{prefix}org_level": OrgLevel.NATIONAL})
        | Q(**{f"{prefix}org_level": OrgLevel.FUND, f"{prefix}fund__status": Status.ACTIVE})
        | Q(
            **{
                f"{prefix}org_level": OrgLevel.PARTNER,
                f"{prefix}partner__status": Status.ACTIVE,
                f"{prefix}partner__fund__status": Status.ACTIVE,
            }
        )
    )


def account_unit(level: str, fund_id: int | None, partner_id: int | None) -> str:
    """The unit an account's own roles are held in: its partner's, its fund's or the national one."""
    if level == OrgLevel.PARTNER:
        return partner_unit(partner_id)
    if level == OrgLevel.FUND:
        return fund_unit(fund_id)
    return NATIONAL_UNIT


def opening_unit(fund_id: int | None) -> str:
    """The unit a deployment calendar entry applies to: its fund's, or the national unit for every fund."""
    return NATIONAL_UNIT if fund_id is None else fund_unit(fund_id)


def roles_in_force():
    return ServiceRole.objects.filter(ROLE_IN_FORCE)


def groups_in_force():
    return Group.objects.filter(GROUP_IN_FORCE)


def _prefixed(condition: Q, prefix: str) -> Q:
    """The same condition on a related model reached through ``prefix``."""
    prefixed = Q()
    prefixed.connector, prefixed.negated = condition.connector, condition.negated
    prefixed.children = [
        _prefixed(child, prefix) if isinstance(child, Q) else (f"{prefix}__{child[0]}", child[1])
        for child in condition.children
    ]
    return prefixed


ROLE_IN_FORCE = Q(status=Status.ACTIVE, service__status=Status.ACTIVE)
GROUP_IN_FORCE = Q(status=Status.ACTIVE, partner__status=Status.ACTIVE, partner__fund__status=Status.ACTIVE)


def build_rbac() -> RBAC:
    """Replay the directory into a fresh engine; an engine refusal (RBACError) propagates unchanged.

    Every organisation unit is declared, even suspended ones, so that a decision about a suspended partner is a
    plain refusal rather than an unknown unit.
    """
    rbac = RBAC()
    rbac.add_org(NATIONAL_UNIT)
    for fund_id in Fund.objects.values_list("id", flat=True).order_by("id"):
        rbac.add_org(fund_unit(fund_id), parent=NATIONAL_UNIT)
    for partner_id, fund_id in Partner.objects.values_list("id", "fund_id").order_by("id"):
        rbac.add_org(partner_unit(partner_id), parent=fund_unit(fund_id))

    roles = dict(roles_in_force().values_list("id", "code"))
    for code in sorted(roles.values()):
        rbac.add_role(code)
    permissions = RolePermission.objects.filter(_prefixed(ROLE_IN_FORCE, "role")).values_list(
        "role_id", "operation", "obj"
    )
    for role_id, operation, obj in permissions.order_by("id"):
        rbac.grant_permission(operation, obj, roles[role_id])

    logins: dict[int, str] = {}
    units: dict[int, str] = {}
    for account_id, login, level, fund_id, partner_id in (
        accounts_in_force().values_list("id", "login", "org_level", "fund_id", "partner_id").order_by("id")
    ):
        rbac.add_user(login)
        logins[account_id] = login
        units[account_id] = account_unit(level, fund_id, partner_id)

    current_roles = AccountRoleAssignment.objects.current().filter(_prefixed(ROLE_IN_FORCE, "role"))
    for assignment in current_roles.only("account_id", "role_id", *WINDOW_FIELDS).order_by("id"):
        if assignment.account_id in logins:
            login, role, unit = logins[assignment.account_id], roles[assignment.role_id], units[assignment.account_id]
            rbac.assign_user(login, role, org=unit)
            window = Window.of(assignment).constraint()
            if window:
                rbac.set_assignment_temporal(login, role, unit, window)

    group_partner = dict(groups_in_force().values_list("id", "partner_id"))
    for group_id in sorted(group_partner):
        rbac.add_group(group_name(group_id))
    memberships = GroupMembership.objects.current().filter(_prefixed(GROUP_IN_FORCE, "group"))
    for group_id, account_id in memberships.values_list("group_id", "account_id").order_by("id"):
        if account_id in logins:
            rbac.add_group_member(group_name(group_id), logins[account_id])
    group_roles = GroupRoleAssignment.objects.current().filter(
        _prefixed(GROUP_IN_FORCE, "group"), _prefixed(ROLE_IN_FORCE, "role")
    )
    for assignment in group_roles.only("group_id", "role_id", *WINDOW_FIELDS).order_by("id"):
        group, role = group_name(assignment.group_id), roles[assignment.role_id]
        unit = partner_unit(group_partner[assignment.group_id])
        rbac.assign_group(group, role, org=unit)
        window = Window.of(assignment).constraint()
        if window:
            rbac.set_group_assignment_temporal(group, role, unit, window)
    # Hierarchy, separation of duty, exclusions and cardinalities, as a policy document loads them.
    apply_model(rbac, wanted_model(roles, logins))
    # The rules the domain apps derive from their records (convention perimeters, the four-eyes rule…).
    policy_rules.compile_into(rbac)
    build_extensions(rbac, accounts_in_force())
    return rbac


def build_deployment() -> DeploymentCalendar:
    """The deployment calendar (ADM-1) of the profiles in force: (profile code, unit) → opening date."""
    openings = ProfileOpening.objects.filter(_prefixed(ROLE_IN_FORCE, "role")).values_list(
        "role__code", "fund_id", "opens_on"
    )
    return DeploymentCalendar({(code, opening_unit(fund_id)): opens_on for code, fund_id, opens_on in openings})
