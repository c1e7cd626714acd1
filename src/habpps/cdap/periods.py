"""A period of consultation (CDP-5): the dates a viewer picks to see a section's history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Period:
    """Both bounds included."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise ValueError("start after end")

    def overlaps(self, start: date, end: date | None) -> bool:
        """Whether something from ``start`` to ``end`` (None: still running) touches this period."""
        return start <= self.end and (end is None or end >= self.start)

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def default_period(today: date, months: int) -> Period:
    """The ``months`` calendar months up to ``today``, this one included: what a section shows by default."""
    year, month = divmod(today.year * 12 + today.month - 1 - (months - 1), 12)
    return Period(date(year, month + 1, 1), today)
