"""WSGI entry point for gunicorn (``gunicorn habpps.wsgi``) and ``habpps serve``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "habpps.settings")

application = get_wsgi_application()

# ENG-11: each server process listens for policy changes (PostgreSQL NOTIFY); the version probe is the fallback.
from habpps.authorization.policy_listener import start_policy_listener  # noqa: E402

start_policy_listener()

# The supervision's daily aggregates are folded by each server process's hourly timer (no cron needed).
from habpps.supervision.catch_up import start_aggregation_timer  # noqa: E402

start_aggregation_timer()

# Single sign-on: sign-ins whose session timed out or whose profile ended tell their services (every minute).
from habpps.sso.timer import start_sweep_timer  # noqa: E402

start_sweep_timer()

# Issue 18: queued mail (« mot de passe oublié », retries) leaves from a background thread, never in a request.
from habpps.accounts.mail_sender import start_background_sender  # noqa: E402

start_background_sender()

# ENG-5: each server process warns, once per grant, of time-bound accesses about to end.
from habpps.authorization.expiry_notices import start_expiry_notices  # noqa: E402

start_expiry_notices()
