"""SUP-2 and SUP-3 — rankings over the observed period: most business actions per service, most freezes.

Both sum the daily aggregates of the period within the scope, in the database, and keep the top of the ranking;
only active users are ranked (the slides: « utilisateurs actifs »).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Max, Sum

from habpps.accounts.models import Account
from habpps.authorization.policy_build import accounts_in_force
from habpps.supervision.models import DailyAccountActivity, DailyServiceActivity
from habpps.supervision.scope import SupervisionScope


@dataclass(frozen=True)
class RankedUser:
    account: Account
    total: int
    days: int
    last_day: date


def top_business_actions(scope: SupervisionScope, service: str, since: date, limit: int) -> list[RankedUser]:
    """Users of the scope with the most business actions of ``service`` since ``since`` (SUP-2)."""
    ranking = (
        DailyServiceActivity.objects.filter(scope.rows(), service=service, day__gte=since)
        .filter(account_id__in=accounts_in_force().values("id"))
        .values("account_id")
        .annotate(total=Sum("actions"), days=Count("id"), last_day=Max("day"))
        .order_by("-total", "account_id")[:limit]
    )
    return _with_accounts(ranking)


def top_freezes(scope: SupervisionScope, since: date, limit: int) -> list[RankedUser]:
    """Users of the scope whose account was frozen most often since ``since`` (SUP-3)."""
    ranking = (
        DailyAccountActivity.objects.filter(scope.rows(), day__gte=since, freezes__gt=0)
        .filter(account_id__in=accounts_in_force().values("id"))
        .values("account_id")
        .annotate(total=Sum("freezes"), days=Count("id"), last_day=Max("day"))
        .order_by("-total", "account_id")[:limit]
    )
    return _with_accounts(ranking)


def _with_accounts(ranking) -> list[RankedUser]:
    rows = list(ranking)
    accounts = Account.objects.select_related("fund", "partner__fund").in_bulk(
        [row["account_id"] for row in rows]
    )
    return [
        RankedUser(accounts[row["account_id"]], row["total"], row["days"], row["last_day"])
        for row in rows
        if row["account_id"] in accounts
    ]
