"""The engine calls an administrative change implies (ENG-11), computed from what it touched, and their replay.

The change-capture triggers (migration 0003) tell which accounts, groups, profiles, funds, partners and services
a transaction wrote. `calls_for` reconciles those entities only: it reads their engine facts from the directory —
with the very definitions of the full build (``policy_build``) — compares them with the engine's, and returns the
calls that turn the one into the other, removals first, then additions (units, profiles, groups, accounts,
assignments, memberships), then the deployment calendar's entries. Replaying these calls on the engine of the
previous version gives exactly what a full rebuild of the new version gives; a property test checks it.

Calls are plain lists (``["assign_group", "group:7", "cdap-ass-cesf", "partner:3"]``) stored in the change log.
`apply_calls` applies them and, when the engine refuses one, undoes those already applied before re-raising, so
that a refused change leaves the engine as it found it; `undo_calls` is the exact inverse of a successful apply.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import Q

from habpps.authorization import policy_calls, policy_rules
from habpps.authorization.access_windows import WINDOW_FIELDS, Window
from habpps.authorization.model_sync import (
    MODEL_APPLY,
    MODEL_INVERSES,
    apply_model_call,
    approving,
    model_calls,
    wanted_model,
)
from habpps.authorization.orgs import NATIONAL_UNIT, fund_unit, group_name, partner_unit
from habpps.authorization.policy_build import (
    GROUP_IN_FORCE,
    ROLE_IN_FORCE,
    _prefixed,
    account_unit,
    accounts_in_force,
    groups_in_force,
    opening_unit,
    roles_in_force,
)
from habpps.authorization.scope_policy import extension_calls
from habpps.authorization.stored import (
    Account,
    AccountRoleAssignment,
    Group,
    GroupMembership,
    GroupRoleAssignment,
    Partner,
    ProfileOpening,
    RolePermission,
    ServiceRole,
)
from habpps.engine import RBAC
from habpps.engine.compiled_delta import PolicyDelta
from habpps.engine.deployment import DeploymentCalendar
from habpps.engine.exclusion_functions import ExclusionFunctions

Call = list[Any]

CALENDAR_CALLS = ("set_opening", "remove_opening")
"""Calls on the deployment calendar rather than on the RBAC engine."""

ENGINE_INVERSES = {
    "add_org": lambda org, parent=None: ["delete_org", org],
    "add_role": lambda role: ["delete_role", role],
    "delete_role": lambda role: ["add_role", role],
    "grant_permission": lambda operation, obj, role: ["revoke_permission", operation, obj, role],
    "revoke_permission": lambda operation, obj, role: ["grant_permission", operation, obj, role],
    "add_user": lambda user: ["delete_user", user],
    "delete_user": lambda user: ["add_user", user],
    "assign_user": lambda user, role, org: ["deassign_user", user, role, org],
    "deassign_user": lambda user, role, org: ["assign_user", user, role, org],
    "add_group": lambda group: ["delete_group", group],
    "delete_group": lambda group: ["add_group", group],
    "add_group_member": lambda group, user: ["remove_group_member", group, user],
    "remove_group_member": lambda group, user: ["add_group_member", group, user],
    "assign_group": lambda group, role, org: ["deassign_group", group, role, org],
    "deassign_group": lambda group, role, org: ["assign_group", group, role, org],
}
"""The engine calls a change may hold, each with its exact inverse (removals are always emitted emptied first:
a user or group is deleted only once it holds nothing, so re-adding it restores everything)."""


# -- what a transaction touched ------------------------------------------------------------------------------------
@dataclass
class Touched:
    """Ids of the directory entities whose engine facts a transaction may have moved."""

    accounts: set[int] = field(default_factory=set)
    groups: set[int] = field(default_factory=set)
    roles: set[int] = field(default_factory=set)
    openings: set[int] = field(default_factory=set)
    """Profiles (by id) whose deployment calendar entries were written."""
    funds: set[int] = field(default_factory=set)
    partners: set[int] = field(default_factory=set)
    services: set[int] = field(default_factory=set)
    rebuild: bool = False
    """Something the calls cannot tell (a login or profile code renamed): every process rebuilds."""
    extensions: bool = False
    """Contextual constraints or scoping rules (``habpps.authorization``) were written: reconcile them."""
    rules: set[int] = field(default_factory=set)
    """Partners whose derived rules' records were written (conventions, sub-perimeters…; 0: every partner's)."""

    KINDS = {
        "account": "accounts",
        "group": "groups",
        "role": "roles",
        "opening": "openings",
        "fund": "funds",
        "partner": "partners",
        "service": "services",
    }

    def add(self, kind: str, entity_id: int) -> None:
        if kind == "rebuild":
            self.rebuild = True
        elif kind == "extension":
            self.extensions = True
        elif kind == "rules":
            self.rules.add(entity_id)
        elif kind in self.KINDS:
            getattr(self, self.KINDS[kind]).add(entity_id)

    def __bool__(self) -> bool:
        return (self.rebuild or self.extensions or bool(self.rules)
                or any(getattr(self, name) for name in self.KINDS.values()))


def consume_touches() -> Touched:
    """Read and delete, in the caller's transaction, what the triggers recorded since the last change."""
    touched = Touched()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM directory_policytouch RETURNING kind, entity_id")
        for kind, entity_id in cursor.fetchall():
            touched.add(kind, entity_id)
    return touched


