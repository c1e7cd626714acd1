"""The time decisions are taken at (ENG-5): one function, so that tests move it (``monkeypatch.setattr(clock,
"now", …)``) and watch a time-bound access end without waiting. Call it as ``clock.now()``."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone


def now() -> datetime:
    """The current aware datetime."""
    return timezone.now()
