"""Derive a preliminary role hierarchy from work profiles, exactly as the algorithm of thesis 5.3.6 (SPEC RE-3).

The algorithm, in the thesis's words and order:

1. for each work profile, create a role and assign it the profile's permissions;
2. flag as *potentially redundant* every pair of roles with exactly the same permissions — they are kept, and
   listed for the analyst's review (5.3.7);
3. the juniors of a role are the roles whose permissions are a *proper* subset of its own (R1 > R2);
4. keep only the immediate juniors: drop ``j2`` from ``juniors(r)`` when another junior ``j1 > j2``
   (a transitive reduction);
5. add an inheritance relation from each role to each remaining junior, and remove from each role the
   permissions it inherits.

The result is a DAG (proper inclusion is a strict order) in which every role, through inheritance, holds exactly
the permissions of its profile. This module works on plain sets; :mod:`habpps.roleeng.engine_import` loads the
result into the RBAC engine.

One refinement of 5.3.7 is offered, off by default: given the functional domain of each role, a role never takes
a junior from another domain ("les rôles du domaine GRH ne peuvent hériter de permission des rôles du domaine
PAIE"); a role without a domain may take juniors from any domain and serve any domain.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

P = TypeVar("P")  # a permission: (operation, object) in the workbench, anything hashable in tests


@dataclass(frozen=True)
class RoleHierarchy(Generic[P]):
    """A preliminary role hierarchy: direct permissions and immediate juniors of each role, plus the review list.

    ``direct`` holds what is assigned to each role once inherited permissions are removed; ``juniors`` the
    immediate juniors (the inheritance edges, senior → junior); ``redundant`` groups of roles that had exactly the
    same permissions, sorted, for review.
    """

    direct: Mapping[str, frozenset[P]]
    juniors: Mapping[str, frozenset[str]]
    redundant: tuple[tuple[str, ...], ...]

    @property
    def roles(self) -> tuple[str, ...]:
        return tuple(self.direct)

    def edges(self) -> list[tuple[str, str]]:
        """Inheritance edges ``(senior, junior)`` in a stable order."""
        return sorted((senior, junior) for senior, juniors in self.juniors.items() for junior in juniors)

    def seniors(self, role: str) -> frozenset[str]:
        """Roles that have ``role`` as an immediate junior."""
        return frozenset(senior for senior, juniors in self.juniors.items() if role in juniors)

    def all_juniors(self, role: str) -> frozenset[str]:
        """Every role ``role`` inherits from, directly or transitively."""
        seen: set[str] = set()
        pending = list(self.juniors[role])
        while pending:
            junior = pending.pop()
            if junior not in seen:
                seen.add(junior)
                pending.extend(self.juniors[junior])
        return frozenset(seen)

    def permissions(self, role: str) -> frozenset[P]:
        """Every permission a role holds: its own and those of all its juniors (ANSI ``role_permissions``)."""
        held = set(self.direct[role])
        for junior in self.all_juniors(role):
            held |= self.direct[junior]
        return frozenset(held)

    def inheritance_path(self, role: str, permission: P) -> list[str] | None:
        """The chain ``role → … → holder`` through which ``role`` holds ``permission``, or None if it doesn't.

        The shortest chain is returned (breadth first), ending at the role to which the permission is assigned.
        """
        parents: dict[str, str | None] = {role: None}
        frontier = [role]
        while frontier:
            next_frontier: list[str] = []
            for current in frontier:
                if permission in self.direct[current]:
                    path = [current]
                    while (parent := parents[path[-1]]) is not None:
                        path.append(parent)
                    return path[::-1]
                for junior in sorted(self.juniors[current]):
                    if junior not in parents:
                        parents[junior] = current
                        next_frontier.append(junior)
            frontier = next_frontier
        return None

    def flattened(self) -> RoleHierarchy[P]:
        """The same roles on one level, each assigned all its permissions (5.3.7: for targets such as HRa
        Suite 7 whose hierarchy is « limitée à un niveau »). The review list is kept."""
        return RoleHierarchy(
            direct={role: self.permissions(role) for role in self.direct},
            juniors={role: frozenset() for role in self.direct},
            redundant=self.redundant,
        )

    def layers(self) -> list[list[str]]:
        """Roles by depth: the most senior roles (no senior) first, every junior below all of its seniors."""
        depth: dict[str, int] = {}

        def depth_of(role: str) -> int:
            if role not in depth:
                seniors = self.seniors(role)
                depth[role] = 1 + max((depth_of(s) for s in seniors), default=-1)
            return depth[role]

        for role in self.direct:
            depth_of(role)
        layers: list[list[str]] = [[] for _ in range(max(depth.values(), default=-1) + 1)]
        for role in sorted(depth):
            layers[depth[role]].append(role)
        return layers


def derive_hierarchy(
    role_permissions: Mapping[str, Iterable[P]],
    domains: Mapping[str, str] | None = None,
) -> RoleHierarchy[P]:
    """Run the derivation of thesis 5.3.6 on one role per work profile and its permissions.

    ``domains``, when given, applies the 5.3.7 rule that inheritance never crosses functional domains.
    """
    permissions = {role: frozenset(perms) for role, perms in role_permissions.items()}
    roles = sorted(permissions)

    def may_inherit(senior: str, junior: str) -> bool:
        if domains is None:
            return True
        junior_domain = domains.get(junior)
        senior_domain = domains.get(senior)
        return junior_domain is None or senior_domain is None or junior_domain == senior_domain

    # Steps 2 and 3: redundancy and the (non-reduced) junior relation, by pairwise comparison.
    juniors: dict[str, set[str]] = {role: set() for role in roles}
    same_as: dict[str, set[str]] = {}
    for role1 in roles:
        for role2 in roles:
            if role1 == role2:
                continue
            if permissions[role1] == permissions[role2]:
                same_as.setdefault(role1, {role1}).add(role2)
            elif permissions[role2] < permissions[role1] and may_inherit(role1, role2):
                juniors[role1].add(role2)

    # Step 4: keep immediate juniors only — drop j2 when another junior j1 > j2. Without domains, "j2 is a
    # junior of j1" is exactly "j1 > j2"; with domains it also requires that j1 may inherit from j2, so the
    # result stays the transitive reduction of the inheritance actually allowed.
    immediate = {
        role: frozenset(j2 for j2 in juniors[role] if not any(j2 in juniors[j1] for j1 in juniors[role]))
        for role in roles
    }

    # Step 5: remove from each role the permissions it inherits from its (immediate, hence all) juniors.
    direct = {
        role: permissions[role].difference(*(permissions[j] for j in immediate[role])) for role in roles
    }

    redundant = tuple(sorted({tuple(sorted(group)) for group in same_as.values()}))
    return RoleHierarchy(direct=direct, juniors=immediate, redundant=redundant)
