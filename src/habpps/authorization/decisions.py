"""Decisions for the web layer: may this account do this operation on this object, in this unit?

Every page, menu entry and administrative action asks here, and here only asks the compiled snapshot (ENG-11):
no role name is ever tested in a view or a template.
"""

from __future__ import annotations

from django.http import Http404

from habpps.authorization.policy_cache import current_policy
from habpps.authorization.request_context import decision_context
from habpps.engine import RBACError


def is_allowed(account, operation: str, obj: str, org: str | None = None) -> bool:
    """Whether ``account`` holds ``(operation, obj)`` in unit ``org`` (default: the account's own unit).

    A decision about an unknown login or unit is a refusal, like any other: the policy is closed. In a web
    session, only the roles the person activated decide (``account.active_roles``, `habpps.authorization.sessions`).
    """
    if account is None or not account.is_authenticated or not account.is_active:
        return False
    try:
        return bool(
            current_policy().snapshot.check(
                account.login, operation, obj, org=org or account.org_unit, active_roles=active_roles(account),
                context=decision_context()
            )
        )
    except RBACError:
        return False


def explain(account, operation: str, obj: str, org: str | None = None):
    """The engine's explanation (ENG-9) of the decision ``is_allowed`` takes."""
    return current_policy().snapshot.explain(
        account.login, operation, obj, org=org or account.org_unit, active_roles=active_roles(account), context=decision_context()
    )


def active_roles(account) -> frozenset[str] | None:
    """The roles active in the account's web session (None: all its authorised roles, outside a session)."""
    return getattr(account, "active_roles", None)


def require(account, operation: str, obj: str, org: str | None = None) -> None:
    """Refuse with a 404: a viewer outside the scope must not even learn that the object exists."""
    if not is_allowed(account, operation, obj, org):
        raise Http404


class AccessRefused(Exception):
    """An administrative action the actor may not perform; views turn it into a 404."""

    def __init__(self, operation: str, obj: str, org: str | None) -> None:
        super().__init__(f"Accès refusé : {operation} {obj} dans {org}")
        self.operation, self.obj, self.org = operation, obj, org


def authorize(actor, operation: str, obj: str, org: str | None = None) -> None:
    """Service-layer guard: raise ``AccessRefused`` unless ``actor`` may act (``actor=None`` is the system)."""
    if actor is None:
        return
    if not is_allowed(actor, operation, obj, org):
        raise AccessRefused(operation, obj, org)