def rule_partners(touched: Touched) -> frozenset[int] | None:
    """The partners whose derived rules (`policy_rules`: perimeters, administrators, delegations, account
    units) a change may have moved, or None when it wrote what every partner's rules depend on — a profile or a
    service (in force, its permissions), the doctrine or the role hierarchy (``rules`` 0)."""
    if touched.roles or touched.services or 0 in touched.rules:
        return None
    partners = set(touched.partners) | touched.rules
    if touched.funds:
        partners.update(Partner.objects.filter(fund_id__in=touched.funds).values_list("id", flat=True))
    if touched.accounts:
        rows = Account.objects.filter(id__in=touched.accounts, partner_id__isnull=False)
        partners.update(rows.values_list("partner_id", flat=True))
    if touched.groups:
        partners.update(Group.objects.filter(id__in=touched.groups).values_list("partner_id", flat=True))
    return frozenset(partners)


# -- from touched entities to engine calls ----------------------------------------------------------------------
def calls_for(touched: Touched, rbac: RBAC, calendar: DeploymentCalendar) -> list[Call]:
    """The calls that bring the touched entities' facts in ``rbac`` and ``calendar`` to the directory's."""
    return _Reconciliation(touched, rbac, calendar).calls()


class _Reconciliation:
    """One reconciliation: expands the touched entities, reads both sides, emits the calls."""

    def __init__(self, touched: Touched, rbac: RBAC, calendar: DeploymentCalendar) -> None:
        self.rbac = rbac
        self.state = rbac._state
        self.calendar = calendar
        self.accounts = set(touched.accounts)
        self.groups = set(touched.groups)
        self.roles = set(touched.roles)
        self.openings = set(touched.openings) | set(touched.roles)
        self.funds = set(touched.funds)
        self.partners = set(touched.partners)
        self.extensions = touched.extensions
        self.rbac = rbac
        self.removals: list[Call] = []
        self.additions: list[Call] = []
        self.last: list[Call] = []
        roles = ServiceRole.objects.filter(service_id__in=touched.services).values_list("id", flat=True)
        self.roles.update(roles)
        self.openings.update(roles)

    def calls(self) -> list[Call]:
        self._expand_organisations()
        self._units()
        self._roles()
        self._groups()
        self._accounts()
        self._memberships()
        self._calendar()
        model_removals, model_additions = self._model()
        self._extensions()
        return model_removals + self.removals + self.additions + model_additions + self.last

    # The hierarchy, separation of duty, exclusions and cardinalities (small tables: all reconciled each time).
    def _model(self) -> tuple[list[Call], list[Call]]:
        roles = dict(roles_in_force().values_list("id", "code"))
        logins = dict(accounts_in_force().filter(role_limit__isnull=False).values_list("id", "login"))
        return model_calls(self.rbac, wanted_model(roles, logins), set(roles.values()), set(logins.values()))

    # Contextual constraints, scoping rules, account and profile windows (ENG-5, ENG-8): small tables,
    # reconciled whole when written or when a profile or an account moved (its rules follow it in and out).
    def _extensions(self) -> None:
        if not self.extensions and not self.roles and not self.accounts:
            return
        in_force = set(roles_in_force().values_list("code", flat=True))
        removals, additions = extension_calls(self.rbac, in_force, accounts_in_force())
        self.removals.extend(removals)
        self.additions.extend(additions)

    # Funds and partners: their units, and — their status decides — every account and group inside them.
    def _expand_organisations(self) -> None:
        in_funds = Q(partner__fund_id__in=self.funds)
        self.accounts.update(
            Account.objects.filter(Q(fund_id__in=self.funds) | in_funds | Q(partner_id__in=self.partners))
            .values_list("id", flat=True)
        )
        self.groups.update(
            Group.objects.filter(in_funds | Q(partner_id__in=self.partners)).values_list("id", flat=True)
        )

    def _units(self) -> None:
        orgs = self.state.orgs
        for fund_id in sorted(self.funds):
            if fund_unit(fund_id) not in orgs:
                self.additions.append(["add_org", fund_unit(fund_id), NATIONAL_UNIT])
        partners = Partner.objects.filter(Q(id__in=self.partners) | Q(fund_id__in=self.funds))
        for partner_id, fund_id in partners.values_list("id", "fund_id").order_by("id"):
            if partner_unit(partner_id) not in orgs:
                if fund_unit(fund_id) not in orgs and fund_id not in self.funds:
                    self.additions.append(["add_org", fund_unit(fund_id), NATIONAL_UNIT])
                self.additions.append(["add_org", partner_unit(partner_id), fund_unit(fund_id)])

    # Profiles: existence (in force) and permissions; a profile entering or leaving force moves its holders.
    def _roles(self) -> None:
        if not self.roles:
            return
        state = self.state
        codes = dict(ServiceRole.objects.filter(id__in=self.roles).values_list("id", "code"))
        in_force = set(roles_in_force().filter(id__in=self.roles).values_list("id", flat=True))
        wanted: dict[int, set[tuple[str, str]]] = {role_id: set() for role_id in in_force}
        held = RolePermission.objects.filter(role_id__in=in_force).values_list("role_id", "operation", "obj")
        for role_id, operation, obj in held:
            wanted[role_id].add((operation, obj))
        entering, leaving = set(), set()
        for role_id in sorted(codes):
            code = codes[role_id]
            present = code in state.roles
            if role_id in in_force and not present:
                entering.add(role_id)
                self.additions.append(["add_role", code])
                current: set[tuple[str, str]] = set()
            elif role_id not in in_force and present:
                leaving.add(code)
                current, wanted[role_id] = set(state.role_permissions.get(code, ())), set()
            elif present:
                current = set(state.role_permissions.get(code, ()))
            else:
                continue
            for operation, obj in sorted(current - wanted[role_id]):
                target = self.last if code in leaving else self.removals
                target.append(["revoke_permission", operation, obj, code])
            for operation, obj in sorted(wanted[role_id] - current):
                self.additions.append(["grant_permission", operation, obj, code])
        for code in sorted(leaving):
            self.last.append(["delete_role", code])
            # Its holders lose it: reconcile them (the profile being out of force, they no longer want it).
            self.groups.update(_group_id(group) for group, _org in state.role_group_assignments.get(code, ()))
            logins = {user for user, _org in state.role_user_assignments.get(code, ())}
            self.accounts.update(Account.objects.filter(login__in=logins).values_list("id", flat=True))
        if entering:
            self.groups.update(
                GroupRoleAssignment.objects.current().filter(role_id__in=entering).values_list("group_id", flat=True)
            )
            self.accounts.update(
                AccountRoleAssignment.objects.current()
                .filter(role_id__in=entering)
                .values_list("account_id", flat=True)
            )

    # Groups: existence and assignments (their memberships are reconciled with the accounts').
    def _groups(self) -> None:
        if not self.groups:
            return
        state = self.state
        in_force = dict(groups_in_force().filter(id__in=self.groups).values_list("id", "partner_id"))
        wanted: dict[int, set[tuple[str, str]]] = {group_id: set() for group_id in in_force}
        assignments = GroupRoleAssignment.objects.current().filter(
            _prefixed(ROLE_IN_FORCE, "role"), group_id__in=in_force
        )
        windows: dict[tuple[str, str, str], dict | None] = {}
        for row in assignments.select_related("role").only("group_id", "role__code", *WINDOW_FIELDS):
            unit = partner_unit(in_force[row.group_id])
            wanted[row.group_id].add((row.role.code, unit))
            windows[(group_name(row.group_id), row.role.code, unit)] = Window.of(row).constraint()
        for group_id in sorted(self.groups):
            name = group_name(group_id)
            present = name in state.groups
            current = set(state.group_assignments.get(name, ())) if present else set()
            target = wanted.get(group_id, set())
            for role, org in sorted(current - target, key=_pair_key):
                self._window("set_group_assignment_temporal", "group", name, role, org, None)
                self.removals.append(["deassign_group", name, role, org])
            if group_id in in_force and not present:
                self.additions.append(["add_group", name])
            elif group_id not in in_force and present:
                self.last.append(["delete_group", name])
            for role, org in sorted(target - current, key=_pair_key):
                self.additions.append(["assign_group", name, role, org])
            for role, org in sorted(target, key=_pair_key):
                self._window("set_group_assignment_temporal", "group", name, role, org, windows[(name, role, org)])

    # Accounts: existence and their own roles (held in their organisation's unit).
    def _accounts(self) -> None:
        if not self.accounts:
            return
        state = self.state
        rows = Account.objects.filter(id__in=self.accounts).values_list(
            "id", "login", "org_level", "fund_id", "partner_id"
        )
        self.logins = {account_id: login for account_id, login, *_ in rows}
        units = {account_id: account_unit(level, fund, partner) for account_id, _l, level, fund, partner in rows}
        in_force = set(accounts_in_force().filter(id__in=self.accounts).values_list("id", flat=True))
        wanted: dict[int, set[tuple[str, str]]] = {account_id: set() for account_id in in_force}
        assignments = AccountRoleAssignment.objects.current().filter(
            _prefixed(ROLE_IN_FORCE, "role"), account_id__in=in_force
        )
        windows: dict[tuple[str, str, str], dict | None] = {}
        for row in assignments.select_related("role").only("account_id", "role__code", *WINDOW_FIELDS):
            unit = units[row.account_id]
            wanted[row.account_id].add((row.role.code, unit))
            windows[(self.logins[row.account_id], row.role.code, unit)] = Window.of(row).constraint()
        for account_id in sorted(self.logins):
            login = self.logins[account_id]
            present = login in state.users
            current = set(state.user_assignments.get(login, ())) if present else set()
            target = wanted.get(account_id, set())
            for role, org in sorted(current - target, key=_pair_key):
                self._window("set_assignment_temporal", "user", login, role, org, None)
                self.removals.append(["deassign_user", login, role, org])
            if account_id in in_force and not present:
                self.additions.append(["add_user", login])
            elif account_id not in in_force and present:
                self.last.append(["delete_user", login])
            for role, org in sorted(target - current, key=_pair_key):
                self.additions.append(["assign_user", login, role, org])
            for role, org in sorted(target, key=_pair_key):
                self._window("set_assignment_temporal", "user", login, role, org, windows[(login, role, org)])

    def _window(self, method: str, kind: str, holder: str, role: str, org: str, wanted: dict | None) -> None:
        """Bring one assignment's time window (ENG-5) to ``wanted``: lifted before the assignment goes (so that
        undoing the removal restores it), set after it is made."""
        held = self.state.assignment_temporal.get((kind, holder, role, org))
        current = held.as_dict() if held is not None else None
        if current != wanted:
            target = self.removals if wanted is None else self.additions
            target.append([method, holder, role, org, wanted, current])

    # Memberships: every (group, account) pair with a touched group or a touched account.
    def _memberships(self) -> None:
        if not self.accounts and not self.groups:
            return
        state = self.state
        logins = getattr(self, "logins", {})
        current: set[tuple[str, str]] = set()
        for login in logins.values():
            current.update((group, login) for group in state.user_groups.get(login, ()))
        for group_id in self.groups:
            name = group_name(group_id)
            current.update((name, login) for login in state.groups.get(name, ()))
        wanted: set[tuple[str, str]] = set()
        memberships = (
            GroupMembership.objects.current()
            .filter(Q(account_id__in=self.accounts) | Q(group_id__in=self.groups))
            .filter(_prefixed(GROUP_IN_FORCE, "group"), account__in=accounts_in_force())
            .values_list("group_id", "account__login")
        )
        wanted.update((group_name(group_id), login) for group_id, login in memberships)
        for group, login in sorted(current - wanted):
            self.removals.append(["remove_group_member", group, login])
        for group, login in sorted(wanted - current):
            self.additions.append(["add_group_member", group, login])

    # The deployment calendar (ADM-1) of the touched profiles.
    def _calendar(self) -> None:
        if not self.openings:
            return
        codes = dict(ServiceRole.objects.filter(id__in=self.openings).values_list("id", "code"))
        in_force = set(roles_in_force().filter(id__in=self.openings).values_list("id", flat=True))
        wanted: dict[tuple[str, str], date | None] = {}
        rows = ProfileOpening.objects.filter(role_id__in=in_force).values_list("role_id", "fund_id", "opens_on")
        for role_id, fund_id, opens_on in rows:
            wanted[(codes[role_id], opening_unit(fund_id))] = opens_on
        scope = set(codes.values())
        current = {key: value for key, value in self.calendar.openings.items() if key[0] in scope}
        for role, unit in sorted(set(current) - set(wanted)):
            self.last.append(["remove_opening", role, unit])
        for (role, unit), opens_on in sorted(wanted.items()):
            if (role, unit) not in current or current[(role, unit)] != opens_on:
                self.last.append(["set_opening", role, unit, opens_on.isoformat() if opens_on else None])


