"""Who holds what, and where: the derived relations every manager needs.

Authorized roles (ANSI 359 §6.2: assigned roles and every junior they inherit), the org units in which an
assignment applies (ENG-3, organisational inheritance) and the SSD/DSD members a user or session holds. The
functions take explicit assignment lists so that constraint checks can evaluate a *hypothetical* state (the one
a call would produce) before anything changes.
"""

from __future__ import annotations

from collections.abc import Iterable

from habpps.engine.hierarchy import HierarchyCache
from habpps.engine.model import Assignment, PolicyState, SodMember, SodSet


def user_assignments(state: PolicyState, user: str) -> list[Assignment]:
    """Every assignment through which ``user`` holds a role: direct ones, then those of its groups."""
    entries = [Assignment(role, org) for role, org in state.user_assignments.get(user, ())]
    for group in state.user_groups.get(user, ()):
        entries.extend(Assignment(role, org, group) for role, org in state.group_assignments.get(group, ()))
    return entries


def assigned_roles(entries: Iterable[Assignment]) -> set[str]:
    return {entry.role for entry in entries}


def authorized_roles(cache: HierarchyCache, entries: Iterable[Assignment]) -> set[str]:
    return cache.closure_of(assigned_roles(entries))


def org_lineage(state: PolicyState, org: str) -> list[str]:
    """``org`` and its ancestors up to the root, nearest first."""
    lineage = [org]
    parent = state.orgs.get(org)
    while parent is not None:
        lineage.append(parent)
        parent = state.orgs.get(parent)
    return lineage


def applies_in(state: PolicyState, assignment: Assignment, org: str | None) -> bool:
    """Whether an assignment confers its role's authority in org unit ``org``.

    An assignment without org applies everywhere; a decision without org ignores org scope (plain ANSI). An
    assignment in unit X applies in X, and in X's sub-units when the assigned role descends (thesis 4.5.2).
    """
    if assignment.org is None or org is None:
        return True
    if assignment.org == org:
        return True
    record = state.roles.get(assignment.role)
    if record is None or not record.descends:
        return False
    return assignment.org in org_lineage(state, org)


def holds_member_statically(
    state: PolicyState, cache: HierarchyCache, entries: list[Assignment], member: SodMember
) -> bool:
    """Whether a user with these assignments is *authorized* for an SSD member (role or (role, org))."""
    if isinstance(member, str):
        return any(member in cache.juniors_closure(entry.role) for entry in entries)
    role, org = member
    return any(
        role in cache.juniors_closure(entry.role) and applies_in(state, entry, org) for entry in entries
    )


def holds_member_dynamically(
    state: PolicyState,
    cache: HierarchyCache,
    entries: list[Assignment],
    active_roles: Iterable[str],
    member: SodMember,
) -> bool:
    """Whether a session with these active roles holds a DSD member, juniors of active roles included."""
    active = set(active_roles)
    if isinstance(member, str):
        return member in cache.closure_of(active)
    role, org = member
    for entry in entries:
        if not applies_in(state, entry, org):
            continue
        for active_role in active & cache.juniors_closure(entry.role):
            if role in cache.juniors_closure(active_role):
                return True
    return False


def ssd_members_held(
    state: PolicyState, cache: HierarchyCache, entries: list[Assignment], sod: SodSet
) -> list[SodMember]:
    return [m for m in sod.members if holds_member_statically(state, cache, entries, m)]


def dsd_members_held(
    state: PolicyState,
    cache: HierarchyCache,
    entries: list[Assignment],
    active_roles: Iterable[str],
    sod: SodSet,
) -> list[SodMember]:
    active = list(active_roles)
    return [m for m in sod.members if holds_member_dynamically(state, cache, entries, active, m)]


def users_authorized_for_any(state: PolicyState, cache: HierarchyCache, roles: Iterable[str]) -> set[str]:
    """Users assigned (directly or through a group) to any senior-or-self of the given roles."""
    seniors: set[str] = set()
    for role in roles:
        if role in state.roles:
            seniors |= cache.seniors_closure(role)
    users: set[str] = set()
    for role in seniors:
        users.update(user for user, _org in state.role_user_assignments.get(role, ()))
        for group, _org in state.role_group_assignments.get(role, ()):
            users |= state.groups.get(group, set())
    return users


def users_assigned_to(state: PolicyState, role: str) -> set[str]:
    """Users assigned to ``role`` itself, directly or through a group (ANSI AssignedUsers, groups included)."""
    users = {user for user, _org in state.role_user_assignments.get(role, ())}
    for group, _org in state.role_group_assignments.get(role, ()):
        users |= state.groups.get(group, set())
    return users
