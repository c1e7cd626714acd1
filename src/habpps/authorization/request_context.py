"""The request context of every decision (ENG-5): the time and the client's address, as the engine reads them.

Temporal constraints (time-bound access) and contextual constraints (hours, networks) are evaluated by the
engine at decision time with the context the caller passes. Pages and the API decide through
``habpps.authorization.decisions``, which asks ``decision_context()`` here: the current time from the decision
clock (``habpps.authorization.clock``, which tests move), in the platform's time zone, and the client address
the accounts app's middleware (``habpps.accounts.client.ClientAddressMiddleware``) recorded for the request
being served. Outside a request (commands, jobs) there is no address, and a
condition on it fails: the policy is closed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from django.utils import timezone

from habpps.authorization import clock

current_client_ip: ContextVar[str | None] = ContextVar("habpps_client_ip", default=None)


def decision_now() -> datetime:
    """Now, in the platform's time zone, as the engine compares it with dates and daily hours."""
    return timezone.localtime(clock.now()).replace(tzinfo=None)


def decision_context(**extra: Any) -> dict[str, Any]:
    """The context of a decision taken now, for the request being served (if any)."""
    context: dict[str, Any] = {"now": decision_now()}
    client_ip = current_client_ip.get()
    if client_ip:
        context["client_ip"] = client_ip
    context.update(extra)
    return context


@contextmanager
def client_ip_context(client_ip: str | None) -> Iterator[None]:
    token = current_client_ip.set(client_ip)
    try:
        yield
    finally:
        current_client_ip.reset(token)
