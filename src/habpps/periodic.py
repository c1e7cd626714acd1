"""Work a server process does by itself at intervals, so that no screen or runbook asks for a cron line.

Each job (the supervision's daily aggregation, notices of ending accesses, the single sign-on's sweep of
sign-ins) runs in a daemon thread of every server process started by ``habpps.wsgi``. A failed round is logged
and retried at the next one — the server keeps serving — and the thread gives back its database connection
after each round. Jobs must tolerate running in several processes at once (each says how).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from django.db import close_old_connections

logger = logging.getLogger(__name__)


def _loop(seconds: float, job: Callable[[], object], failure: str, stop: threading.Event) -> None:
    # The first round waits one interval: at start-up nothing is due yet, and a server starting under a test
    # harness must not write before it is asked anything.
    while not stop.wait(seconds):
        try:
            close_old_connections()
            job()
        except Exception:  # noqa: BLE001 - any failure is retried at the next round
            logger.exception(failure)
        finally:
            close_old_connections()


def start_periodic(name: str, seconds: float, job: Callable[[], object], failure: str) -> threading.Event | None:
    """Run ``job`` every ``seconds`` in a daemon thread named ``name``; ``seconds <= 0`` disables it.

    Returns the event that stops the thread (None when disabled). ``failure`` is the French log message of a
    failed round.
    """
    if seconds <= 0:
        return None
    stop = threading.Event()
    threading.Thread(target=_loop, args=(seconds, job, failure, stop), name=name, daemon=True).start()
    return stop
