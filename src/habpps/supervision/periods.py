"""Calendar arithmetic of the dashboards: « depuis 6 mois » is counted in calendar months, not in 30-day blocks."""

from __future__ import annotations

import calendar
from datetime import date, datetime


def months_before(moment: date | datetime, months: int):
    """The same day ``months`` calendar months earlier (clamped to the month's last day: 31 August → 28 Feb)."""
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)
