"""Today's date in the platform's time zone, in one place so that tests can fix the calendar."""

from __future__ import annotations

from datetime import date

from django.utils import timezone


def today() -> date:
    return timezone.localdate()
