"""Who may audit the journal, and which part of it: the viewer's scope (AUD-4, scoped like the dashboards).

A scope is a path of organisation units from the root — ``national``, ``national/fund:7``,
``national/fund:7/partner:42`` — and an entry is visible when its ``org_scope`` is that path or lies under it.
The national scope sees every entry, including those without an organisation (a failed login for an unknown
identifier, for instance).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.db.models import Q

NATIONAL_SCOPE = "national"
_SCOPE = re.compile(rf"{NATIONAL_SCOPE}(?:/[a-z_]+:[A-Za-z0-9_-]+)*")

AuditRight = Callable[[Any], bool]
_audit_right: AuditRight | None = None
AuditPopulation = Callable[[Any], Q]
_audit_population: AuditPopulation | None = None


def decide_audit_right_with(decide: AuditRight) -> None:
    """Plug in who may audit the journal: the authorization app gives the engine's decision from its ``ready``.

    The journal sits below the authorization app in the import layers (the authorization app journals the
    changes it stores), so it asks through this hook instead of importing the decisions. Until it is plugged,
    nobody may audit.
    """
    global _audit_right
    _audit_right = decide


def decide_audit_population_with(population: AuditPopulation) -> None:
    """Plug in which entries an auditor's searches return: the authorization app gives the engine's population
    of « journal » (ENG-8, `habpps.authorization.scoping`) from its ``ready``. Until it is plugged, none."""
    global _audit_population
    _audit_population = population


def journal_population(account: Any) -> Q:
    """The entries ``account`` may read, as a query filter: the engine's population of « journal » — by default
    the account's organisation and everything under it, the whole journal for the national administrator. Ask
    it only of an account `journal_scope_for` lets audit."""
    if _audit_population is None:
        return Q(pk__in=[])
    return _audit_population(account)


def journal_scope_for(account: Any) -> str | None:
    """The journal scope ``account`` may search and export, or ``None`` if it may not audit the journal.

    The right to audit is the engine's decision on the directory permission ``consulter journal``
    (:data:`habpps.authorization.permissions.VIEW_JOURNAL`) in the account's own organisation unit, plugged in by
    the authorization app (`decide_audit_right_with`), so it follows
    the roles an administrator grants and is never inferred from a role name. The scope is the account's
    attachment: the national body, its fund, or its partner organisation (``Account.org_scope``). An account
    that is anonymous, suspended or removed, or whose organisation is no longer in force, has no scope.
    """
    if account is None or not getattr(account, "is_authenticated", False) or not account.is_active:
        return None
    if _audit_right is None or not _audit_right(account):
        return None
    return account.org_scope


def scope_contains(scope: str, org_scope: str) -> bool:
    """Whether an entry of ``org_scope`` lies within ``scope`` (the same test as the query filter)."""
    return scope == NATIONAL_SCOPE or org_scope == scope or org_scope.startswith(f"{scope}/")


def is_valid_scope(scope: str) -> bool:
    """Whether ``scope`` is a path like ``national/fund:7/partner:42``."""
    return bool(_SCOPE.fullmatch(scope))
