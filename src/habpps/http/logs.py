"""Client errors leave a line in the logs, never a traceback (finding 3: a 113 KB traceback per bad body).

Django logs a refused request (``django.security.*``: oversized body, too many fields, bad host) and every
4xx (``django.request``) with the exception attached; an attacker could fill the logs with tracebacks at will.
This filter keeps the message and drops the traceback of those records; server errors (5xx) keep theirs.
"""

from __future__ import annotations

import logging


class NoClientTraceback(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        client_error = record.name.startswith("django.security") or (
            record.name == "django.request" and status is not None and status < 500
        )
        if client_error and record.exc_info:
            record.exc_info = None
            record.exc_text = None
        return True
