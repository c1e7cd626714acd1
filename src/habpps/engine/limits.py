"""Daily ceilings of action limits (ENG-8, CDP-9): the counter port and the one function that consumes it.

A snapshot knows each subject's limits but keeps no counter (decisions stay without I/O). Counting lives behind
the `ActionCounter` port: `InMemoryActionCounter` here (one process, tests), and on the Django side an adapter
whose ``consume`` is one conditional ``UPDATE … WHERE count + amount <= limit`` so that concurrent workers never
exceed the ceiling.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from habpps.engine.scoping import ActionLimits


class ActionCounter(Protocol):
    """Per (user, action, day) counters."""

    def consume(self, user: str, action: str, day: date, amount: int, limit: int | None) -> int | None:
        """Add ``amount`` and return the new count, atomically — unless that would exceed ``limit``
        (None: no limit): then change nothing and return None."""
        ...

    def count(self, user: str, action: str, day: date) -> int:
        """The count so far (0 when none)."""
        ...


class InMemoryActionCounter:
    """A thread-safe `ActionCounter` for one process."""

    def __init__(self) -> None:
        self._counts: dict[tuple[str, str, date], int] = {}
        self._lock = threading.Lock()

    def consume(self, user: str, action: str, day: date, amount: int, limit: int | None) -> int | None:
        key = (user, action, day)
        with self._lock:
            new = self._counts.get(key, 0) + amount
            if limit is not None and new > limit:
                return None
            self._counts[key] = new
            return new

    def count(self, user: str, action: str, day: date) -> int:
        with self._lock:
            return self._counts.get((user, action, day), 0)


@dataclass(frozen=True)
class DailyDecision:
    """Whether one more execution of the action fits in today's ceiling, and the count after it."""

    allowed: bool
    count: int
    limit: int | None
    message: str

    def __bool__(self) -> bool:
        return self.allowed


def consume_daily(limits: ActionLimits | None, counter: ActionCounter, user: str, action: str, now: datetime,
                  amount: int = 1) -> DailyDecision:
    """Count ``amount`` executions of ``action`` by ``user`` today, refusing (and counting nothing) beyond
    ``limits.max_per_day``."""
    limit = limits.max_per_day if limits else None
    day = now.date()
    new = counter.consume(user, action, day, amount, limit)
    if new is None:
        current = counter.count(user, action, day)
        return DailyDecision(False, current, limit, f"Plafond quotidien atteint pour « {action} » : {current} sur "
                                                    f"{limit} aujourd'hui.")
    return DailyDecision(True, new, limit, f"« {action} » : {new}" + (f" sur {limit}" if limit else "")
                         + " aujourd'hui.")
