"""CDP-9 abuse limits: a per-user daily ceiling of file lookups, and the count at which administrators are told.

Shaped like the engine's ENG-8 action limits (an action, a maximum per day, a counter port) so that it can move
onto them when they land: ``DailyCounter`` is the port, ``DatabaseDailyCounter`` its adapter. Consuming is one
conditional UPDATE, so concurrent requests of the same user can never pass the ceiling together, and exactly one
request sees the count reach the alert threshold.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import F

from habpps.cdap.models import AbuseLimits, DailyConsultationCount


@dataclass(frozen=True)
class ActionLimit:
    """At most ``max_per_day`` executions of ``action`` per subject and day; ``alert_at`` raises an alert."""

    action: str
    max_per_day: int
    alert_at: int


@dataclass(frozen=True)
class Consumption:
    """The outcome of one attempt: refused, or allowed as the ``count``-th of the day."""

    allowed: bool
    count: int
    limit: ActionLimit

    @property
    def reaches_alert(self) -> bool:
        return self.allowed and self.count == self.limit.alert_at


class DailyCounter(ABC):
    @abstractmethod
    def consume(self, subject_id: int, day: date, limit: ActionLimit) -> Consumption:
        """Count one execution unless the subject already reached the ceiling that day."""

    @abstractmethod
    def used(self, subject_id: int, day: date) -> int:
        """Executions counted so far that day."""


class DatabaseDailyCounter(DailyCounter):
    """Counters in ``DailyConsultationCount``, one row per account and day."""

    def consume(self, subject_id: int, day: date, limit: ActionLimit) -> Consumption:
        rows = DailyConsultationCount.objects.filter(account_id=subject_id, day=day)
        with transaction.atomic():
            if rows.filter(count__lt=limit.max_per_day).update(count=F("count") + 1):
                return Consumption(True, rows.values_list("count", flat=True).get(), limit)
            if rows.exists():
                return Consumption(False, limit.max_per_day, limit)
            try:
                with transaction.atomic():
                    DailyConsultationCount.objects.create(account_id=subject_id, day=day, count=1)
                return Consumption(True, 1, limit)
            except IntegrityError:
                # Another request of the same user created the row first: count on it.
                if rows.filter(count__lt=limit.max_per_day).update(count=F("count") + 1):
                    return Consumption(True, rows.values_list("count", flat=True).get(), limit)
                return Consumption(False, limit.max_per_day, limit)

    def used(self, subject_id: int, day: date) -> int:
        row = DailyConsultationCount.objects.filter(account_id=subject_id, day=day).values_list(
            "count", flat=True
        )
        return row.first() or 0


LOOKUP_ACTION = "cdap.lookup"


def lookup_limit() -> ActionLimit:
    """The limit on file lookups as the national administrator set it."""
    limits = AbuseLimits.current()
    return ActionLimit(LOOKUP_ACTION, limits.daily_ceiling, limits.alert_threshold)


counter: DailyCounter = DatabaseDailyCounter()
