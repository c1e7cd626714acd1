"""Journalling the engine's refusals — the decision endpoint's and the pages' — without putting the journal on
the decision's path.

The journal is one hash chain: every append locks its head, so appends are serialised across all processes
and cost a few database round trips each. Written from the request, a refusal would cost the caller those round
trips and cap the whole platform's refusal rate at the chain's append rate. So by default (``deferred``) a
process hands its refusals to one background writer that appends them in order, many per transaction, and the
decision is answered at once; the request id is captured on submission, so each entry still names its request.

The price is explicit: refusals submitted but not yet written are lost if the process is killed outright
(a normal or graceful stop writes them first, at exit). The queue is bounded: when the journal cannot keep up,
requests wait for room rather than refusals being dropped. ``HABPPS_API_DENIAL_JOURNAL = "immediate"`` (setting
or environment variable) writes each refusal inside its request instead.

Floods are aggregated (red-team finding 5: 2,000 bogus decisions in 0.13 s gave 2,000 rows). Within a window of
``HABPPS_API_DENIAL_FLOOD_WINDOW_SECONDS``, a service's refusal identical to one already written (same user,
operation, object, unit) is only counted, and past ``HABPPS_API_DENIAL_FLOOD_CAP`` distinct refusals of one
service every further one is counted too; once the window is over (at the service's next refusal, at
:func:`flush` or at exit) one ``access.decision.denied.flood`` entry records how many were folded, with samples.
"""

from __future__ import annotations

import atexit
import logging
import os
import queue
import threading
import time
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection, transaction

from habpps.journal.context import current_request_id
from habpps.journal.exceptions import InvalidEvent
from habpps.journal.services import record_event

logger = logging.getLogger(__name__)

IMMEDIATE = "immediate"
DEFERRED = "deferred"
QUEUE_LIMIT = 50_000
BATCH_LIMIT = 500


def mode() -> str:
    value = getattr(settings, "HABPPS_API_DENIAL_JOURNAL", None) or os.environ.get(
        "HABPPS_API_DENIAL_JOURNAL", DEFERRED
    )
    return IMMEDIATE if value == IMMEDIATE else DEFERRED


FLOOD_KIND = "access.decision.denied.flood"
SAMPLES = 10


class _Window:
    def __init__(self, service: str, index: int, started: float) -> None:
        self.service, self.index, self.started = service, index, started
        self.seen: set[tuple] = set()
        self.written = 0
        self.repeated = 0
        self.over_cap = 0
        self.samples: list[dict[str, Any]] = []

    def summary(self, ended: float) -> dict[str, Any]:
        return {
            "kind": FLOOD_KIND,
            "org_scope": "national",
            "target": f"service:{self.service}"[:255],
            "data": {
                "service": self.service,
                "from": datetime.fromtimestamp(self.started, UTC).isoformat(timespec="seconds"),
                "to": datetime.fromtimestamp(ended, UTC).isoformat(timespec="seconds"),
                "written": self.written,
                "folded": self.repeated + self.over_cap,
                "repeated": self.repeated,
                "over_cap": self.over_cap,
                "samples": self.samples,
            },
        }


