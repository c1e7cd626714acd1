"""Where a user–permission assignment comes from, besides a file: the engine's policy, or observed accesses.

Bottom-up role engineering (thesis 5.1) starts from what users hold (the declared policy) or from what they
actually did (accesses observed over a period). Both become the same :class:`UserPermissionAssignment` the miner
reads, a permission being named by one *token* ``operation:object`` — operations are slugs, so the first colon
always separates the two halves, and a token never holds a blank, so it can be written to a UPA file as is.

The engine side is pure: :func:`upa_from_policy` reads an :class:`~habpps.engine.RBAC` (or a policy document),
:func:`upa_from_accesses` any iterable of ``(user, (operation, object))`` pairs — the Django side reads the
journal and passes them in. :func:`declared_rights` gives the same policy in the shape of the gap analysis.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from habpps.engine import RBAC
from habpps.roleeng.gap import DeclaredRights
from habpps.roleeng.mining.upa import UserPermissionAssignment
from habpps.roleeng.model import Permission

TOKEN_SEPARATOR = ":"


class TokenError(ValueError):
    """A permission or user name that cannot be written as a UPA token (blank, or holding a blank)."""


def permission_token(permission: Permission) -> str:
    """``("consulter", "cdap.section.rsa")`` → ``"consulter:cdap.section.rsa"``."""
    operation, obj = permission
    if TOKEN_SEPARATOR in operation:
        raise TokenError(f"opération « {operation} » : le caractère « {TOKEN_SEPARATOR} » y est réservé")
    return _checked(f"{operation}{TOKEN_SEPARATOR}{obj}")


def token_permission(token: str) -> Permission | None:
    """The ``(operation, object)`` pair a token names, or None for a token of another origin (a file's
    ``P17``): the reverse of :func:`permission_token`."""
    operation, separator, obj = token.partition(TOKEN_SEPARATOR)
    if not separator or not operation or not obj:
        return None
    return (operation, obj)


def _checked(token: str) -> str:
    if not token or any(character.isspace() for character in token):
        raise TokenError(f"« {token} » ne peut pas servir de nom dans une affectation (blanc interdit)")
    return token


def _engine(policy: RBAC | Mapping[str, Any] | str) -> RBAC:
    return policy if isinstance(policy, RBAC) else RBAC.load(policy)


def policy_pairs(policy: RBAC | Mapping[str, Any] | str) -> list[tuple[str, str]]:
    """Every ``(user, permission token)`` the policy grants, through roles, groups and the hierarchy, sorted.

    The org unit of an assignment is left out: the miner looks for permission sets, and an org unit is where a
    role is held, not what it is (ENG-3).
    """
    rbac = _engine(policy)
    return sorted(
        (_checked(user), permission_token(permission))
        for user in rbac.users()
        for permission in rbac.user_permissions(user)
    )


def upa_from_policy(policy: RBAC | Mapping[str, Any] | str) -> UserPermissionAssignment:
    """The assignment a policy declares: users × (operation, object). Users holding nothing are left out."""
    return UserPermissionAssignment.from_pairs(policy_pairs(policy))


def upa_from_accesses(accesses: Iterable[tuple[str, Permission]]) -> UserPermissionAssignment:
    """The assignment observed: each ``(user, (operation, object))`` access once, whatever its count."""
    return UserPermissionAssignment.from_pairs(
        sorted({(_checked(user), permission_token(permission)) for user, permission in accesses})
    )


def used_rights(accesses: Iterable[tuple[str, Permission]]) -> dict[str, frozenset[str]]:
    """Observed accesses as the gap analysis reads them: user → permission tokens used."""
    used: dict[str, set[str]] = {}
    for user, permission in accesses:
        used.setdefault(user, set()).add(permission_token(permission))
    return {user: frozenset(tokens) for user, tokens in sorted(used.items())}


def declared_rights(policy: RBAC | Mapping[str, Any] | str) -> DeclaredRights:
    """The policy as the gap analysis reads it: each user's assigned roles (directly or through a group) and
    each role's permissions, inherited ones included, as tokens. The engine has no permission granted to a
    user outside a role, so ``direct_permissions`` is empty."""
    rbac = _engine(policy)
    return DeclaredRights(
        user_roles={user: frozenset(rbac.assigned_roles(user)) for user in sorted(rbac.users())},
        role_permissions={
            role: frozenset(permission_token(p) for p in rbac.role_permissions(role))
            for role in sorted(rbac.roles())
        },
    )
