"""The request id of the work in progress, shared by the middleware and ``record_event`` via a contextvar.

A context variable rather than a thread-local so that it also follows async views and tasks, and so that
nested work (a command run inside a request) can set its own id and restore the outer one.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

REQUEST_ID_MAX_LENGTH = 64
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")

current_request_id: ContextVar[str | None] = ContextVar("habpps_journal_request_id", default=None)
current_request_path: ContextVar[str | None] = ContextVar("habpps_journal_request_path", default=None)
"""The path of the request in progress (None outside a request: a command, a job): the journal of refusals says
whether a refusal was answered by a page, the API or the system."""


def is_sane_request_id(value: str) -> bool:
    """Whether an incoming ``X-Request-ID`` may be trusted as is: short, printable, no separators to inject."""
    return bool(_SANE_REQUEST_ID.match(value))


def new_request_id() -> str:
    """A fresh request id (UUID4, 32 hex digits)."""
    return uuid.uuid4().hex


@contextmanager
def request_id_context(request_id: str) -> Iterator[str]:
    """Make ``request_id`` the current request id for the duration of the block."""
    token = current_request_id.set(request_id)
    try:
        yield request_id
    finally:
        current_request_id.reset(token)
