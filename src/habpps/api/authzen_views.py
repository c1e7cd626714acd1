"""AuthZEN 1.0 on the platform itself: ``/access/v1/evaluation``, ``/access/v1/evaluations`` and
``/.well-known/authzen-configuration`` (API-1).

The same code as the lean decision server (``habpps.pdp.app``) with the platform's source (database snapshot,
service tokens, journal of refusals): a Django view hands the request to that WSGI application, so a service gets
the same answers from the platform's pages processes as from ``habpps serve --decisions``.
"""

from __future__ import annotations

import io

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from habpps.pdp.app import make_app
from habpps.pdp.platform_source import PlatformSource

_application = make_app(PlatformSource())


@csrf_exempt  # services authenticate with a bearer token, never a cookie: nothing for a forged form to ride on
def authzen(request: HttpRequest) -> HttpResponse:
    environ = {**request.META, "PATH_INFO": request.path_info, "wsgi.input": io.BytesIO(request.body),
               "CONTENT_LENGTH": str(len(request.body))}
    seen: dict = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        seen["status"], seen["headers"] = int(status.split()[0]), headers

    body = b"".join(_application(environ, start_response))
    response = HttpResponse(body, status=seen["status"])
    for name, value in seen["headers"]:
        if name == "X-Request-ID":
            request.request_id = value  # AuthZEN: the caller's id comes back as given (the middleware echoes it)
        elif name != "Content-Length":
            response[name] = value
    return response
