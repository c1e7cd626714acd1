"""Settings of processes dedicated to the decision endpoint: the platform's, with a lean request path.

The decision endpoint is the hot path of the platform: every portal service asks it for every page it renders.
Its callers are services with tokens, never browsers, so the session, CSRF, authentication, locale, message,
session-policy and CSP layers the pages need do nothing for it but cost about half of its CPU. Processes started
with ``DJANGO_SETTINGS_MODULE=habpps.api.decision_settings`` serve only ``/api/v1/decisions`` and
``/api/v1/decisions/batch`` with the security headers, the request id (journal) and ``Content-Length`` kept; the reverse proxy
routes those two paths to them (``docs/deploy.md``). Everything else — policy cache, freshness probe, tokens,
journal of refusals — is the same code with the same settings.
"""

from habpps.settings import *  # noqa: F403 — the platform's settings, then the differences below

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "habpps.journal.middleware.RequestIdMiddleware",
    "habpps.http.bodies.RequestBodyLimitMiddleware",  # 413 / JSON depth before parsing (issue 18)
    "habpps.http.rate_limits.ApiRateLimitMiddleware",  # 429 per token and address (issue 18)
    "django.middleware.common.CommonMiddleware",  # sets Content-Length: keep-alive clients need no chunking
]
ROOT_URLCONF = "habpps.api.decision_urls"
