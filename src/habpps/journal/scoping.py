"""Who may audit the journal, and which part of it: the viewer's scope (AUD-4, scoped like the dashboards).

A scope is a path of organisation units from the root — ``national``, ``national/fund:7``,
``national/fund:7/partner:42`` — and an entry is visible when its ``org_scope`` is that path or lies under it.
The national scope sees every entry, including those without an organisation (a failed login for an unknown
identifier, for instance).
"""

from __future__ import annotations

import re
from typing import Any

NATIONAL_SCOPE = "national"
_SCOPE = re.compile(rf"{NATIONAL_SCOPE}(?:/[a-z_]+:[A-Za-z0-9_-]+)*")


def journal_scope_for(account: Any) -> str | None:
    """The journal scope ``account`` may search and export, or ``None`` if it may not audit the journal.

    The right to audit is the engine's decision on the directory permission ``consulter journal``
    (:data:`habpps.authorization.permissions.VIEW_JOURNAL`) in the account's own organisation unit, so it follows
    the roles an administrator grants and is never inferred from a role name. The scope is the account's
    attachment: the national body, its fund, or its partner organisation (``Account.org_scope``). An account
    that is anonymous, suspended or removed, or whose organisation is no longer in force, has no scope.
    """
    if account is None or not getattr(account, "is_authenticated", False) or not account.is_active:
        return None
    # Imported here: the directory's decision layer pulls in the engine and the compiled policy cache.
    from habpps.authorization.decisions import is_allowed
    from habpps.authorization.permissions import VIEW_JOURNAL

    if not is_allowed(account, VIEW_JOURNAL.operation, VIEW_JOURNAL.obj):
        return None
    return account.org_scope


def scope_contains(scope: str, org_scope: str) -> bool:
    """Whether an entry of ``org_scope`` lies within ``scope`` (the same test as the query filter)."""
    return scope == NATIONAL_SCOPE or org_scope == scope or org_scope.startswith(f"{scope}/")


def is_valid_scope(scope: str) -> bool:
    """Whether ``scope`` is a path like ``national/fund:7/partner:42``."""
    return bool(_SCOPE.fullmatch(scope))
