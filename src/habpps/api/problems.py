"""Errors as RFC 9457 problem documents (``application/problem+json``) with French messages.

Every refusal of the API — bad input, missing or revoked token, permission refused by the engine, object out of
scope, rule of the domain broken — is answered by one of these documents with a stable ``code``, so that a
caller can branch on it and show ``detail`` to a person. Bad input never reaches a 500: pydantic's errors,
unparsable bodies and the domain's ``ValidationError`` all map to a 4xx here.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as RequestValidationError
from pydantic import Field

from habpps.authorization.decisions import AccessRefused
from habpps.conventions.workflow import WorkflowError
from habpps.engine import RBACError

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "urn:habpps:probleme:"

logger = logging.getLogger(__name__)


class FieldError(Schema):
    """One rejected input: where it is (``body.user``, ``query.page``…) and why, in French."""

    location: str = Field(description="Emplacement de la valeur refusée, par ex. « body.user ».")
    code: str = Field(description="Code stable de l'erreur.")
    message: str = Field(description="Message en français.")


class Problem(Schema):
    """A problem document (RFC 9457)."""

    type: str = Field(description="URI qui identifie la nature du problème.")
    title: str = Field(description="Intitulé court, en français, de la nature du problème.")
    status: int = Field(description="Code de statut HTTP.")
    detail: str = Field(description="Explication en français de cette occurrence.")
    instance: str = Field(description="Chemin de la requête concernée.")
    code: str = Field(description="Code stable, pour les programmes appelants.")
    errors: list[FieldError] = Field(default_factory=list, description="Valeurs refusées, une par ligne.")


TITLES = {
    400: "Requête invalide",
    401: "Authentification requise",
    403: "Accès refusé",
    404: "Ressource introuvable",
    405: "Méthode non autorisée",
    409: "Conflit avec l'état actuel",
    413: "Requête trop volumineuse",
    422: "Données invalides",
    429: "Trop de requêtes",
    500: "Erreur interne",
}


def problem(
    request: HttpRequest, status: int, code: str, detail: str, errors: list[dict[str, str]] | None = None
) -> HttpResponse:
    """The HTTP response carrying a problem document."""
    body = Problem(
        type=PROBLEM_TYPE_BASE + code,
        title=TITLES.get(status, "Erreur"),
        status=status,
        detail=detail,
        instance=request.path,
        code=code,
        errors=[FieldError(**error) for error in errors or []],
    )
    return HttpResponse(
        json.dumps(body.model_dump(), ensure_ascii=False),
        status=status,
        content_type=f"{PROBLEM_MEDIA_TYPE}; charset=utf-8",
    )


# Pydantic's error types, in French. Anything not listed falls back to a generic sentence.
PYDANTIC_MESSAGES = {
    "missing": "Valeur obligatoire.",
    "extra_forbidden": "Champ inconnu.",
    "string_type": "Une chaîne de caractères est attendue.",
    "string_too_short": "Texte trop court.",
    "string_too_long": "Texte trop long.",
    "string_pattern_mismatch": "Format non reconnu.",
    "int_type": "Un nombre entier est attendu.",
    "int_parsing": "Un nombre entier est attendu.",
    "int_from_float": "Un nombre entier est attendu.",
    "float_type": "Un nombre est attendu.",
    "float_parsing": "Un nombre est attendu.",
    "bool_type": "Un booléen est attendu.",
    "bool_parsing": "Un booléen est attendu (true ou false).",
    "dict_type": "Un objet JSON est attendu.",
    "model_type": "Un objet JSON est attendu.",
    "model_attributes_type": "Un objet JSON est attendu.",
    "list_type": "Une liste est attendue.",
    "too_short": "Liste trop courte.",
    "too_long": "Liste trop longue.",
    "greater_than": "Valeur trop petite.",
    "greater_than_equal": "Valeur trop petite.",
    "less_than": "Valeur trop grande.",
    "less_than_equal": "Valeur trop grande.",
    "literal_error": "Valeur non autorisée.",
    "enum": "Valeur non autorisée.",
    "date_parsing": "Une date AAAA-MM-JJ est attendue.",
    "date_from_datetime_parsing": "Une date AAAA-MM-JJ est attendue.",
    "date_type": "Une date AAAA-MM-JJ est attendue.",
    "datetime_parsing": "Une date et heure ISO 8601 est attendue.",
    "datetime_type": "Une date et heure ISO 8601 est attendue.",
    "json_invalid": "JSON invalide.",
    "string_unicode": "Texte invalide.",
    "value_error": "Valeur invalide.",
}


def _location(loc: Any) -> str:
    """``("body", "payload", "user")`` → ``body.user``: the name of the view's parameter means nothing to callers."""
    parts = [str(part) for part in loc] if isinstance(loc, (list, tuple)) else [str(loc)]
    if len(parts) > 1 and parts[0] == "body" and parts[1] == "payload":
        del parts[1]
    return ".".join(parts)


