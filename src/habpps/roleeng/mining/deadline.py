"""A wall-clock budget shared by every stage of a mining run, so that the run as a whole meets its time limit.

:func:`request_stop` (called by the command on Ctrl-C or SIGTERM) makes every deadline expire at once: each stage
then returns its best result so far, exactly as when time runs out, and the command writes the best cover.
"""

from __future__ import annotations

import threading
import time

_STOP = threading.Event()


def request_stop() -> None:
    """Make every deadline expire now (safe to call from a signal handler)."""
    _STOP.set()


def clear_stop() -> None:
    """Forget an earlier stop request (at the start of a new run in the same process)."""
    _STOP.clear()


def stop_requested() -> bool:
    return _STOP.is_set()


class Deadline:
    """A point in time (``time.monotonic`` clock) that stages ask about instead of each keeping its own clock."""

    def __init__(self, seconds: float, *, started: float | None = None) -> None:
        self.started = time.monotonic() if started is None else started
        self.at = self.started + seconds

    @classmethod
    def unlimited(cls) -> Deadline:
        return cls(float("inf"))

    @property
    def bounded(self) -> bool:
        """False for :meth:`unlimited` deadlines (searches without a time limit must stop by themselves)."""
        return self.at != float("inf")

    def remaining(self) -> float:
        """Seconds left, never negative; none once a stop was requested."""
        if _STOP.is_set():
            return 0.0
        return max(0.0, self.at - time.monotonic())

    def expired(self) -> bool:
        return _STOP.is_set() or time.monotonic() >= self.at

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def sooner(self, seconds: float) -> Deadline:
        """A deadline ``seconds`` before this one (a reserve kept for the stages that follow)."""
        inner = Deadline(0.0, started=self.started)
        inner.at = self.at - seconds
        return inner
