"""Request ids (AUD-1): one id per request, echoed to the client and stamped on every entry it causes."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from habpps.journal.context import current_request_id
from habpps.journal.middleware import RequestIdMiddleware
from habpps.journal.services import record_event


def handle(headers: dict[str, str] | None = None, view=None):  # type: ignore[no-untyped-def]
    seen: dict[str, object] = {}

    def default_view(request):  # type: ignore[no-untyped-def]
        seen["request"] = request.request_id
        seen["context"] = current_request_id.get()
        return HttpResponse("ok")

    request = RequestFactory().get("/", headers=headers or {})
    response = RequestIdMiddleware(view or default_view)(request)
    return response, seen


def test_sane_incoming_request_id_is_kept_and_echoed():
    response, seen = handle({"X-Request-ID": "nginx-7f3a2b"})
    assert seen == {"request": "nginx-7f3a2b", "context": "nginx-7f3a2b"}
    assert response["X-Request-ID"] == "nginx-7f3a2b"


@pytest.mark.parametrize("incoming", ["", "a" * 65, "id with spaces", "id\r\nSet-Cookie: x", "-leading-dash"])
def test_dubious_incoming_request_id_is_replaced(incoming):
    response, seen = handle({"X-Request-ID": incoming} if incoming else None)
    assert seen["request"] != incoming
    assert len(seen["request"]) == 32
    assert response["X-Request-ID"] == seen["request"]


def test_request_id_is_reset_after_the_request():
    handle({"X-Request-ID": "req-1"})
    assert current_request_id.get() is None


@pytest.mark.django_db
def test_events_journaled_during_the_request_carry_its_id():
    def view(request):  # type: ignore[no-untyped-def]
        entry = record_event("access.denied", target=request.path)
        return HttpResponse(entry.request_id)

    response, _ = handle({"X-Request-ID": "req-42"}, view=view)
    assert response.content == b"req-42"


def test_async_stack_gets_the_same_request_id_handling():
    import asyncio

    seen: dict[str, object] = {}

    async def view(request):  # type: ignore[no-untyped-def]
        seen["request"], seen["context"] = request.request_id, current_request_id.get()
        return HttpResponse("ok")

    middleware = RequestIdMiddleware(view)
    request = RequestFactory().get("/", headers={"X-Request-ID": "async-1"})
    response = asyncio.run(middleware(request))
    assert seen == {"request": "async-1", "context": "async-1"}
    assert response["X-Request-ID"] == "async-1"
