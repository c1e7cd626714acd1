"""Import a derived role hierarchy into the RBAC engine, all-or-nothing (SPEC RE-3, ENG-10).

Each role is created, granted its *direct* permissions (those left once inherited ones are removed, 5.3.6) and
linked to its immediate juniors; the engine's ``role_permissions(role, inherited=True)`` then gives every role
exactly the permissions of its work profile. The engine's ``export()`` turns the result into a policy document.
"""

from __future__ import annotations

from typing import Any

from habpps.engine import RBAC, AlreadyExists
from habpps.roleeng.derivation import RoleHierarchy
from habpps.roleeng.model import Permission


def import_hierarchy(hierarchy: RoleHierarchy[Permission], rbac: RBAC | None = None) -> RBAC:
    """Create the hierarchy's roles, grants and inheritance edges in ``rbac`` (a new engine by default).

    Refused with ``AlreadyExists`` before any change when a role of the hierarchy already exists in ``rbac``:
    new roles have no users, so once that is checked no engine rule (cycle, SSD, cardinality) can refuse a call.
    """
    rbac = rbac if rbac is not None else RBAC()
    existing = sorted(set(hierarchy.roles) & rbac.roles())
    if existing:
        raise AlreadyExists(
            f"Import refusé : le(s) rôle(s) {', '.join(f'« {r} »' for r in existing)} existe(nt) déjà.",
            code="roles_exist",
            roles=existing,
        )
    for role in hierarchy.roles:
        rbac.add_role(role=role)
    for role in hierarchy.roles:
        for operation, obj in sorted(hierarchy.direct[role]):
            rbac.grant_permission(operation=operation, obj=obj, role=role)
    for senior, junior in hierarchy.edges():
        rbac.add_inheritance(ascendant=senior, descendant=junior)
    return rbac


def policy_document(hierarchy: RoleHierarchy[Permission]) -> dict[str, Any]:
    """The engine policy document (``RBAC.export()``) of a derived hierarchy."""
    return import_hierarchy(hierarchy).export()
