"""SUP-4 — how many accounts hold each profile, day by day, filtered by partner, profile and period.

Read from the rolled-up daily counts of the scope's own unit (the nation, a fund, a partner): a year of a
national chart is a few hundred rows per profile.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db.models import Sum

from habpps.supervision.models import DailyHabilitationCount
from habpps.supervision.supervised import Supervised


def habilitation_series(
    scope: Supervised, start: date, end: date, roles: list[str] | None = None
) -> dict[str, list[tuple[date, int]]]:
    """Profile code → [(day, holders)] over [start, end]; a day without holders is 0 once the series started."""
    rows = DailyHabilitationCount.objects.filter(scope.rolled_up(), day__gte=start, day__lte=end)
    if roles:
        rows = rows.filter(role__in=roles)
    counts: dict[str, dict[date, int]] = defaultdict(dict)
    for row in rows.values("role", "day").annotate(total=Sum("count")).order_by("role", "day"):
        counts[row["role"]][row["day"]] = row["total"]
    days = sorted({day for by_day in counts.values() for day in by_day})
    return {
        role: [(day, by_day.get(day, 0)) for day in days if day >= min(by_day)]
        for role, by_day in sorted(counts.items())
    }


def sampled(points: list[tuple[date, int]], days: list[date]) -> list[int | None]:
    """The value of a series at each of ``days`` (the last known value on or before it)."""
    values, index, current = [], 0, None
    for day in days:
        while index < len(points) and points[index][0] <= day:
            current = points[index][1]
            index += 1
        values.append(current)
    return values
