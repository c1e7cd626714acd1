"""When the current `habpps` command started, for commands whose time budget covers the whole run.

Kept apart from `habpps.cli` so that pure-Python packages (role mining) can read it without importing the CLI.
"""

from __future__ import annotations

import time

started_at: float | None = None
"""`time.monotonic()` when `habpps.cli.main` was last entered, None outside the command."""


def mark_started() -> None:
    global started_at
    started_at = time.monotonic()


def seconds_since_start() -> float | None:
    return None if started_at is None else time.monotonic() - started_at
