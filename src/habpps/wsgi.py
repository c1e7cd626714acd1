"""WSGI entry point for gunicorn (``gunicorn habpps.wsgi``) and ``habpps serve``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "habpps.settings")

application = get_wsgi_application()
