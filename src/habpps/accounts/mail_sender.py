"""The background sender of the durable outbox: mail leaves by itself, never inside a request (issue 18).

Each web process runs one daemon thread (started with the WSGI application, and on the first mail queued) that
sends what is due in the outbox (``outbox.retry_due``) as soon as a request queues a mail — woken after its
transaction commits — and every ``HABPPS_MAIL_SENDER_SECONDS`` for the retries a down mail server left behind.
``habpps mail retry`` (cron) stays the fallback and the way to send from a process without a web server.
Several processes may run a sender: each queued mail is sent once (row lock in ``outbox``).

``HABPPS_MAIL_SENDER``: ``thread`` (default) or ``off`` (cron only; the tests, which call ``retry_due``).
"""

from __future__ import annotations

import logging
import os
import threading

from django.conf import settings
from django.db import OperationalError, close_old_connections, connection

logger = logging.getLogger(__name__)

THREAD = "thread"


def enabled() -> bool:
    value = getattr(settings, "HABPPS_MAIL_SENDER", None) or os.environ.get("HABPPS_MAIL_SENDER", THREAD)
    return value == THREAD


class BackgroundSender:
    def __init__(self) -> None:
        self.pid = os.getpid()
        self._wake = threading.Event()
        self._stopped = threading.Event()
        self.passes = 0
        self._thread = threading.Thread(target=self._run, name="habpps-courriels", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        """End the thread after its current pass (tests; a process exiting simply leaves the daemon)."""
        self._stopped.set()
        self._wake.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        from habpps.accounts.outbox import retry_due

        period = float(getattr(settings, "HABPPS_MAIL_SENDER_SECONDS", 30))
        timeout, backoff = period, min(period, 2.0)
        while True:
            self._wake.wait(timeout=timeout)
            self._wake.clear()
            if self._stopped.is_set():
                return
            try:
                close_old_connections()
                retry_due()
                timeout, backoff = period, min(period, 2.0)
            except OperationalError as error:
                # SQLite busy with a long write (a demo being seeded, a restore) or the server away: nothing is
                # lost, the mail stays queued; try again soon (2 s, doubling up to the period), in one line.
                logger.warning("Envoi des courriels reporté : base de données indisponible (%s)", error)
                timeout, backoff = backoff, min(period, backoff * 2)
            except Exception:  # the database or the mail server is away: the next pass tries again
                logger.exception("Envoi des courriels en attente en échec ; nouvel essai plus tard")
            finally:
                self.passes += 1
                connection.close()


_current: BackgroundSender | None = None
_lock = threading.Lock()


def start_background_sender() -> BackgroundSender | None:
    """This process's sender (a forked worker starts its own); None when the sender is off."""
    global _current
    if not enabled():
        return None
    with _lock:
        if _current is None or _current.pid != os.getpid():
            _current = BackgroundSender()
        return _current


def wake_sender() -> None:
    """Ask the sender to send what is due now (called once the queuing transaction has committed)."""
    sender = start_background_sender()
    if sender is not None:
        sender.wake()
