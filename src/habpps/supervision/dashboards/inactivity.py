"""SUP-1 — active users who have not logged in for N months (N a setting, 6 by default).

Read from the accounts themselves (``last_login`` is kept by Django at each login): one indexed filter, fresh to
the minute. An account that never logged in counts from its creation.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import F, Q, QuerySet

from habpps.authorization.policy_build import accounts_in_force
from habpps.supervision.periods import months_before
from habpps.supervision.supervised import Supervised


def inactivity_cutoff(now: datetime, months: int) -> datetime:
    return months_before(now, months)


def inactive_users(scope: Supervised, cutoff: datetime) -> QuerySet:
    """Active accounts of the scope without a login since ``cutoff``, longest silent first."""
    return (
        accounts_in_force()
        .filter(scope.accounts())
        .filter(Q(last_login__lt=cutoff) | Q(last_login__isnull=True, created_at__lt=cutoff))
        .select_related("fund", "partner__fund")
        .order_by(F("last_login").asc(nulls_first=True), "created_at", "login")
    )
