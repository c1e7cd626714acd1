"""``Cache-Control: no-store`` on whatever a signed-in person receives and on the whole API (finding 8).

Account pages, journal CSV exports and API lists carry personal data: a shared or browser cache must not keep
them. Every answer to a request made with a session of a signed-in person, and every API answer, gets
``Cache-Control: no-store, private`` unless the view set its own (``never_cache`` already says more). Static
files are served before this middleware (WhiteNoise) and keep their long cache lifetime.
"""

from __future__ import annotations

from django.http import HttpRequest

from habpps.http.answers import is_api


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        response = self.get_response(request)
        if response.has_header("Cache-Control") and "no-store" in response["Cache-Control"]:
            return response
        user = getattr(request, "user", None)
        if is_api(request) or (user is not None and user.is_authenticated):
            response["Cache-Control"] = "no-store, private"
        return response