class FloodGate:
    """Decides which refusals are written one by one and which are folded into a window's summary."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._windows: dict[str, _Window] = {}

    def admit(self, events: list[dict[str, Any]], now: float | None = None) -> list[dict[str, Any]]:
        """The events to write now: the admitted refusals, preceded by the summaries of windows just over."""
        now = time.time() if now is None else now
        seconds = max(1, int(getattr(settings, "HABPPS_API_DENIAL_FLOOD_WINDOW_SECONDS", 60)))
        cap = int(getattr(settings, "HABPPS_API_DENIAL_FLOOD_CAP", 200))
        index = int(now // seconds)
        out: list[dict[str, Any]] = []
        with self._lock:
            for event in events:
                data = event.get("data") or {}
                service = str(data.get("service", ""))
                window = self._windows.get(service)
                if window is None or window.index != index:
                    if window is not None and (window.repeated or window.over_cap):
                        out.append(window.summary(now))
                    window = self._windows[service] = _Window(service, index, now)
                key = (data.get("user"), data.get("operation"), data.get("object"), data.get("org"))
                if key in window.seen:
                    window.repeated += 1
                elif window.written >= cap:
                    window.over_cap += 1
                else:
                    window.seen.add(key)
                    window.written += 1
                    out.append(event)
                    continue
                if len(window.samples) < SAMPLES:
                    window.samples.append({name: data.get(name) for name in ("user", "operation", "object")})
        return out

    def close(self, now: float | None = None) -> list[dict[str, Any]]:
        """The summaries of every window still open (flush, exit); the windows start afresh."""
        now = time.time() if now is None else now
        with self._lock:
            windows, self._windows = self._windows, {}
        return [w.summary(now) for w in windows.values() if w.repeated or w.over_cap]


_gate = FloodGate()


def forget_floods() -> None:
    """Drop the open windows without writing them (tests start each from an empty journal)."""
    _gate.close()


def journal_denials(events: list[dict[str, Any]], *, immediate: bool = False) -> None:
    """Journal these refusals (``record_event`` keyword arguments), now or through the background writer.

    ``immediate``: write them in the caller's request whatever the mode — a page's refusal, answered to one
    person, is not on a service's high-rate decision path; floods are still aggregated."""
    request_id = current_request_id.get() or ""
    events = _gate.admit([{**event, "request_id": request_id} for event in events])
    if not events:
        return
    if immediate:
        _write(events)
    else:
        _dispatch(events)


def _dispatch(events: list[dict[str, Any]]) -> None:
    if mode() == IMMEDIATE:
        _write(events)
    else:
        _writer().submit(events)


def flush(timeout: float = 30.0) -> bool:
    """Write the open flood summaries, then wait until every submitted refusal is written; False if the
    writer did not finish in time."""
    summaries = _gate.close()
    if summaries:
        _dispatch(summaries)
    writer = _current
    return writer is None or writer.drain(timeout)


def _write(events: list[dict[str, Any]]) -> None:
    with transaction.atomic():
        for event in events:
            try:
                record_event(event.pop("kind"), **event)
            except InvalidEvent:  # refused before any write; it must not block the refusals queued behind it
                logger.exception("Refus impossible à journaliser : %r", event)


class _Writer:
    """One background thread per process appending queued refusals, oldest first."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self._queue: queue.Queue[dict[str, Any]] = queue.Queue(maxsize=QUEUE_LIMIT)
        self._thread = threading.Thread(target=self._run, name="habpps-journal-refus", daemon=True)
        self._thread.start()

    def submit(self, events: list[dict[str, Any]]) -> None:
        for event in events:
            self._queue.put(event)  # blocks when full: back-pressure, never a silent drop

    def drain(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.005)
        return not self._queue.unfinished_tasks

    def _run(self) -> None:
        while True:
            batch = [self._queue.get()]
            while len(batch) < BATCH_LIMIT:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            self._write_with_retry(batch)
            if self._queue.empty():
                # Idle: give the connection back rather than hold one per process for nothing (and let a
                # database be dropped or restarted without this thread keeping a session on it).
                connection.close()
            for _ in batch:
                self._queue.task_done()

    def _write_with_retry(self, batch: list[dict[str, Any]]) -> None:
        delay = 0.1
        while True:
            try:
                close_old_connections()
                _write([dict(event) for event in batch])
                return
            except Exception:  # the database is away: keep the refusals and try again
                logger.exception(
                    "Journalisation de %d refus en échec ; nouvel essai dans %.1f s", len(batch), delay
                )
                connection.close()
                time.sleep(delay)
                delay = min(delay * 2, 5.0)


_current: _Writer | None = None
_lock = threading.Lock()


def _writer() -> _Writer:
    """The writer of this process (a forked worker starts its own: threads do not survive a fork)."""
    global _current
    writer = _current
    if writer is not None and writer.pid == os.getpid():
        return writer
    with _lock:
        if _current is None or _current.pid != os.getpid():
            _current = _Writer()
        return _current


@atexit.register
def _flush_at_exit() -> None:
    summaries = _gate.close()
    if summaries:
        try:
            _dispatch(summaries)
        except Exception:  # the database may already be gone at exit
            logger.exception("Résumé des refus en rafale non journalisé")
    if _current is not None and _current.pid == os.getpid():
        _current.drain(timeout=10.0)
