"""Text the database cannot store is refused at the door, before anything reads it.

PostgreSQL text cannot hold a NUL character, and UTF-8 cannot encode a lone UTF-16 surrogate: either, sent in a
JSON string (``"\\u0000"``, ``"\\ud800"``) or a query string (``%00``), would otherwise reach a query or the
journal and fail there. Every authenticated endpoint checks the request first (from its authentication class),
so such input is a 422 problem document, never a 500.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.http import HttpRequest

from habpps.api.problems import ApiProblem

UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _holds_unstorable(value: Any) -> bool:
    if isinstance(value, str):
        return UNSTORABLE.search(value) is not None
    if isinstance(value, dict):
        return any(_holds_unstorable(k) or _holds_unstorable(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_unstorable(item) for item in value)
    return False


def refuse_unstorable_text(request: HttpRequest) -> None:
    """Raise a 422 problem if the path, the query string or the JSON body holds text the database refuses."""
    where = None
    if UNSTORABLE.search(request.path):
        where = "path"
    elif any(_holds_unstorable(values) for _key, values in request.GET.lists()) or any(
        _holds_unstorable(key) for key in request.GET
    ):
        where = "query"
    elif request.body and request.content_type == "application/json":
        try:
            body = json.loads(request.body)
        except ValueError:
            return  # unreadable: the body parser answers it with its own problem document
        if _holds_unstorable(body):
            where = "body"
    if where is not None:
        message = "Caractère non admis (caractère nul ou demi-caractère UTF-16 isolé)."
        raise ApiProblem(
            422, "donnees-invalides", message, [{"location": where, "code": "unstorable", "message": message}]
        )
