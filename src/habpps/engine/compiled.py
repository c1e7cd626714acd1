"""Compiled decisions (ENG-11): an immutable snapshot of the policy that answers checks without graph walks.

`RBAC.compile()` precomputes, once per policy version, each role's junior closure and permission closure, each
org unit's lineage, and each user's assignments (groups expanded). A check is then a handful of hash probes:
no I/O, no traversal, nothing mutable — one snapshot can serve every thread of a process, and a process swaps
in a new snapshot when the policy version moves.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import TypeAlias

from habpps.engine.decision import UNKNOWN_ORG, UNKNOWN_USER, Decision, DecisionInputs, decide
from habpps.engine.model import Assignment, Permission

_EMPTY: frozenset = frozenset()

Grant: TypeAlias = tuple[frozenset[Permission], str | None, bool]
"""What one assignment confers, as `Snapshot.check` reads it: (permissions of the role, its juniors' included;
org unit of the assignment, None for everywhere; whether the role's authority reaches sub-units). A plain tuple:
unpacking it is cheaper than attribute access on a NamedTuple."""


class Snapshot:
    """A frozen, thread-safe view of one policy version, for fast checks and explanations."""

    __slots__ = (
        "version",
        "_grants",
        "_entries",
        "_role_perms",
        "_role_closure",
        "_juniors",
        "_holders",
        "_lineage",
        "_descends",
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
    ) -> None:
        self.version = version
        # The hot path: per user, one `Grant` triple per assignment, shared between users. At national scale a
        # check costs its memory misses more than its bytecode, so it touches as few objects as possible: the
        # user's tuple, its triples and the few (hot) permission sets. A plain dict, private and never mutated,
        # because a MappingProxyType adds a call to every probe.
        self._grants = grants
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
    ) -> bool:
        """True iff ``user`` may do ``operation`` on ``obj`` (in ``org``), with all its authorized roles active
        when ``active_roles`` is None, else with only those roles active (as in a session)."""
        if active_roles is None:
            grants = self._grants.get(user)
            if not grants:
                return False
            perm = (operation, obj)
            lineage = None
            for perms, where, descends in grants:
                if perm not in perms:
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
            return False
        entries = self._entries.get(user)
        if not entries:
            return False
        perm = (operation, obj)
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
        )
        return decide(inputs, user, operation, obj, org, active_roles)

    def _applies(self, entry: Assignment, org: str | None) -> bool:
        if org is None or entry.org is None or entry.org == org:
            return True
        return entry.org in self._lineage.get(org, _EMPTY) and self._descends.get(entry.role, True)

    # -- what a caller may want to know without the live engine -----------------------------------------------
    def has_user(self, user: str) -> bool:
        return user in self._entries

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


def compile_state(state, cache) -> Snapshot:  # noqa: ANN001 - PolicyState, HierarchyCache (avoid cycle)
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
    group_entries = {
        group: tuple(Assignment(role, org, group) for role, org in sorted(pairs, key=_pair_key))
        for group, pairs in state.group_assignments.items()
    }
    entries: dict[str, tuple[Assignment, ...]] = {}
    user_assignments = state.user_assignments
    user_groups = state.user_groups
    for user in state.users:
        own = tuple(Assignment(role, org) for role, org in sorted(user_assignments.get(user, ()), key=_pair_key))
        for group in sorted(user_groups.get(user, ())):
            own += group_entries[group]
        entries[user] = own
    descends = {role: record.descends for role, record in state.roles.items()}
    return Snapshot(
        version=state.version,
        grants=_grants(entries, role_perms, descends),
        entries=entries,
        role_perms=role_perms,
        role_closure=role_closure,
        juniors={role: frozenset(js) for role, js in state.juniors.items()},
        holders={perm: frozenset(roles) for perm, roles in holders_sets.items()},
        lineage=lineage,
        descends=descends,
    )


def _grants(
    entries: dict[str, tuple[Assignment, ...]],
    role_perms: dict[str, frozenset[Permission]],
    descends: dict[str, bool],
) -> dict[str, tuple[Grant, ...]]:
    """Each user's assignments as `Grant` triples for `Snapshot.check`. One triple per (role, org) and one
    tuple per distinct list of assignments (members of the same groups share it): memory stays proportional
    to the policy's assignments, not to users × permissions."""
    triples: dict[tuple[str, str | None], Grant] = {}
    tuples: dict[tuple[tuple[str, str | None], ...], tuple[Grant, ...]] = {}
    grants: dict[str, tuple[Grant, ...]] = {}
    for user, user_entries in entries.items():
        key = tuple((entry.role, entry.org) for entry in user_entries)
        shared = tuples.get(key)
        if shared is None:
            shared = tuple(
                triples.setdefault(pair, (role_perms[pair[0]], pair[1], descends[pair[0]])) for pair in key
            )
            tuples[key] = shared
        grants[user] = shared
    return grants


def _pair_key(pair: tuple[str, str | None]) -> tuple[str, str]:
    return (pair[0], pair[1] or "")
