"""Tag every request with a request id that links its journal entries, its logs and its response.

Behind the reverse proxy the id usually arrives in ``X-Request-ID`` (nginx ``$request_id``); a sane incoming
value is kept so that one id follows the request across systems, anything else is replaced by a fresh one.
The id is echoed in the response's ``X-Request-ID`` header, so a user can quote it to the support desk.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponseBase

from .context import current_request_id, current_request_path, is_sane_request_id, new_request_id

REQUEST_HEADER = "X-Request-ID"


def request_id_for(request: HttpRequest) -> str:
    """The incoming ``X-Request-ID`` if it is sane, else a newly generated id."""
    incoming = request.headers.get(REQUEST_HEADER, "").strip()
    return incoming if is_sane_request_id(incoming) else new_request_id()


class RequestIdMiddleware:
    """Set ``request.request_id`` and the journal's current request id for the whole request."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase | Awaitable[HttpResponseBase]]):
        self.get_response = get_response
        if iscoroutinefunction(self.get_response):
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest):  # type: ignore[no-untyped-def]
        if iscoroutinefunction(self):
            return self.__acall__(request)
        request.request_id = request_id_for(request)  # type: ignore[attr-defined]
        token = current_request_id.set(request.request_id)  # type: ignore[attr-defined]
        path = current_request_path.set(request.path)
        try:
            response = self.get_response(request)
        finally:
            current_request_path.reset(path)
            current_request_id.reset(token)
        response[REQUEST_HEADER] = request.request_id  # type: ignore[attr-defined, index]
        return response

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        request.request_id = request_id_for(request)  # type: ignore[attr-defined]
        token = current_request_id.set(request.request_id)  # type: ignore[attr-defined]
        path = current_request_path.set(request.path)
        try:
            response = await self.get_response(request)  # type: ignore[misc]
        finally:
            current_request_path.reset(path)
            current_request_id.reset(token)
        response[REQUEST_HEADER] = request.request_id  # type: ignore[attr-defined]
        return response
