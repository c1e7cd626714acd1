"""The one ``NinjaAPI`` of Habpps, version 1: routers per domain, problem documents, the OpenAPI document.

Mounted at ``/api/v1/`` (``habpps.urls``); the OpenAPI document is ``/api/v1/openapi.json`` and the
interactive page ``/api/v1/docs``. A later incompatible version gets its own ``NinjaAPI`` beside this one.
"""

from __future__ import annotations

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from ninja import NinjaAPI
from ninja.renderers import JSONRenderer

from habpps.api import problems
from habpps.api.problems import PROBLEM_MEDIA_TYPE
from habpps.api.routers import (
    accounts,
    catalogue,
    conditions,
    conventions,
    decisions,
    journal,
    model,
    network,
    policy,
    scope,
    sso,
    windows,
    workbench,
)

DESCRIPTION = """
API REST de Habpps, la plate-forme d'habilitation du portail « Mon Compte Partenaire » (exigence API-1).

- **Services du portail** : `POST /decisions` répond si un utilisateur peut faire une opération sur un objet,
  avec un jeton de service (`Authorization: Bearer hab_…`). Chaque refus est journalisé.
- **Outils d'administration** : mêmes droits que l'interface web, décidés par le moteur — jeton personnel
  (`Authorization: Bearer hab_…`) ou session ouverte dans le navigateur avec l'en-tête `X-CSRFToken`.
- **Erreurs** : documents `application/problem+json` (RFC 9457), message en français et `code` stable.
- **Limites** : corps de 1 Mio au plus (413), JSON imbriqué sur 32 niveaux au plus (400), nombre d'appels par
  jeton et par adresse réseau sur une minute (429 avec l'en-tête `Retry-After`).
"""

# Statuses any operation may answer with a problem document: unreadable or too deeply nested body, missing or
# invalid credentials, refused permission or CSRF check (or a login duty owed), object out of scope or absent,
# body above the size limit, rejected values, too many requests (with Retry-After).
COMMON_PROBLEM_STATUSES = ("400", "401", "403", "404", "413", "422", "429")


class FrenchJSONRenderer(JSONRenderer):
    """UTF-8 JSON that keeps accented letters readable instead of ``\\u00e9`` escapes."""

    json_dumps_params = {"ensure_ascii": False}


class HabppsApi(NinjaAPI):
    """``NinjaAPI`` whose OpenAPI document declares problem documents with their own media type."""

    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        problem_ref = {"$ref": "#/components/schemas/Problem"}
        schema["components"].setdefault("schemas", {})
        if "Problem" not in schema["components"]["schemas"]:
            schema["components"]["schemas"].update(
                problems.Problem.model_json_schema(ref_template="#/components/schemas/{model}")["$defs"]
            )
            schema["components"]["schemas"]["Problem"] = {
                key: value
                for key, value in problems.Problem.model_json_schema(
                    ref_template="#/components/schemas/{model}"
                ).items()
                if key != "$defs"
            }
        for operations in schema["paths"].values():
            for operation in operations.values():
                # ninja keys responses by int; JSON keys are strings: normalise before adding ours.
                responses = {str(status): value for status, value in operation.get("responses", {}).items()}
                for status in COMMON_PROBLEM_STATUSES:
                    responses.setdefault(status, {"description": problems.TITLES[int(status)]})
                for status, response in responses.items():
                    if status.isdigit() and int(status) >= 400:
                        response["description"] = problems.TITLES.get(
                            int(status), response.get("description")
                        )
                        response["content"] = {PROBLEM_MEDIA_TYPE: {"schema": problem_ref}}
                operation["responses"] = responses
        return schema


def build_api(namespace: str, *, documented: bool) -> HabppsApi:
    """A ``NinjaAPI`` of version 1 with the problem handlers; ``documented`` publishes the OpenAPI and docs."""
    built = HabppsApi(
        title="Habpps — API",
        version="1",
        description=DESCRIPTION,
        urls_namespace=namespace,
        renderer=FrenchJSONRenderer(),
        openapi_url="/openapi.json" if documented else None,
        docs_url="/docs" if documented else None,
        # Swagger UI sets style attributes from its script: allowed on the documentation page only.
        docs_decorator=csp_update({"style-src": [SELF, UNSAFE_INLINE]}),
    )
    problems.install(built)
    return built


api = build_api("api-v1", documented=True)
api.add_router("/decisions", decisions.router)
api.add_router("", network.router)
api.add_router("", accounts.router)
api.add_router("", conventions.router)
api.add_router("", journal.router)
api.add_router("", policy.router)
api.add_router("", model.router)
api.add_router("", sso.router)
api.add_router("", scope.router)
api.add_router("", workbench.router)
api.add_router("", catalogue.router)
api.add_router("", windows.router)
api.add_router("", conditions.router)

decision_api = build_api("api-v1-decisions", documented=False)
"""The decision endpoints alone, for processes dedicated to them (``habpps.api.decision_settings``)."""
decision_api.add_router("/decisions", decisions.router)
