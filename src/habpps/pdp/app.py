"""The lean decision server: a raw WSGI application around a compiled snapshot.

Per request it does only this: route on the path (one dict probe), check the caller (one dict probe on the
``Authorization`` header once the token is known), parse the body with orjson, ask the snapshot, serialise with
orjson, and echo ``X-Request-ID``. No framework, no middleware, no per-request objects beyond the body. What the
platform's full stack does besides (sessions, CSRF, CSP, locale…) serves pages, not services with tokens.

Endpoints: ``POST /access/v1/evaluation``, ``POST /access/v1/evaluations``, ``GET
/.well-known/authzen-configuration`` (AuthZEN 1.0; errors are a message string, as the specification says),
``POST /api/v1/decisions`` and ``/api/v1/decisions/batch`` (the platform's format; errors are problem documents).
Where the snapshot and the callers come from is the *source* (`Source`), and who answers the administrative
questions (``attribuer-profil``…) is its ``administration`` (``habpps.pdp.administration``): an ordinary question
pays one hash probe on its operation for that.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from typing import Any, Protocol

import orjson

from habpps.engine import Snapshot
from habpps.pdp import authzen, decisions_v1
from habpps.pdp.administration import Administration

BODY_LIMIT = 1_048_576
"""Largest request body read (1 Mio): a batch of 1,000 evaluations with properties fits many times over."""

Refusal = tuple[str, str, str, "str | None", Any, "tuple[str, ...] | None"]
"""A denied decision for the journal: user, operation, object, org unit, explanation (an engine ``Decision`` or
an administrative answer; None when not computed), active roles (None: not given)."""


class Source(Protocol):
    """Where a decision server's snapshot and callers come from."""

    journals: bool
    """Whether refusals are journalled (then they are collected and handed to `journal`)."""

    administration: Administration
    """Who answers the administrative questions (``habpps.pdp.administration``)."""

    def snapshot(self) -> Snapshot:
        """The current snapshot (cheap: called for every request)."""

    def service(self, authorization: str | None) -> str | None:
        """The name of the calling service for this ``Authorization`` header, None when it is refused."""

    def journal(self, snapshot: Snapshot, refusals: list[Refusal], service: str, request_id: str | None) -> None:
        """Record these refusals (only called when `journals`)."""

    def validate_activation(self, user: str, roles: list[str], context: Any = None) -> None:
        """Raise the engine's refusal when ``user`` may not activate ``roles`` together (``active_roles``) in the
        request ``context`` (activation constraints)."""


_JSON = "application/json"
_PROBLEM = "application/problem+json; charset=utf-8"
_TEXT = "text/plain; charset=utf-8"
_TITLES = {400: "Requête invalide", 401: "Authentification requise", 404: "Ressource introuvable",
           405: "Méthode non autorisée", 413: "Requête trop volumineuse", 422: "Données invalides"}
_STATUS = {200: "200 OK", 400: "400 Bad Request", 401: "401 Unauthorized", 404: "404 Not Found",
           405: "405 Method Not Allowed", 413: "413 Content Too Large", 422: "422 Unprocessable Content",
           500: "500 Internal Server Error"}


def _clean_request_id(value: str | None) -> str | None:
    """The caller's ``X-Request-ID``, echoed as given (AuthZEN: any string) minus what cannot go in a header."""
    if not value:
        return None
    if value.isprintable() and len(value) <= 200:
        return value
    return "".join(ch for ch in value if ch.isprintable())[:200] or None


def _problem(path: str, status: int, code: str, detail: str, errors: list[dict[str, str]] | None = None) -> bytes:
    return orjson.dumps({
        "type": f"urn:habpps:probleme:{code}", "title": _TITLES.get(status, "Erreur"), "status": status,
        "detail": detail, "instance": path, "code": code, "errors": errors or [],
    })


def _authzen_refusals(refused: list[authzen.Refusal]) -> list[Refusal]:
    return [(q.user, q.operation, q.objects[0], q.org, d, None) for q, d in refused]


def _v1_refusals(refused: list[decisions_v1.Refusal]) -> list[Refusal]:
    return [(i["user"], i["operation"], i["object"], i.get("org"), d,
             None if i.get("active_roles") is None else tuple(i["active_roles"])) for i, d in refused]


