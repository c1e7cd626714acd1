"""A refused administrative action that escaped its view is a 404, as the pages answer it (ADM-2), never a 500.

Views catch ``AccessRefused`` where they call a service (``run_action``); the red team found an action that did
not (a partner administrator amending a convention). This middleware is the net under every view.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest

from habpps.authorization.decisions import AccessRefused


class AccessRefusedMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if isinstance(exception, AccessRefused):
            raise Http404 from exception
        return None
