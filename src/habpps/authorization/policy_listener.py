"""PostgreSQL LISTEN/NOTIFY for policy freshness (ENG-11): one listener thread per server process.

Every committed policy change notifies ``habpps_policy`` (``policy_log.record_change``; PostgreSQL delivers
notifications at commit only). The listener thread holds its own connection, waits for them and, on each, brings
the process's policy up to date at once — replaying the log in the background — so that the next request finds
the new snapshot already compiled instead of waiting for the version probe.

The probe stays the fallback: on SQLite (no notifications), while the listener is reconnecting (it retries with
a growing pause and catches up after each reconnection, since notifications sent meanwhile are lost), and should
a notification ever be missed. ``HABPPS_POLICY_LISTEN`` (default on) switches the listener off.
"""

from __future__ import annotations

import logging
import os
import threading

import psycopg
from django.conf import settings
from django.db import close_old_connections, connection, connections

from habpps.authorization.policy_cache import PolicyCache, policy_cache
from habpps.authorization.policy_log import NOTIFY_CHANNEL

logger = logging.getLogger(__name__)

WAIT_SECONDS = 2.0
"""How long one wait for notifications lasts before the thread checks whether it should stop."""
RETRY_SECONDS = (0.5, 1.0, 2.0, 5.0, 10.0)


def listen_connection_kwargs() -> dict:
    """psycopg connection arguments of the default database, for a connection outside Django's pool."""
    db = connections["default"].settings_dict
    kwargs = {
        "dbname": db["NAME"],
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
        "host": db.get("HOST") or None,
        "port": db.get("PORT") or None,
        "autocommit": True,
        "application_name": "habpps-policy-listener",
    }
    return {key: value for key, value in kwargs.items() if value is not None}


class PolicyListener(threading.Thread):
    """Waits for policy notifications and refreshes ``cache`` on each one."""

    def __init__(self, cache: PolicyCache) -> None:
        super().__init__(name="habpps-policy-listener", daemon=True)
        self.cache = cache
        self.connected = threading.Event()
        self.notifications = 0
        self._stopping = threading.Event()

    def stop(self) -> None:
        self._stopping.set()

    def run(self) -> None:
        failures = 0
        try:
            while not self._stopping.is_set():
                try:
                    self._listen()
                    failures = 0
                except (psycopg.Error, OSError) as error:
                    self.connected.clear()
                    pause = RETRY_SECONDS[min(failures, len(RETRY_SECONDS) - 1)]
                    failures += 1
                    logger.warning("Écoute des changements de politique interrompue (%s) ; reprise dans %s s.",
                                   error, pause)
                    self._stopping.wait(pause)
        finally:
            connection.close()

    def _listen(self) -> None:
        with psycopg.connect(**listen_connection_kwargs()) as listening:
            listening.execute(f"LISTEN {NOTIFY_CHANNEL}")
            self.connected.set()
            self._refresh()  # whatever was committed while this thread was not listening
            while not self._stopping.is_set():
                received = False
                for _notify in listening.notifies(timeout=WAIT_SECONDS, stop_after=1):
                    received = True
                if received:
                    self.notifications += 1
                    # Several commits may have been notified together: one catch-up covers them all.
                    for _notify in listening.notifies(timeout=0):
                        self.notifications += 1
                    self._refresh()

    def _refresh(self) -> None:
        close_old_connections()
        try:
            self.cache.refresh()
        except Exception:
            logger.exception("Mise à jour de la politique après notification impossible ; la sonde prendra le relais.")
            connection.close()


_listener: PolicyListener | None = None
_listener_pid: int | None = None
_start_lock = threading.Lock()


def start_policy_listener(cache: PolicyCache = policy_cache) -> PolicyListener | None:
    """Start this process's listener (once per process, after a fork too) when the database is PostgreSQL."""
    global _listener, _listener_pid
    if connection.vendor != "postgresql" or not getattr(settings, "HABPPS_POLICY_LISTEN", True):
        return None
    with _start_lock:
        if _listener is not None and _listener_pid == os.getpid() and _listener.is_alive():
            return _listener
        _listener, _listener_pid = PolicyListener(cache), os.getpid()
        _listener.start()
        return _listener