_AUTHZEN = {
    authzen.EVALUATION_PATH: (authzen.evaluation, _authzen_refusals),
    authzen.EVALUATIONS_PATH: (authzen.evaluations, _authzen_refusals),
}
_V1 = {
    "/api/v1/decisions": (decisions_v1.single, _v1_refusals),
    "/api/v1/decisions/batch": (decisions_v1.batch, _v1_refusals),
}


def make_app(source: Source, base_url: str | None = None) -> Callable[..., Iterable[bytes]]:
    """The WSGI application serving ``source``'s decisions. ``base_url``: the decision point's identifier in the
    discovery document (default: ``HABPPS_PDP_URL``, else the scheme and host of each request)."""
    base_url = base_url or os.environ.get("HABPPS_PDP_URL") or None
    administration = source.administration

    def respond(start_response: Callable[..., Any], status: int, body: bytes, content_type: str,
                request_id: str | None) -> list[bytes]:
        headers = [("Content-Type", content_type), ("Content-Length", str(len(body)))]
        if request_id is not None:
            headers.append(("X-Request-ID", request_id))
        start_response(_STATUS.get(status, f"{status} Error"), headers)
        return [body]

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO") or "/"
        request_id = environ.get("HTTP_X_REQUEST_ID")
        if request_id is not None:
            request_id = _clean_request_id(request_id)
        route = _AUTHZEN.get(path)
        authzen_route = route is not None
        if route is None:
            route = _V1.get(path)
        if route is None:
            if path == authzen.CONFIGURATION_PATH:
                if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
                    return respond(start_response, 405, b"GET attendu.", _TEXT, request_id)
                url = base_url or f"{environ.get('wsgi.url_scheme', 'http')}://{environ.get('HTTP_HOST', 'localhost')}"
                return respond(start_response, 200, orjson.dumps(authzen.configuration(url.rstrip("/"))), _JSON,
                               request_id)
            return respond(start_response, 404, _problem(path, 404, "introuvable",
                                                         "Cette ressource n'existe pas."), _PROBLEM, request_id)
        if environ.get("REQUEST_METHOD") != "POST":
            return _error(start_response, respond, authzen_route, path, 405, "methode", "POST attendu.", request_id)
        service = source.service(environ.get("HTTP_AUTHORIZATION"))
        if service is None:
            return _error(start_response, respond, authzen_route, path, 401, "authentification-requise",
                          "Présentez un jeton valide (en-tête Authorization: Bearer …).", request_id)
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > BODY_LIMIT:
            return _error(start_response, respond, authzen_route, path, 413, "trop-volumineux",
                          "Le corps de la requête est trop volumineux.", request_id)
        raw = environ["wsgi.input"].read(length) if length else b""
        if b"\\u0000" in raw:  # a NUL character: no database or journal stores it (``habpps.api.inputs``)
            return _error(start_response, respond, authzen_route, path, 422 if not authzen_route else 400,
                          "donnees-invalides", "Caractère non admis (caractère nul).", request_id)
        try:
            body = orjson.loads(raw)
        except orjson.JSONDecodeError:
            return _error(start_response, respond, authzen_route, path, 400, "requete-illisible",
                          "Le corps de la requête n'est pas un JSON lisible.", request_id)
        handler, as_refusals = route
        snapshot = source.snapshot()
        refused: list[Any] | None = [] if source.journals else None
        try:
            answer = handler(snapshot, body, refused, administration) if authzen_route else handler(
                snapshot, body, refused, source.validate_activation, administration)
        except authzen.BadRequest as error:
            return respond(start_response, 400, str(error).encode(), _TEXT, request_id)
        except decisions_v1.Invalid as error:
            return respond(start_response, error.status, _problem(path, error.status, error.code, error.detail,
                                                                  error.errors), _PROBLEM, request_id)
        if refused:
            source.journal(snapshot, as_refusals(refused), service, request_id)
        return respond(start_response, 200, orjson.dumps(answer), _JSON, request_id)

    return application


def _error(start_response: Callable[..., Any], respond: Callable[..., list[bytes]], authzen_route: bool, path: str,
           status: int, code: str, detail: str, request_id: str | None) -> list[bytes]:
    if authzen_route:
        return respond(start_response, status, detail.encode(), _TEXT, request_id)
    return respond(start_response, status, _problem(path, status, code, detail), _PROBLEM, request_id)


def warn(message: str) -> None:
    """A line on the server's error stream (gunicorn shows it in its log)."""
    print(message, file=sys.stderr, flush=True)
