"""Shared start-up of the Django-backed sub-commands."""

from __future__ import annotations

import os


def setup_django() -> None:
    """Configure Django with the platform's settings (environment variables decide the rest) and make sure the
    run-time directory (embedded database, outbox) exists."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "habpps.settings")
    import django
    from django.conf import settings

    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
    django.setup()
