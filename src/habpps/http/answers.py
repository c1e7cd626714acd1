"""The one way the door's guards answer: a problem document on the API, a short French page elsewhere."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

API_PREFIX = "/api/"
PROBLEM_MEDIA_TYPE = "application/problem+json"

TITLES = {
    400: "Requête invalide",
    403: "Accès refusé",
    413: "Requête trop volumineuse",
    429: "Trop de requêtes",
}


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def refusal(request: HttpRequest, status: int, code: str, detail: str) -> HttpResponse:
    """A refusal of ``status`` with a stable ``code`` and a French ``detail`` (RFC 9457 on the API)."""
    title = TITLES.get(status, "Erreur")
    if is_api(request):
        body = {
            "type": f"urn:habpps:probleme:{code}",
            "title": title,
            "status": status,
            "detail": detail,
            "instance": request.path,
            "code": code,
            "errors": [],
        }
        response = HttpResponse(
            json.dumps(body, ensure_ascii=False), status=status, content_type=f"{PROBLEM_MEDIA_TYPE}; charset=utf-8"
        )
    else:
        response = HttpResponse(
            render_to_string("http/refusal.html", {"status": status, "title": title, "detail": detail}),
            status=status,
            content_type="text/html; charset=utf-8",
        )
    response["Cache-Control"] = "no-store"
    return response
