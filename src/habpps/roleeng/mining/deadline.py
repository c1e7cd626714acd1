"""A wall-clock budget shared by every stage of a mining run, so that the run as a whole meets its time limit."""

from __future__ import annotations

import time


class Deadline:
    """A point in time (``time.monotonic`` clock) that stages ask about instead of each keeping its own clock."""

    def __init__(self, seconds: float, *, started: float | None = None) -> None:
        self.started = time.monotonic() if started is None else started
        self.at = self.started + seconds

    @classmethod
    def unlimited(cls) -> Deadline:
        return cls(float("inf"))

    def remaining(self) -> float:
        """Seconds left, never negative."""
        return max(0.0, self.at - time.monotonic())

    def expired(self) -> bool:
        return time.monotonic() >= self.at

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def sooner(self, seconds: float) -> Deadline:
        """A deadline ``seconds`` before this one (a reserve kept for the stages that follow)."""
        inner = Deadline(0.0, started=self.started)
        inner.at = self.at - seconds
        return inner
