"""Compiled decisions (ENG-11): an immutable snapshot of the policy that answers checks without graph walks.

`RBAC.compile()` precomputes, once per policy version, each role's junior closure and permission closure, each
org unit's lineage, and each user's assignments (groups expanded). A check is then a handful of hash probes:
no I/O, no traversal, nothing mutable — one snapshot can serve every thread of a process, and a process swaps
in a new snapshot when the policy version moves.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any, TypeAlias

from habpps.engine.decision import UNKNOWN_ORG, UNKNOWN_USER, Decision, DecisionInputs, decide
from habpps.engine.guards import Guards
from habpps.engine.model import Assignment, Permission
from habpps.engine.scoping import ActionLimits, FieldDecision, RecordFilter, ScopingPolicy
from habpps.engine.scoping_decisions import ScopeEvaluator

_EMPTY: frozenset = frozenset()

Grant: TypeAlias = tuple[str, str | None, bool]
"""What one assignment confers, as `Snapshot.check` reads it: (the role, whose permissions — its juniors'
included — the snapshot's per-role table gives; org unit of the assignment, None for everywhere; whether the
role's authority reaches sub-units). A plain tuple: unpacking it is cheaper than attribute access on a NamedTuple.
The role, not its permission set, so that a profile's permissions can move without touching its 10⁴ holders'
tuples (issue 19): the next snapshot only gets a new per-role table."""


class Snapshot:
    """A frozen, thread-safe view of one policy version, for fast checks and explanations."""

    __slots__ = (
        "version",
        "_grants",
        "_grant_perms",
        "_entries",
        "_role_perms",
        "_role_closure",
        "_juniors",
        "_holders",
        "_lineage",
        "_descends",
        "_guards",
        "_conditional",
        "_timed",
        "_scoping",
    )

    def __init__(
        self,
        *,
        version: int,
        grants: dict[str, tuple[Grant, ...]],
        entries: dict[str, tuple[Assignment, ...]],
        role_perms: dict[str, frozenset[Permission]],
        role_closure: dict[str, frozenset[str]],
        juniors: dict[str, frozenset[str]],
        holders: dict[Permission, frozenset[str]],
        lineage: dict[str, frozenset[str]],
        descends: dict[str, bool],
        guards: Guards | None = None,
        timed: frozenset[str] = _EMPTY,
        scoping: ScopeEvaluator | None = None,
    ) -> None:
        self.version = version
        # ENG-5/ENG-7: conditional permissions are left out of the `Grant` triples and users under a temporal
        # constraint get none, so an unconditioned grant stays on the fast path and only a would-be denial
        # probes these two sets before taking the guarded path.
        self._guards = guards
        self._conditional = guards.conditional_permissions if guards else _EMPTY
        self._timed = timed
        self._scoping = scoping or ScopeEvaluator(ScopingPolicy(), entries, role_closure, {}, guards)
        # The hot path: per user, one `Grant` triple per assignment, shared between users. At national scale a
        # check costs its memory misses more than its bytecode, so it touches as few objects as possible: the
        # user's tuple, its triples and the few (hot) permission sets. A plain dict, private and never mutated,
        # because a MappingProxyType adds a call to every probe.
        self._grants = grants
        # Per role, what its `Grant` triples confer: its permissions, juniors' included, conditional ones left out.
        # A plain dict of a few dozen roles, read once per triple a check walks.
        conditional = self._conditional
        self._grant_perms = {
            role: perms - conditional if conditional and perms & conditional else perms
            for role, perms in role_perms.items()
        }
        # Per user: its assignments with their groups, for explanations and review.
        self._entries = MappingProxyType(entries)
        self._role_perms = MappingProxyType(role_perms)
        self._role_closure = MappingProxyType(role_closure)
        self._juniors = MappingProxyType(juniors)
        self._holders = MappingProxyType(holders)
        self._lineage = MappingProxyType(lineage)
        self._descends = MappingProxyType(descends)

    # -- decisions --------------------------------------------------------------------------------------------
    def check(
        self,
        user: str,
        operation: str,
        obj: str,
        org: str | None = None,
        active_roles: Iterable[str] | None = None,
        context: Mapping[str, Any] | None = None,
    ) -> bool:
        """True iff ``user`` may do ``operation`` on ``obj`` (in ``org``), with all its authorized roles active
        when ``active_roles`` is None, else with only those roles active (as in a session). ``context`` is the
        request context of conditional permissions and temporal constraints (see `RBAC.explain_access`)."""
        if active_roles is None:
            grants = self._grants.get(user)
            if not grants:
                return user in self._timed and self._guarded_check(user, (operation, obj), org, None, context)
            perm = (operation, obj)
            lineage = None
            grant_perms = self._grant_perms
            for role, where, descends in grants:
                if perm not in grant_perms[role]:
                    continue
                if org is None or where == org:
                    return True
                # Only now is the org unit's lineage needed (most checks never get here): an unknown unit
                # denies, an unscoped assignment applies everywhere, a descending role reaches sub-units.
                if lineage is None:
                    lineage = self._lineage.get(org)
                    if lineage is None:
                        return False
                if where is None or (descends and where in lineage):
                    return True
            return perm in self._conditional and self._guarded_check(user, perm, org, None, context)
        entries = self._entries.get(user)
        if not entries:
            return False
        perm = (operation, obj)
        if user in self._timed or perm in self._conditional:
            return self._guarded_check(user, perm, org, active_roles, context)
        role_perms = self._role_perms
        if org is None:
            lineage = None
        else:
            lineage = self._lineage.get(org)
            if lineage is None:
                return False
        active = active_roles if isinstance(active_roles, (set, frozenset)) else frozenset(active_roles)
        holders = self._holders.get(perm, _EMPTY)
        if not holders:
            return False
        closures = self._role_closure
        for entry in entries:
            if perm not in role_perms[entry.role]:
                continue
            if not (
                lineage is None
                or entry.org is None
                or entry.org == org
                or (entry.org in lineage and self._descends[entry.role])
            ):
                continue
            reachable = closures[entry.role]
            for role in active:
                if role in reachable and perm in role_perms[role]:
                    return True
        return False

    def explain(
        self,
        user: str,
        operation: str,
        obj: str,
        org: str | None = None,
        active_roles: Iterable[str] | None = None,
        context: Mapping[str, Any] | None = None,
    ) -> Decision:
        """The decision of `check` with its reasons (ENG-9), computed from the snapshot alone."""
        base = {"user": user, "operation": operation, "obj": obj, "org": org}
        if user not in self._entries:
            return Decision(granted=False, reason=UNKNOWN_USER, **base)
        if org is not None and org not in self._lineage:
            return Decision(granted=False, reason=UNKNOWN_ORG, **base)
        inputs = DecisionInputs(
            entries=list(self._entries[user]),
            juniors=self._juniors,
            juniors_closure=lambda role: self._role_closure.get(role, _EMPTY),
            holders=lambda permission: set(self._holders.get(permission, _EMPTY)),
            applies=self._applies,
            **self._guard_inputs(user, context),
        )
        return decide(inputs, user, operation, obj, org, active_roles)

    # -- conditional permissions and temporal constraints (ENG-5, ENG-7) ----------------------------------------
    def _guard_inputs(self, user: str, context: Mapping[str, Any] | None) -> dict[str, Any]:
        guards = self._guards
        if guards is None:
            return {}
        now = guards.now(context)
        last = guards.last_activity(context)
        inputs: dict[str, Any] = {}
        if user in self._timed:
            inputs["user_failure"] = guards.user_failure(user, now, last)
            inputs["entry_failure"] = lambda entry, via: guards.entry_failure(user, entry, via, now, last)
        if self._conditional:
            inputs["permission_checks"] = lambda perm: guards.permission_checks(user, perm, context, now)
        if guards.grant_links:
            inputs["grant_checks"] = lambda role, perm: guards.grant_failures(user, role, perm, context, now)
        return inputs

    def _guarded_check(
        self,
        user: str,
        perm: Permission,
        org: str | None,
        active_roles: Iterable[str] | None,
        context: Mapping[str, Any] | None,
    ) -> bool:
        """`check` for a user under temporal constraints or a conditional permission: a grant path usable now
        (assignment, assigned and active roles in their time windows), then the permission's conditions."""
        guards = self._guards
        if guards is None or perm not in self._holders:
            return False
        if org is not None and org not in self._lineage:
            return False
        now = guards.now(context)
        last = guards.last_activity(context)
        timed = user in self._timed
        if timed and guards.user_failure(user, now, last) is not None:
            return False
        active = None if active_roles is None else frozenset(active_roles)
        role_perms = self._role_perms
        closures = self._role_closure
        conditional_grant = perm in guards.conditional_grants
        for entry in self._entries.get(user, ()):
            if perm not in role_perms[entry.role] or not self._applies(entry, org):
                continue
            if active is None:
                vias: list[str | None] = [None]
            else:
                vias = [r for r in active if r in closures[entry.role] and perm in role_perms[r]]
            if timed:
                vias = [via for via in vias if guards.entry_failure(user, entry, via, now, last) is None]
            if vias and (not conditional_grant or self._confers(user, entry, vias, perm, context, now)):
                break
        else:
            return False
        if perm not in self._conditional:
            return True
        return guards.permission_holds(user, perm, context, now)

    def _confers(self, user: str, entry: Assignment, vias: list[str | None], perm: Permission,
                 context: Mapping[str, Any] | None, now: Any) -> bool:
        """Whether some role holding ``perm`` below the assignment (through an active role ``via``) confers it
        in this request — its grant unconditional, or every constraint of the grant holding."""
        guards = self._guards
        holders = self._holders.get(perm, _EMPTY)
        for via in vias:
            for holder in holders & self._role_closure[via or entry.role]:
                if guards.grant_holds(user, holder, perm, context, now):
                    return True
        return False

    def _applies(self, entry: Assignment, org: str | None) -> bool:
        if org is None or entry.org is None or entry.org == org:
            return True
        return entry.org in self._lineage.get(org, _EMPTY) and self._descends.get(entry.role, True)

    # -- data scoping (ENG-8) ------------------------------------------------------------------------------------
    def population_filter(self, user: str, resource: str, population: str | None = None,
                          active_roles: Iterable[str] | None = None,
                          context: Mapping[str, Any] | None = None) -> RecordFilter:
        """The records of ``resource`` ``user`` may see, as a Django-free filter (see `habpps.engine.scoping`)."""
        return self._scoping.population_filter(user, resource, population, active_roles, context)

    def field_access(self, user: str, resource: str, active_roles: Iterable[str] | None = None,
                     context: Mapping[str, Any] | None = None) -> dict[str, str]:
        """Field → ``read`` / ``write`` of ``user`` on ``resource``; a field absent is forbidden."""
        return self._scoping.field_access(user, resource, active_roles, context)

    def explain_field(self, user: str, resource: str, field: str, active_roles: Iterable[str] | None = None,
                      context: Mapping[str, Any] | None = None) -> FieldDecision:
        return self._scoping.explain_field(user, resource, field, active_roles, context)

    def action_limits(self, user: str, action: str, active_roles: Iterable[str] | None = None,
                      context: Mapping[str, Any] | None = None) -> ActionLimits | None:
        """The limits of ``action`` for ``user`` (most permissive over its roles that set some and are usable at
        the request's ``now``, see ``context``), or None."""
        return self._scoping.action_limits(user, action, active_roles, context)

    # -- what a caller may want to know without the live engine -----------------------------------------------
    def has_user(self, user: str) -> bool:
        return user in self._entries

    def holds_permission(self, operation: str, obj: str) -> bool:
        """Whether some role holds (operation, obj) at all (one probe: a caller can skip a check bound to fail)."""
        return (operation, obj) in self._holders

    def authorized_roles(self, user: str) -> frozenset[str]:
        result: set[str] = set()
        for entry in self._entries.get(user, ()):
            result |= self._role_closure[entry.role]
        return frozenset(result)

    def user_permissions(self, user: str, org: str | None = None) -> frozenset[Permission]:
        """Every permission ``user`` holds (in ``org`` when given), all authorized roles active."""
        result: set[Permission] = set()
        for entry in self._entries.get(user, ()):
            if self._applies(entry, org):
                result |= self._role_perms[entry.role]
        return frozenset(result)

    @property
    def users(self) -> Mapping[str, tuple[Assignment, ...]]:
        return self._entries


def compile_state(state, cache, guards: Guards | None = None) -> Snapshot:  # noqa: ANN001 - PolicyState, HierarchyCache
    """Build the `Snapshot` of a policy state. Linear in users + assignments; closures once per role."""
    role_closure = {role: cache.juniors_closure(role) for role in state.roles}
    direct = state.role_permissions
    role_perms: dict[str, frozenset[Permission]] = {}
    for role, closure in role_closure.items():
        perms: set[Permission] = set()
        for junior in closure:
            perms |= direct.get(junior, set())
        role_perms[role] = frozenset(perms)
    holders_sets: dict[Permission, set[str]] = {}
    for role, perms in direct.items():
        for perm in perms:
            holders_sets.setdefault(perm, set()).add(role)
    lineage: dict[str, frozenset[str]] = {}
    for org in state.orgs:
        chain = [org]
        parent = state.orgs[org]
        while parent is not None:
            chain.append(parent)
            parent = state.orgs[parent]
        lineage[org] = frozenset(chain)
    descends = {role: record.descends for role, record in state.roles.items()}
    entries, grants = _user_entries_and_grants(state, descends)
    timed = _timed_users(state, entries, role_closure, guards) if guards is not None and guards.timed else _EMPTY
    for user in timed:
        grants[user] = ()
    return Snapshot(
        version=state.version,
        grants=grants,
        entries=entries,
        role_perms=role_perms,
        role_closure=role_closure,
        juniors={role: frozenset(js) for role, js in state.juniors.items()},
        holders={perm: frozenset(roles) for perm, roles in holders_sets.items()},
        lineage=lineage,
        descends=descends,
        guards=guards,
        timed=timed,
        scoping=ScopeEvaluator(_scoping_policy(state), entries, role_closure, state.org_children, guards),
    )


def _scoping_policy(state) -> ScopingPolicy:  # noqa: ANN001 - PolicyState
    """A frozen copy of the scoping rules (ENG-8) for the snapshot."""
    return ScopingPolicy(
        populations=MappingProxyType({key: MappingProxyType(dict(rules)) for key, rules in state.populations.items()}),
        field_rules=MappingProxyType({key: MappingProxyType(dict(fields)) for key, fields in state.field_rules.items()}),
        action_limits=MappingProxyType(dict(state.action_limits)),
    )


def _timed_users(state, entries, role_closure, guards: Guards) -> frozenset[str]:  # noqa: ANN001
    """Users a temporal constraint may concern: on themselves, on one of their assignments (or their groups'),
    or on a role they are authorized for. Their checks take the guarded path."""
    timed = set(guards.user_temporal)
    for kind, holder, _role, _org in guards.assignment_temporal:
        timed |= {holder} if kind == "user" else state.groups.get(holder, set())
    timed_roles = set(guards.role_temporal)
    if timed_roles:
        for user, user_entries in entries.items():
            if any(not timed_roles.isdisjoint(role_closure[entry.role]) for entry in user_entries):
                timed.add(user)
    return frozenset(timed & set(entries))


def _user_entries_and_grants(
    state, descends: dict[str, bool]  # noqa: ANN001 - PolicyState
) -> tuple[dict[str, tuple[Assignment, ...]], dict[str, tuple[Grant, ...]]]:
    """Each user's assignments (groups expanded, for explanations) and the `Grant` triples `Snapshot.check`
    reads. A user whose only assignments come from one group — most users — shares that group's tuples, and
    each (role, org) has one triple: memory follows the policy's assignments, not users × permissions."""
    triples: dict[tuple[str, str | None], Grant] = {}

    def grant(role: str, org: str | None) -> Grant:
        triple = triples.get((role, org))
        if triple is None:
            triple = triples[(role, org)] = (role, org, descends[role])
        return triple

    group_entries = {
        group: tuple(Assignment(role, org, group) for role, org in sorted(pairs, key=_pair_key))
        for group, pairs in state.group_assignments.items()
    }
    group_grants = {
        group: tuple(grant(entry.role, entry.org) for entry in group_tuple)
        for group, group_tuple in group_entries.items()
    }
    entries: dict[str, tuple[Assignment, ...]] = {}
    grants: dict[str, tuple[Grant, ...]] = {}
    user_assignments = state.user_assignments
    user_groups = state.user_groups
    no_groups: set[str] = set()
    for user in state.users:
        pairs = user_assignments.get(user)
        groups = user_groups.get(user, no_groups)
        if not pairs and len(groups) == 1:  # most users: one group, nothing direct — share the group's tuples
            for group in groups:
                entries[user], grants[user] = group_entries[group], group_grants[group]
            continue
        direct = sorted(pairs, key=_pair_key) if pairs else ()
        own = tuple(Assignment(role, org) for role, org in direct)
        own_grants = tuple(grant(role, org) for role, org in direct)
        for group in sorted(groups):
            own += group_entries[group]
            own_grants += group_grants[group]
        entries[user], grants[user] = own, own_grants
    return entries, grants


def _pair_key(pair: tuple[str, str | None]) -> tuple[str, str]:
    return (pair[0], pair[1] or "")
