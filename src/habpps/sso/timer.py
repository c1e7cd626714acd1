"""Sign-ins that end without a request: each server process checks them every minute (no cron needed).

An idle person's Habpps session times out without any request that would end it, and a time-bound profile
ends by the clock; ``signins.sweep`` finds those sign-ins and tells their services (back-channel logout). The
timer runs it in every server process (started by ``habpps.wsgi``); ``habpps sso sweep`` does the same by hand.
Two processes sweeping at once is harmless: a sign-in is ended once (the second finds it ended).
"""

from __future__ import annotations

import threading

from django.db import transaction

from habpps.periodic import start_periodic

SWEEP_SECONDS = 60


def sweep_live_sign_ins() -> None:
    from habpps.sso.models import SignIn
    from habpps.sso.signins import sweep

    if SignIn.objects.filter(ended_at__isnull=True).exists():
        with transaction.atomic():
            sweep()


def start_sweep_timer() -> threading.Event | None:
    return start_periodic(
        "habpps-sso-sweep", SWEEP_SECONDS, sweep_live_sign_ins, "vérification des connexions aux services en échec"
    )
