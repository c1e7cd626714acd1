"""Gap analysis (RE-6): declared rights against rights actually used over a period, and proposed adaptations.

Declared rights come from the policy (top-down, often too permissive): users' roles, roles' permissions, and
permissions granted to a user directly. Used rights come from the journal over a period (bottom-up, often too
restrictive). The analysis reports unused rights per user and per role, uses nothing declares, users whose
usage fits no mined role pattern, and proposes changes whose effect — who loses what — is previewed before
anything is applied. Pure functions over plain mappings: callers load policy and journal however they like.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

Grants = Mapping[str, frozenset[str] | set[str]]

ChangeKind = Literal["deassign_user", "revoke_permission", "revoke_direct_permission"]


@dataclass(frozen=True)
class DeclaredRights:
    """The policy as mappings: ``user_roles`` user → roles, ``role_permissions`` role → permissions, and
    ``direct_permissions`` user → permissions granted outside any role."""

    user_roles: Grants
    role_permissions: Grants
    direct_permissions: Grants = field(default_factory=dict)

    def users(self) -> set[str]:
        return set(self.user_roles) | set(self.direct_permissions)

    def permissions_of(self, user: str) -> frozenset[str]:
        """Every permission the user holds, through roles or directly."""
        held = set(self.direct_permissions.get(user, ()))
        for role in self.user_roles.get(user, ()):
            held |= self.role_permissions.get(role, set())
        return frozenset(held)


@dataclass(frozen=True)
class Change:
    """One proposed adaptation; ``reason`` says why in French, for the reviewer."""

    kind: ChangeKind
    reason: str
    user: str | None = None
    role: str | None = None
    permission: str | None = None


@dataclass(frozen=True)
class GapReport:
    """What was declared but not used, used but not declared, and who fits no mined role."""

    unused_by_user: dict[str, frozenset[str]]
    unused_by_role: dict[str, frozenset[str]]
    unused_roles_by_user: dict[str, frozenset[str]]
    undeclared_uses: dict[str, frozenset[str]]
    outside_patterns: dict[str, frozenset[str]]
    changes: tuple[Change, ...]


def analyse_gap(
    declared: DeclaredRights,
    used: Grants,
    mined_roles: Iterable[Iterable[str]] = (),
) -> GapReport:
    """Compare declared and used rights; ``mined_roles`` are permission sets mined from the used rights."""
    users = declared.users() | set(used)
    unused_by_user: dict[str, frozenset[str]] = {}
    undeclared: dict[str, frozenset[str]] = {}
    unused_roles_by_user: dict[str, frozenset[str]] = {}
    for user in sorted(users):
        held = declared.permissions_of(user)
        usage = frozenset(used.get(user, ()))
        if held - usage:
            unused_by_user[user] = held - usage
        if usage - held:
            undeclared[user] = usage - held
        idle = frozenset(
            role
            for role in declared.user_roles.get(user, ())
            if not set(declared.role_permissions.get(role, ())) & usage
        )
        if idle:
            unused_roles_by_user[user] = idle

    unused_by_role: dict[str, frozenset[str]] = {}
    for role, permissions in sorted(declared.role_permissions.items()):
        members = [u for u, roles in declared.user_roles.items() if role in roles]
        used_by_members = set().union(*(used.get(u, set()) for u in members)) if members else set()
        if set(permissions) - used_by_members:
            unused_by_role[role] = frozenset(set(permissions) - used_by_members)

    return GapReport(
        unused_by_user=unused_by_user,
        unused_by_role=unused_by_role,
        unused_roles_by_user=unused_roles_by_user,
        undeclared_uses=undeclared,
        outside_patterns=outside_patterns(used, mined_roles),
        changes=propose_changes(declared, used, unused_by_role, unused_roles_by_user),
    )


def outside_patterns(used: Grants, mined_roles: Iterable[Iterable[str]]) -> dict[str, frozenset[str]]:
    """Users whose usage is not a union of mined roles, with the permissions no fitting role explains.

    A mined role *fits* a user when the user used all its permissions; the user is inside the patterns when the
    fitting roles together give exactly what they used.
    """
    roles = [frozenset(r) for r in mined_roles]
    if not roles:
        return {}
    outside: dict[str, frozenset[str]] = {}
    for user, usage in sorted(used.items()):
        usage = frozenset(usage)
        explained = frozenset().union(*(r for r in roles if r <= usage))
        if usage - explained:
            outside[user] = usage - explained
    return outside


def propose_changes(
    declared: DeclaredRights,
    used: Grants,
    unused_by_role: Mapping[str, frozenset[str]],
    unused_roles_by_user: Mapping[str, frozenset[str]],
) -> tuple[Change, ...]:
    """Least-privilege proposals: drop assignments of roles a user never exercised, permissions no member of a
    role used, and direct permissions their holder never used."""
    changes: list[Change] = []
    for user, roles in sorted(unused_roles_by_user.items()):
        for role in sorted(roles):
            changes.append(
                Change("deassign_user", f"{user} n'a utilisé aucune permission du rôle {role}", user=user, role=role)
            )
    for role, permissions in sorted(unused_by_role.items()):
        if permissions == frozenset(declared.role_permissions.get(role, ())):
            continue  # the whole role is idle: its assignments are already proposed for removal
        for permission in sorted(permissions):
            changes.append(
                Change(
                    "revoke_permission",
                    f"aucun titulaire du rôle {role} n'a utilisé {permission}",
                    role=role,
                    permission=permission,
                )
            )
    for user, permissions in sorted(declared.direct_permissions.items()):
        for permission in sorted(set(permissions) - set(used.get(user, ()))):
            changes.append(
                Change(
                    "revoke_direct_permission",
                    f"{user} n'a pas utilisé {permission}, attribuée directement",
                    user=user,
                    permission=permission,
                )
            )
    return tuple(changes)


def apply_changes(declared: DeclaredRights, changes: Iterable[Change]) -> DeclaredRights:
    """The policy after the changes (a new value; the input is left untouched)."""
    user_roles = {u: set(r) for u, r in declared.user_roles.items()}
    role_permissions = {r: set(p) for r, p in declared.role_permissions.items()}
    direct = {u: set(p) for u, p in declared.direct_permissions.items()}
    for change in changes:
        if change.kind == "deassign_user":
            user_roles.get(change.user, set()).discard(change.role)
        elif change.kind == "revoke_permission":
            role_permissions.get(change.role, set()).discard(change.permission)
        else:
            direct.get(change.user, set()).discard(change.permission)
    return DeclaredRights(
        {u: frozenset(r) for u, r in user_roles.items()},
        {r: frozenset(p) for r, p in role_permissions.items()},
        {u: frozenset(p) for u, p in direct.items()},
    )


def preview_changes(declared: DeclaredRights, changes: Iterable[Change]) -> dict[str, frozenset[str]]:
    """Who would lose which permissions if the changes were applied (users losing nothing are left out)."""
    after = apply_changes(declared, changes)
    losses = {}
    for user in sorted(declared.users()):
        lost = declared.permissions_of(user) - after.permissions_of(user)
        if lost:
            losses[user] = lost
    return losses
