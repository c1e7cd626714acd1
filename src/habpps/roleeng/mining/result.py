"""What a mining run returns: roles named with the assignment's own tokens, how good they are, and a check.

The JSON form is the one the ``habpps roles mine`` command writes::

    {"roles": [{"id": "R1", "permissions": [...], "users": [...]}, ...],
     "optimal": bool, "lower_bound": int, "seconds": float}

exactly the keys the issue fixes (outside checks read it); the weighted structural complexity is reported on
stderr and available as ``MiningResult.complexity``.

``optimal`` is true only when the lower bound reached equals the number of roles, i.e. when minimality is proven.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from habpps.roleeng.mining.upa import UserPermissionAssignment


@dataclass(frozen=True)
class MinedRole:
    """A mined role: the permissions it grants and the users assigned to it, by name."""

    id: str
    permissions: tuple[str, ...]
    users: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "permissions": list(self.permissions), "users": list(self.users)}


@dataclass(frozen=True)
class StructuralComplexity:
    """Weighted structural complexity of a flat role model (Molloy et al., SACMAT 2008), all weights 1.

    WSC = |R| + |UA| + |PA| + |RH| + |DUPA|; mined roles here have no hierarchy (|RH| = 0) and every permission
    reaches its users through a role (no direct user–permission assignment, |DUPA| = 0).
    """

    roles: int
    user_assignments: int
    permission_assignments: int

    @property
    def value(self) -> int:
        return self.roles + self.user_assignments + self.permission_assignments

    def as_json(self) -> dict[str, int]:
        return {
            "value": self.value,
            "roles": self.roles,
            "user_assignments": self.user_assignments,
            "permission_assignments": self.permission_assignments,
            "hierarchy_edges": 0,
            "direct_assignments": 0,
        }


@dataclass(frozen=True)
class MiningResult:
    """Roles whose composition equals the assignment, with the proof status of their number."""

    roles: tuple[MinedRole, ...]
    optimal: bool
    lower_bound: int
    seconds: float
    notes: tuple[str, ...] = field(default=())

    @property
    def complexity(self) -> StructuralComplexity:
        return StructuralComplexity(
            roles=len(self.roles),
            user_assignments=sum(len(r.users) for r in self.roles),
            permission_assignments=sum(len(r.permissions) for r in self.roles),
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "roles": [role.as_json() for role in self.roles],
            "optimal": self.optimal,
            "lower_bound": self.lower_bound,
            "seconds": round(self.seconds, 3),
        }


def composition_errors(upa: UserPermissionAssignment, roles: tuple[MinedRole, ...], limit: int = 10) -> list[str]:
    """How the roles' composition differs from the assignment (empty when it is exact), in French.

    A user must receive through their roles exactly the permissions they hold: none missing, none extra.
    """
    held = {user: {upa.permissions[p] for p in row} for user, row in zip(upa.users, upa.user_permissions, strict=True)}
    granted: dict[str, set[str]] = {user: set() for user in upa.users}
    errors: list[str] = []
    for role in roles:
        for user in role.users:
            if user not in granted:
                errors.append(f"le rôle {role.id} est attribué à un utilisateur inconnu : {user}")
                continue
            granted[user].update(role.permissions)
    for user, permissions in held.items():
        missing, extra = permissions - granted[user], granted[user] - permissions
        if missing:
            errors.append(f"{user} ne reçoit pas {sorted(missing)[:5]}")
        if extra:
            errors.append(f"{user} reçoit en trop {sorted(extra)[:5]}")
        if len(errors) >= limit:
            break
    return errors[:limit]
