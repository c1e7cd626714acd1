"""WSGI entry point of ``habpps serve --decisions`` (gunicorn ``habpps.pdp.db_app:application``).

Django is set up with the decision processes' settings (``habpps.api.decision_settings``: the platform's, lean
middleware) for the models, the policy cache and the journal; requests never go through Django's handler.
Each worker listens for policy changes (PostgreSQL NOTIFY) like the platform's processes; the version probe
is the fallback.
"""

from __future__ import annotations

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "habpps.api.decision_settings")
django.setup()

from habpps.authorization.policy_listener import start_policy_listener  # noqa: E402
from habpps.pdp.app import make_app  # noqa: E402
from habpps.pdp.platform_source import PlatformSource  # noqa: E402

application = make_app(PlatformSource())
start_policy_listener()
