"""Today's date and the current time in the platform's time zone, in one place so that tests can fix them."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone


def today() -> date:
    return timezone.localdate()


def now() -> datetime:
    return timezone.localtime()
