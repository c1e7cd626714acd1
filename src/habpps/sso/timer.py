"""Sign-ins that end without a request: each server process checks them every minute (no cron needed).

An idle person's Habpps session times out without any request that would end it, and a time-bound profile
ends by the clock; ``signins.sweep`` finds those sign-ins and tells their services (back-channel logout). The
timer runs it in every server process (started by ``habpps.wsgi``); ``habpps sso sweep`` does the same by hand.
Two processes sweeping at once is harmless: a sign-in is ended once (the second finds it ended).
"""

from __future__ import annotations

import logging
import threading

from django.db import close_old_connections, transaction

logger = logging.getLogger(__name__)
SWEEP_SECONDS = 60


def _timer() -> None:
    from habpps.sso.models import SignIn
    from habpps.sso.signins import sweep

    while not threading.Event().wait(SWEEP_SECONDS):
        try:
            close_old_connections()
            if SignIn.objects.filter(ended_at__isnull=True).exists():
                with transaction.atomic():
                    sweep()
        except Exception:  # a failed sweep is retried at the next tick; the server keeps serving
            logger.exception("vérification des connexions aux services en échec")
        finally:
            close_old_connections()


def start_sweep_timer() -> threading.Thread:
    thread = threading.Thread(target=_timer, name="habpps-sso-sweep", daemon=True)
    thread.start()
    return thread
