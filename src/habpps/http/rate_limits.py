"""Rate limits of the API per token and per network address (API-1, red-team finding 5).

300 calls with one valid token went through in 1.9 s. Each API request now counts against fixed windows of
``HABPPS_API_RATE_WINDOW_SECONDS``:

- per credential: ``HABPPS_API_RATE_PER_TOKEN`` for a personal token or a browser session,
  ``HABPPS_API_RATE_PER_SERVICE_TOKEN`` for a registered service's token (the portal's decision traffic);
- per client address (``habpps.accounts.client``, proxy-aware): ``HABPPS_API_RATE_PER_ADDRESS`` for every request
  that does not carry a recognised service token — made-up tokens, anonymous calls and people's tools alike.

Over a figure the request is refused with ``429`` and ``Retry-After`` (seconds until the window ends), before
any authentication query or view runs. Counters live in the process (a dict behind a lock: no database write per
call, no extra service); with several worker processes each counts its own share, so the effective ceiling of a
credential is at most the figure times the workers — size the figures accordingly (``docs/security.md``).
:func:`rate_refusal` is the cheap function other entry points (the decision server) call.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from habpps.http.answers import is_api, refusal

DEFAULTS = {
    "HABPPS_API_RATE_WINDOW_SECONDS": 60,
    "HABPPS_API_RATE_PER_TOKEN": 120,
    "HABPPS_API_RATE_PER_SERVICE_TOKEN": 12000,
    "HABPPS_API_RATE_PER_ADDRESS": 300,
}
MAX_KEYS = 50_000


def figure(name: str) -> int:
    return int(getattr(settings, name, DEFAULTS[name]))


class FixedWindows:
    """Counts per key in fixed windows; thread-safe, bounded in memory."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[int, int]] = {}

    def hit(self, key: str, limit: int, window: int, now: float | None = None) -> float | None:
        """Count one call of ``key``; None when within ``limit``, else the seconds until the window ends."""
        now = time.time() if now is None else now
        current = int(now // window)
        with self._lock:
            started, count = self._counts.get(key, (current, 0))
            if started != current:
                count = 0
            count += 1
            if len(self._counts) >= MAX_KEYS and key not in self._counts:
                self._counts = {k: v for k, v in self._counts.items() if v[0] == current}
            self._counts[key] = (current, count)
        if count <= limit:
            return None
        return (current + 1) * window - now

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()


_windows = FixedWindows()


def forget_counts() -> None:
    """Start every count afresh (tests, or an operator raising the figures)."""
    _windows.clear()


def _bearer(request: HttpRequest) -> str:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _sep, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def rate_refusal(request: HttpRequest) -> HttpResponse | None:
    """The 429 answer when this API request exceeds a figure; None otherwise (one dict update per counter)."""
    from habpps.accounts.client import client_address
    from habpps.api.models import TokenKind
    from habpps.api.tokens import recognise

    window = figure("HABPPS_API_RATE_WINDOW_SECONDS")
    token = _bearer(request)
    caller = recognise(token) if token else None
    waits = []
    if caller is not None:
        service = caller.kind == TokenKind.SERVICE
        limit = figure("HABPPS_API_RATE_PER_SERVICE_TOKEN" if service else "HABPPS_API_RATE_PER_TOKEN")
        waits.append(_windows.hit(f"token:{caller.token_id}", limit, window))
    else:
        service = False
        session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME, "")
        if session_key and not token:
            digest = hashlib.sha256(session_key.encode()).hexdigest()[:32]
            waits.append(_windows.hit(f"session:{digest}", figure("HABPPS_API_RATE_PER_TOKEN"), window))
    if not service:
        address = client_address(request) or "?"
        waits.append(_windows.hit(f"address:{address}", figure("HABPPS_API_RATE_PER_ADDRESS"), window))
    wait = max((w for w in waits if w is not None), default=None)
    if wait is None:
        return None
    seconds = max(1, math.ceil(wait))
    response = refusal(
        request,
        429,
        "trop-de-requetes",
        _("Trop de requêtes en peu de temps : réessayez dans %(seconds)s seconde(s).") % {"seconds": seconds},
    )
    response["Retry-After"] = str(seconds)
    return response


class ApiRateLimitMiddleware:
    """Applies :func:`rate_refusal` to every request under ``/api/``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if is_api(request):
            refused = rate_refusal(request)
            if refused is not None:
                return refused
        return self.get_response(request)