def request_validation_problem(request: HttpRequest, exc: RequestValidationError) -> HttpResponse:
    errors = [
        {
            "location": _location(error.get("loc", ())),
            "code": str(error.get("type", "invalid")),
            "message": PYDANTIC_MESSAGES.get(str(error.get("type")), "Valeur invalide."),
        }
        for error in exc.errors
    ]
    return problem(
        request, 422, "donnees-invalides", _("Certaines valeurs de la requête sont refusées."), errors
    )


def domain_validation_problem(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    """A rule of the domain (model ``clean``, service check) refused the change: each message, per field."""
    errors = []
    if hasattr(exc, "error_dict"):
        for field, field_errors in exc.error_dict.items():
            for error in field_errors:
                errors.append(
                    {
                        "location": f"body.{field}" if field != "__all__" else "body",
                        "code": error.code or "invalid",
                        "message": " ".join(error.messages),
                    }
                )
    else:
        for error in exc.error_list:
            errors.append(
                {"location": "body", "code": error.code or "invalid", "message": " ".join(error.messages)}
            )
    detail = errors[0]["message"] if len(errors) == 1 else _("La demande enfreint des règles de gestion.")
    return problem(request, 422, "regle-de-gestion", detail, errors)


def http_error_problem(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc, AuthenticationError):
        return problem(
            request,
            401,
            "authentification-requise",
            _("Présentez un jeton valide (en-tête Authorization: Bearer …) ou une session ouverte."),
        )
    if isinstance(exc, ApiProblem):
        return problem(request, exc.status_code, exc.code, exc.message, exc.errors)
    if exc.status_code == 400:
        return problem(
            request, 400, "requete-illisible", _("Le corps de la requête n'est pas un JSON lisible.")
        )
    if exc.status_code == 403 and "CSRF" in str(exc):
        return problem(
            request,
            403,
            "csrf",
            _("Jeton CSRF absent ou invalide : une session de navigateur doit l'envoyer."),
        )
    return problem(request, exc.status_code, "erreur-http", str(exc))


class ApiProblem(HttpError):
    """An error a router raises with its own status, code and French detail."""

    def __init__(self, status: int, code: str, detail: str, errors: list[dict[str, str]] | None = None):
        super().__init__(status, detail)
        self.code = code
        self.errors = errors


def not_found(detail: str | None = None) -> ApiProblem:
    return ApiProblem(
        404, "introuvable", detail or _("Cette ressource n'existe pas ou ne vous est pas accessible.")
    )


def forbidden(detail: str | None = None) -> ApiProblem:
    return ApiProblem(403, "acces-refuse", detail or _("Vos habilitations ne permettent pas cette action."))


def install(api) -> None:
    """Make every error of ``api`` a problem document."""
    api.add_exception_handler(RequestValidationError, request_validation_problem)
    api.add_exception_handler(HttpError, http_error_problem)
    api.add_exception_handler(DjangoValidationError, domain_validation_problem)
    api.add_exception_handler(
        Http404,
        lambda request, exc: problem(
            request, 404, "introuvable", _("Cette ressource n'existe pas ou ne vous est pas accessible.")
        ),
    )
    # A refused administrative action answers like the pages do: as if the object did not exist (ADM-2).
    api.add_exception_handler(
        AccessRefused,
        lambda request, exc: problem(
            request, 404, "introuvable", _("Cette ressource n'existe pas ou ne vous est pas accessible.")
        ),
    )
    api.add_exception_handler(
        RBACError,
        lambda request, exc: problem(request, 409, "refus-du-moteur", str(exc)),
    )
    # A transition the convention workflow does not allow from the version's state (CNV-2).
    api.add_exception_handler(
        WorkflowError, lambda request, exc: problem(request, 409, "transition-impossible", exc.message)
    )
    api.add_exception_handler(Exception, _unexpected)


def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("Erreur inattendue de l'API sur %s", request.path, exc_info=exc)
    return problem(
        request,
        500,
        "erreur-interne",
        _("Erreur interne ; citez l'identifiant de requête %(id)s au support.")
        % {"id": getattr(request, "request_id", "")},
    )
