"""Refuse oversized bodies (413) and deeply nested JSON (400) before anything parses them.

A 400-level nested JSON body of 909 bytes made ``json.loads`` raise ``RecursionError`` deep in the API (a 500 and
a 113 KB traceback), and a body over Django's 2.5 MiB form limit raised ``RequestDataTooBig`` inside the API's
handlers (another 500). Both are client errors: this middleware answers them at the door, from the declared
``Content-Length`` when there is one and from the bytes read otherwise, and scans a JSON body's nesting with a
linear pass that never recurses. Figures are settings: ``HABPPS_MAX_BODY_BYTES`` (JSON and form bodies),
``HABPPS_MAX_UPLOAD_BYTES`` (multipart bodies carrying a scanned convention) and ``HABPPS_MAX_JSON_DEPTH``.
"""

from __future__ import annotations

import io

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from habpps.http.answers import refusal

DEFAULT_MAX_BODY = 1024 * 1024
DEFAULT_MAX_UPLOAD = 11 * 1024 * 1024
DEFAULT_MAX_DEPTH = 32


def json_depth_exceeds(body: bytes, limit: int) -> bool:
    """Whether the JSON text ``body`` nests arrays and objects deeper than ``limit`` (strings are skipped)."""
    depth = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # closing quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > limit:
                return True
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return False


def body_limit(request: HttpRequest) -> int:
    if request.content_type == "multipart/form-data":
        return int(getattr(settings, "HABPPS_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD))
    return int(getattr(settings, "HABPPS_MAX_BODY_BYTES", DEFAULT_MAX_BODY))


def _too_large(request: HttpRequest, limit: int) -> HttpResponse:
    return refusal(
        request,
        413,
        "requete-trop-volumineuse",
        _("La requête dépasse la taille admise (%(limit)s Kio) : envoyez moins de données à la fois.")
        % {"limit": limit // 1024},
    )


def body_refusal(request: HttpRequest) -> HttpResponse | None:
    """The 413 or 400 answer this request's body deserves, or None when it may go on."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    limit = body_limit(request)
    declared = request.META.get("CONTENT_LENGTH") or "0"
    try:
        length = int(declared)
    except ValueError:
        return refusal(request, 400, "requete-illisible", _("En-tête Content-Length invalide."))
    if length > limit:
        return _too_large(request, limit)
    if request.content_type == "multipart/form-data":
        return None  # streamed to the upload handlers; each document is checked against its own limit
    if length == 0 and request.META.get("HTTP_TRANSFER_ENCODING", "").lower() != "chunked":
        return None
    stream = request.META.get("wsgi.input")
    if length == 0 and stream is not None:
        # No declared length: read at most one byte past the limit, then let Django read what we kept.
        data = stream.read(limit + 1)
        if len(data) > limit:
            return _too_large(request, limit)
        request._body = data  # noqa: SLF001 — Django reads request.body from here
        request._stream = io.BytesIO(data)  # noqa: SLF001 — and request.read() from there
    depth_limit = int(getattr(settings, "HABPPS_MAX_JSON_DEPTH", DEFAULT_MAX_DEPTH))
    if _is_json(request.content_type) and json_depth_exceeds(request.body, depth_limit):
        return refusal(
            request,
            400,
            "json-trop-imbrique",
            _("Le corps JSON imbrique plus de %(limit)s niveaux de tableaux ou d'objets.") % {"limit": depth_limit},
        )
    return None


def _is_json(content_type: str | None) -> bool:
    content_type = (content_type or "").lower()
    return content_type == "application/json" or content_type.endswith("+json")


class RequestBodyLimitMiddleware:
    """Placed before the CSRF check and every view: nothing parses a body this middleware has not measured."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        return body_refusal(request) or self.get_response(request)
