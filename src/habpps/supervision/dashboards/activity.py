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
from habpps.supervision.models import (
    ActivityWindow,
    DailyAccountActivity,
    DailyServiceActivity,
    WindowServiceActivity,
)
from habpps.supervision.supervised import Supervised


@dataclass(frozen=True)
class RankedUser:
    account: Account
    total: int
    days: int
    last_day: date


def top_business_actions(scope: Supervised, service: str, since: date, limit: int) -> list[RankedUser]:
    """Users of the scope with the most business actions of ``service`` since ``since`` (SUP-2).

    When the job has summed this window (``WindowServiceActivity``, through its last day), the ranking reads
    those sums in their index's order and adds the days after it (today's live rows): the same ranking as
    summing the daily rows, which is done otherwise."""
    window = ActivityWindow.objects.filter(since=since).first()
    in_force = accounts_in_force().values("id")
    if window is None:
        ranking = (
            DailyServiceActivity.objects.filter(scope.rows(), service=service, day__gte=since)
            .filter(account_id__in=in_force)
            .values("account_id")
            .annotate(total=Sum("actions"), days=Count("id"), last_day=Max("day"))
            .order_by("-total", "account_id")[:limit]
        )
        return _with_accounts(ranking)
    late = {
        row["account_id"]: row
        for row in DailyServiceActivity.objects.filter(scope.rows(), service=service, day__gt=window.through)
        .filter(account_id__in=in_force)
        .values("account_id")
        .annotate(total=Sum("actions"), days=Count("id"), last_day=Max("day"))
        .order_by()
    }
    summed = WindowServiceActivity.objects.filter(scope.rows(), since=window.rows_since, service=service).filter(
        account_id__in=in_force
    )
    columns = ("account_id", "actions", "days", "last_day")
    # An account without later rows keeps its window's sum: the first ``limit`` of the final ranking are among
    # the window's first ``limit + len(late)`` and the accounts with later rows.
    rows = list(summed.order_by("-actions", "account_id").values(*columns)[: limit + len(late)])
    seen = {row["account_id"] for row in rows}
    if late:
        rows += summed.filter(account_id__in=[pk for pk in late if pk not in seen]).values(*columns)
    totals = {row["account_id"]: {**row, "total": row["actions"]} for row in rows}
    for account_id, row in late.items():
        if account_id in totals:
            current = totals[account_id]
            current["total"] += row["total"]
            current["days"] += row["days"]
            current["last_day"] = max(current["last_day"], row["last_day"])
        else:
            totals[account_id] = dict(row)
    ranking = sorted(totals.values(), key=lambda row: (-row["total"], row["account_id"]))[:limit]
    return _with_accounts(ranking)


def top_freezes(scope: Supervised, since: date, limit: int) -> list[RankedUser]:
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