def _group_id(name: str) -> int:
    return int(name.split(":", 1)[1])


def _pair_key(pair: tuple[str, str | None]) -> tuple[str, str]:
    return (pair[0], pair[1] or "")


# -- applying calls ---------------------------------------------------------------------------------------------------
SYSTEM_REQUESTER = "système"
"""Who asks, for the engine, a change nobody signed (demo, imports): it still waits for an administrator."""

EXCLUSION_CHECKED = ("assign_user", "assign_group", "add_group_member", "grant_permission")
"""Calls the engine checks against the static exclusions, naming who asks (``require_approval`` needs it)."""


def apply_calls(rbac: RBAC, calendar: DeploymentCalendar, calls: Iterable[Sequence[Any]], *,
                approved: Iterable[str] | None = (), replay: bool = False,
                requester: str = SYSTEM_REQUESTER) -> DeploymentCalendar:
    """Apply ``calls`` to ``rbac`` (in place) and return the resulting calendar (calendars are values).

    When the engine refuses a call (``RBACError``: an exclusion, a cardinality…), the calls already applied are
    undone before the error propagates: the engine is left as it was. ``approved`` names the
    ``require_approval`` exclusions a second administrator approved breaking for this change; a ``replay`` of
    the change log re-enforces no exclusion (the process that made the change decided, see ``model_sync``).
    ``requester`` is who asks the change: a ``require_approval`` exclusion parks it in their name. The engine's
    administrative-authority check (ENG-12) that ``actor=`` also triggers is not asked here: the services decide
    who may act with the engine's permission decisions before they write anything.
    """
    applied: list[Sequence[Any]] = []
    try:
        with approving(rbac, None if replay else approved):
            calendar = _apply_each(rbac, calendar, calls, applied, requester)
    except BaseException:
        undo_calls(rbac, applied)
        raise
    return calendar


