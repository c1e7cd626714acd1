"""SUP-5 — how often each section of a beneficiary file was shown, filtered by profile and period."""

from __future__ import annotations

from datetime import date

from django.db.models import Sum

from habpps.supervision.aggregation import ALL_PROFILES
from habpps.supervision.models import DailySectionConsultation
from habpps.supervision.supervised import Supervised


def section_consultations(
    scope: Supervised, start: date, end: date, profile: str = ALL_PROFILES
) -> dict[str, int]:
    """Section code → times shown over [start, end] to viewers holding ``profile`` (every viewer when empty)."""
    rows = (
        DailySectionConsultation.objects.filter(
            scope.rolled_up(), profile=profile, day__gte=start, day__lte=end
        )
        .values("section")
        .annotate(total=Sum("count"))
        .order_by()
    )
    return {row["section"]: row["total"] for row in rows}
