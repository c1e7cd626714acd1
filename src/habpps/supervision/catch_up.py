"""The aggregation runs by itself: nobody should have to type a command for the dashboards to be filled.

Two triggers, both calling :func:`catch_up`, which aggregates the finished days not yet aggregated (normally
yesterday alone), journals the run like the ``habpps supervision aggregate`` command does, then runs the alerts
(findings and their mails, like ``habpps alerts``) on the new figures:

* the supervision pages call it before reading the aggregates, so the first dashboard opened after midnight
  folds the day that just ended (one day of journal: a fraction of a second);
* each server process runs a timer thread (:func:`start_aggregation_timer`, started by ``habpps.wsgi``) that
  catches up every hour, so the aggregates are ready even on a day nobody opens a dashboard.

Today's figures are live: the supervision pages also fold the day in progress (:func:`refresh_today`, at
most once a minute per process) into today's rows, which the job replaces once the day is over.

Concurrent runs are harmless (the aggregation rewrites the days it folds in one transaction), but pointless:
a process-wide lock makes a second caller return at once instead of waiting.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from django.utils import timezone

_running = threading.Lock()
TIMER_SECONDS = 3600


def is_behind() -> bool:
    from habpps.supervision.models import AggregationState

    last_day = AggregationState.objects.values_list("last_day", flat=True).first()
    return last_day is None or last_day < timezone.localdate() - timedelta(days=1)


def catch_up() -> int:
    """Aggregate the finished days not aggregated yet; returns how many days were folded (0 if up to date)."""
    from habpps.journal.services import record_event
    from habpps.supervision import events
    from habpps.supervision.aggregation import aggregate
    from habpps.supervision.alerts import run_alerts

    if not is_behind() or not _running.acquire(blocking=False):
        return 0
    try:
        report = aggregate()
        if report.days:
            record_event(
                events.AGGREGATION_RUN, org_scope="national", target="supervision", data=report.as_json()
            )
            run_alerts()  # the day's findings and their mails follow the figures they are read from
        return report.days
    finally:
        _running.release()


LIVE_SECONDS = 60
"""Today's figures are refreshed at most this often per server process (each refresh reads today's journal)."""
_live_at: float | None = None


def refresh_today() -> bool:
    """Fold today's journal so far into the dashboards (at most once a minute per process); True if it ran."""
    global _live_at
    from habpps.supervision.aggregation import aggregate_today

    now = time.monotonic()
    if _live_at is not None and now - _live_at < LIVE_SECONDS:
        return False
    if not _running.acquire(blocking=False):
        return False
    try:
        aggregate_today()
        _live_at = time.monotonic()
        return True
    finally:
        _running.release()


def start_aggregation_timer() -> threading.Event | None:
    """Catch up every hour in this server process (``habpps.periodic``)."""
    from habpps.periodic import start_periodic

    return start_periodic("habpps-aggregation", TIMER_SECONDS, catch_up, "agrégation de la supervision en échec")