def _apply_each(rbac: RBAC, calendar: DeploymentCalendar, calls: Iterable[Sequence[Any]],
                applied: list[Sequence[Any]], requester: str) -> DeploymentCalendar:
    for call in calls:
        method, *arguments = call
        if method == "set_opening":
            role, unit, opens_on = arguments
            calendar = calendar.with_opening(role, unit, date.fromisoformat(opens_on) if opens_on else None)
        elif method == "remove_opening":
            calendar = calendar.without_opening(*arguments)
        elif method in EXCLUSION_CHECKED:
            getattr(ExclusionFunctions, method)(rbac, *arguments, actor=requester)
            applied.append(call)
        elif method in ENGINE_INVERSES:
            getattr(rbac, method)(*arguments)
            applied.append(call)
        elif method in MODEL_APPLY:
            apply_model_call(rbac, list(call), requester)
            applied.append(call)
        elif policy_calls.is_replacement(call):
            policy_calls.apply_replacement(rbac, call)
            applied.append(call)
        elif method in policy_rules.RULE_CALLS:
            policy_rules.apply_call(rbac, list(call))
            applied.append(call)
        else:
            raise ValueError(f"Appel inconnu dans le journal des changements : {method}")
    return calendar


def undo_calls(rbac: RBAC, calls: Sequence[Sequence[Any]]) -> None:
    """Undo engine ``calls`` that were all applied, last first (calendar calls are undone by keeping the
    previous calendar value)."""
    for call in reversed([c for c in calls if c[0] not in CALENDAR_CALLS]):
        method, *arguments = call
        if policy_calls.is_replacement(call):
            policy_calls.apply_replacement(rbac, policy_calls.inverse(call))
            continue
        if method in MODEL_INVERSES:
            with approving(rbac, None):
                apply_model_call(rbac, MODEL_INVERSES[method](*arguments))
            continue
        if method in policy_rules.RULE_CALLS:
            policy_rules.apply_call(rbac, policy_rules.inverse([method, *arguments]))
            continue
        inverse_method, *inverse_arguments = ENGINE_INVERSES[method](*arguments)
        with approving(rbac, None):
            getattr(rbac, inverse_method)(*inverse_arguments)


def delta_of(calls: Iterable[Sequence[Any]]) -> PolicyDelta:
    """What the engine calls among ``calls`` touched, for the incremental compile."""
    skipped = CALENDAR_CALLS + policy_rules.RULE_CALLS  # perimeters decide administration, not access
    return PolicyDelta.of_calls(call for call in calls if call[0] not in skipped)
