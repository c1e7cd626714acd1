"""Incremental compilation (ENG-11): the next `Snapshot` from the previous one and what a change touched.

Compiling the national policy (300,000 users) takes seconds, most of it spent on each user's entries and grant
triples. An administrative change touches a handful of users, groups or roles, so `recompile` copies the
previous snapshot's per-user tables and rebuilds only the users whose grants may have moved:

- the users a call names (assignments, memberships, creation, removal);
- the members of the groups a call names (their group's assignments changed);
- every holder — through a group or directly — of a role whose junior closure or ``descends`` changed.

A role whose permissions alone changed (a profile granted or revoked a permission) costs no per-user work: the
grant triples name the role, and the snapshot's per-role table, rebuilt with the role closures, gives its
permissions.

Role closures, role permissions, permission holders and the org lineage are small (roles) or copied and patched
(org units), and are recomputed as a full compile would. A change the incremental path does not cover —
hierarchy, separation of duty, context, temporal constraints, exclusions, scoping, delegation — falls back to
`RBAC.compile()`. The result equals a full compile's, table for table (a differential test guards that).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from habpps.engine.compiled import (
    Grant,
    Snapshot,
    _pair_key,
    _scoping_policy,
)
from habpps.engine.model import Assignment, Permission
from habpps.engine.scoping_decisions import ScopeEvaluator

if TYPE_CHECKING:
    from habpps.engine.rbac import RBAC

_EMPTY: frozenset = frozenset()

# The engine calls the incremental path understands, and the position of the names they touch.
_USER_CALLS = {"add_user": 0, "delete_user": 0, "assign_user": 0, "deassign_user": 0}
_MEMBER_CALLS = {"add_group_member": 1, "remove_group_member": 1}
_GROUP_CALLS = {"add_group": 0, "delete_group": 0, "assign_group": 0, "deassign_group": 0}
_ROLE_CALLS = {"add_role": 0, "delete_role": 0, "grant_permission": 2, "revoke_permission": 2}
_ORG_CALLS = {"add_org", "delete_org"}


@dataclass(frozen=True)
class PolicyDelta:
    """What a series of engine calls touched, as the incremental compile reads it."""

    users: frozenset[str] = _EMPTY
    groups: frozenset[str] = _EMPTY
    roles: frozenset[str] = _EMPTY
    orgs: bool = False
    structural: bool = False
    """A call outside the incremental path: the next snapshot is compiled in full."""
    members_named: bool = False
    """``users`` holds every member the deleted groups had before the calls (`with_former_members`), so the
    incremental compile need not search the previous snapshot's 300,000 users for them."""

    @classmethod
    def of_calls(cls, calls: Iterable[Sequence[Any]]) -> PolicyDelta:
        users: set[str] = set()
        groups: set[str] = set()
        roles: set[str] = set()
        orgs = structural = False
        for method, *arguments in calls:
            if method in _USER_CALLS:
                users.add(arguments[_USER_CALLS[method]])
            elif method in _MEMBER_CALLS:
                users.add(arguments[_MEMBER_CALLS[method]])
            elif method in _GROUP_CALLS:
                groups.add(arguments[_GROUP_CALLS[method]])
            elif method in _ROLE_CALLS:
                roles.add(arguments[_ROLE_CALLS[method]])
            elif method in _ORG_CALLS:
                orgs = True
            else:
                structural = True
        return cls(frozenset(users), frozenset(groups), frozenset(roles), orgs, structural)

    def __or__(self, other: PolicyDelta) -> PolicyDelta:
        return PolicyDelta(
            self.users | other.users,
            self.groups | other.groups,
            self.roles | other.roles,
            self.orgs or other.orgs,
            self.structural or other.structural,
            self.members_named and other.members_named,
        )

    def with_former_members(self, members: Iterable[str]) -> PolicyDelta:
        """This delta, knowing ``members``: what `former_members` read before the calls were applied."""
        return replace(self, users=self.users | frozenset(members), members_named=True)


def former_members(rbac: RBAC, calls: Iterable[Sequence[Any]]) -> frozenset[str]:
    """The members of the groups ``calls`` delete, read from ``rbac`` *before* the calls are applied.

    Once a group is deleted the engine no longer names who was in it, and the incremental compile must rebuild
    them. Read beforehand, this costs the groups' sizes; otherwise `recompile` finds them by scanning every user
    of the previous snapshot (seconds at national scale, where suspending a fund deletes 600 groups). Members a
    call adds before the deletion are named by that call; extra names only cost their rebuild."""
    groups = rbac._state.groups
    members: set[str] = set()
    for method, *arguments in calls:
        if method == "delete_group" and arguments:
            members.update(groups.get(arguments[0], ()))
    return frozenset(members)


