"""The network address of the person behind a request, for the throttle and the journal (AUT-2, AUT-7).

Behind the reverse proxy of the deployment every request comes from the proxy itself; the proxy appends the
address it saw to ``X-Forwarded-For``. ``HABPPS_TRUSTED_PROXY_HOPS`` says how many proxies of our own append to
that header, so the address is read that many entries from its right end — entries further left are written
by the client and never trusted.
"""

from __future__ import annotations

from django.conf import settings

from habpps.authorization.request_context import client_ip_context

ADDRESS_MAX_LENGTH = 45


def client_address(request) -> str:
    """The client's address as the outermost trusted proxy saw it, or ``REMOTE_ADDR`` without proxies."""
    if request is None:
        return ""
    remote = request.META.get("REMOTE_ADDR", "")
    hops = getattr(settings, "HABPPS_TRUSTED_PROXY_HOPS", 0)
    if hops > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= hops:
            return forwarded[-hops][:ADDRESS_MAX_LENGTH]
    return remote[:ADDRESS_MAX_LENGTH]


class ClientAddressMiddleware:
    """Records each request's client address for the decisions taken while serving it (ENG-5: a permission
    may hold only from a partner's declared network)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        with client_ip_context(client_address(request) or None):
            return self.get_response(request)