def recompile(rbac: RBAC, previous: Snapshot | None, delta: PolicyDelta) -> Snapshot:
    """The snapshot of ``rbac``'s current policy, built from ``previous`` (the snapshot of the policy before the
    calls ``delta`` describes). Falls back to a full `RBAC.compile()` whenever the shortcut does not apply."""
    guards = rbac._current_guards()
    state = rbac._state
    if (
        previous is None
        or delta.structural
        or guards.timed
        or previous._timed
        # A role that disappeared may still be held by users no call names: only a full pass finds them.
        or not set(previous._role_perms) <= set(state.roles)
    ):
        return rbac.compile()
    cache = rbac._cache

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
    descends = {role: record.descends for role, record in state.roles.items()}

    # A role whose permissions alone moved needs nothing per holder: a `Grant` triple names the role, and the new
    # snapshot's per-role table gives its permissions (a national profile has 10⁴ holders: remapping their tuples
    # cost 0.6 s at 300,000 users). Holders are rebuilt only when what a triple embeds moved — ``descends`` —
    # or the role's closure (explanations and sessions read it through the entries).
    changed_roles = {
        role
        for role in set(role_perms) | set(previous._role_perms)
        if descends.get(role) != previous._descends.get(role)
        or role_closure.get(role) != previous._role_closure.get(role)
    }
    groups = set(delta.groups)
    users = set(delta.users)
    for role in changed_roles:
        groups.update(group for group, _org in state.role_group_assignments.get(role, ()))
        users.update(user for user, _org in state.role_user_assignments.get(role, ()))
    for group in groups:
        users.update(state.groups.get(group, ()))
    # A deleted group or org unit no longer names its former holders (review defect 13): find them in the
    # previous snapshot, whose entries still carry the group or unit.
    gone_groups = set() if delta.members_named else {group for group in delta.groups if group not in state.groups}
    gone_orgs = {org for org in previous._lineage if org not in state.orgs} if delta.orgs else set()
    if gone_groups or gone_orgs:
        for user, user_entries in previous._entries.items():
            if any(entry.group in gone_groups or entry.org in gone_orgs for entry in user_entries):
                users.add(user)

    # ``copy()`` of the underlying dicts: CPython clones a dict's table in one pass (``dict(proxy)`` would
    # re-insert 300,000 keys one by one).
    entries = previous._entries.copy()
    grants = previous._grants.copy()
    _rebuild_users(state, users, entries, grants, descends)

    lineage = previous._lineage.copy()
    if delta.orgs:
        for org in [org for org in lineage if org not in state.orgs]:
            del lineage[org]
        for org in state.orgs:
            if org not in lineage:
                chain = [org]
                parent = state.orgs[org]
                while parent is not None:
                    chain.append(parent)
                    parent = state.orgs[parent]
                lineage[org] = frozenset(chain)

    snapshot = Snapshot(
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
        timed=_EMPTY,
        scoping=_scope_evaluator(state, previous, entries, role_closure, guards, orgs_changed=delta.orgs),
    )
    rbac._snapshot = snapshot
    return snapshot


def _scope_evaluator(state, previous: Snapshot, entries, role_closure, guards, *, orgs_changed: bool):  # noqa: ANN001
    """The scoping evaluator of the new snapshot. Its sorted tree of org units (30,000 units: most of an
    incremental compile's time) is the previous one's when no unit was added or removed."""
    if orgs_changed:
        return ScopeEvaluator(_scoping_policy(state), entries, role_closure, state.org_children, guards)
    evaluator = ScopeEvaluator(_scoping_policy(state), entries, role_closure, {}, guards)
    evaluator._children = previous._scoping._children
    return evaluator


def _rebuild_users(
    state,  # noqa: ANN001 - PolicyState
    users: Iterable[str],
    entries: dict[str, tuple[Assignment, ...]],
    grants: dict[str, tuple[Grant, ...]],
    descends: dict[str, bool],
) -> None:
    """Recompute, in place, the entries and grant triples of ``users`` exactly as `compile_state` does."""
    triples: dict[tuple[str, str | None], Grant] = {}
    group_tuples: dict[str, tuple[tuple[Assignment, ...], tuple[Grant, ...]]] = {}

    def grant(role: str, org: str | None) -> Grant:
        triple = triples.get((role, org))
        if triple is None:
            triple = triples[(role, org)] = (role, org, descends[role])
        return triple

    def group_tuple(group: str) -> tuple[tuple[Assignment, ...], tuple[Grant, ...]]:
        built = group_tuples.get(group)
        if built is None:
            pairs = sorted(state.group_assignments.get(group, ()), key=_pair_key)
            built = group_tuples[group] = (
                tuple(Assignment(role, org, group) for role, org in pairs),
                tuple(grant(role, org) for role, org in pairs),
            )
        return built

    for user in users:
        if user not in state.users:
            entries.pop(user, None)
            grants.pop(user, None)
            continue
        pairs = state.user_assignments.get(user)
        user_groups = state.user_groups.get(user, ())
        if not pairs and len(user_groups) == 1:
            for group in user_groups:
                entries[user], grants[user] = group_tuple(group)
            continue
        direct = sorted(pairs, key=_pair_key) if pairs else ()
        own = tuple(Assignment(role, org) for role, org in direct)
        own_grants = tuple(grant(role, org) for role, org in direct)
        for group in sorted(user_groups):
            group_entries, group_grants = group_tuple(group)
            own += group_entries
            own_grants += group_grants
        entries[user], grants[user] = own, own_grants
