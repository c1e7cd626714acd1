"""Rationalisation of a stored role model (RE-2b, thesis 5.3.4) through the API: the workbench pages' operations.

Same permission as the pages (the engine's ``utiliser atelier-roles`` in the national unit); the rewriting is
:mod:`habpps.roleeng.rationalise`, stored, traced and journalled by :func:`habpps.workbench.documents.rationalise`
exactly as from the pages. A refused rewriting is a 422 problem naming the field at fault, in French.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.responses import Status as HttpStatus
from pydantic import Field

from habpps.api.actors import require_permission
from habpps.api.auth import person_auth
from habpps.api.problems import ApiProblem, not_found
from habpps.api.schemas import Input
from habpps.roleeng.problems import ModelInvalid
from habpps.roleeng.rationalise import FinerStep, RationalisationError, decompose_step, generalise
from habpps.workbench.documents import Workspace, rationalise
from habpps.workbench.models import Rationalisation, StoredRoleModel
from habpps.workbench.permissions import USE_WORKBENCH, WORKBENCH_UNIT

router = Router(tags=["Atelier des rôles"], auth=person_auth)


class RationalisationOut(Schema):
    id: int
    kind: str = Field(description="« decomposition » ou « generalisation ».")
    trace_id: str = Field(description="Identifiant de la trace dans le document du modèle (RAT-1…).")
    sentence: str = Field(description="La réécriture, en une phrase.")
    trace: dict[str, Any] = Field(description="La trace telle qu'écrite dans le document du modèle.")
    created_at: datetime
    created_by: str | None


class SimilarOut(Schema):
    scenarios: list[str]
    operations: list[str]
    reason: str
    values: dict[str, str] = Field(description="Valeur du paramètre suggérée pour chaque scénario.")


class FinerStepIn(Input):
    text: str = Field(min_length=1, max_length=1000, description="L'action, en une phrase.")
    permissions: list[str] = Field(
        default_factory=list, max_length=100, description="Permissions du catalogue."
    )


class DecompositionIn(Input):
    scenario: str = Field(max_length=100, description="Identifiant du scénario.")
    position: int = Field(ge=1, description="Rang de l'étape à décomposer, à partir de 1.")
    steps: list[FinerStepIn] = Field(
        min_length=2, max_length=50, description="Les étapes plus fines, dans l'ordre."
    )
    reason: str = Field("", max_length=500)


class GeneralisationIn(Input):
    sources: list[str] = Field(
        min_length=2, max_length=100, description="Scénarios similaires à généraliser."
    )
    scenario_id: str = Field(max_length=100, description="Identifiant du scénario générique créé.")
    object: str = Field(max_length=300, description="Objet du scénario générique.")
    parameter: str = Field(
        max_length=200, description="Paramètre d'instanciation (ex. « type de bénéficiaire »)."
    )
    values: dict[str, str] = Field(description="Valeur du paramètre pour chaque scénario généralisé.")
    reason: str = Field("", max_length=500)


def _stored(request: HttpRequest, model_id: int) -> StoredRoleModel:
    require_permission(request, USE_WORKBENCH, WORKBENCH_UNIT)
    stored = StoredRoleModel.objects.filter(pk=model_id).first()
    if stored is None:
        raise not_found("Ce modèle de rôles n'existe pas.")
    return stored


def _out(row: Rationalisation) -> dict:
    return {
        "id": row.pk,
        "kind": row.kind,
        "trace_id": row.trace_id,
        "sentence": row.sentence,
        "trace": row.trace,
        "created_at": row.created_at,
        "created_by": row.created_by.get_username() if row.created_by else None,
    }


def _apply(request: HttpRequest, stored: StoredRoleModel, rewrite) -> HttpStatus:
    try:
        row, _warnings = rationalise(request.auth, stored, rewrite)
    except RationalisationError as error:
        raise ApiProblem(
            422,
            "rationalisation-refusee",
            error.message,
            [
                {
                    "location": f"body.{error.field}" if error.field else "body",
                    "code": error.code,
                    "message": error.message,
                }
            ],
        ) from None
    except ModelInvalid as invalid:
        raise ApiProblem(
            422,
            "modele-invalide",
            "La réécriture donnerait un modèle invalide ; rien n'est changé.",
            [{"location": f"modele.{p.path}", "code": p.code, "message": p.message} for p in invalid.errors],
        ) from None
    return HttpStatus(201, _out(row))


@router.get(
    "/atelier-roles/modeles/{model_id}/rationalisations",
    response=list[RationalisationOut],
    summary="Rationalisations faites sur un modèle de rôles",
)
def rationalisations(request: HttpRequest, model_id: int):
    stored = _stored(request, model_id)
    return [_out(row) for row in stored.rationalisations.select_related("created_by")]


@router.get(
    "/atelier-roles/modeles/{model_id}/scenarios-similaires",
    response=list[SimilarOut],
    summary="Scénarios similaires proposés pour une généralisation",
)
def similar(request: HttpRequest, model_id: int):
    stored = _stored(request, model_id)
    return [
        {
            "scenarios": list(p.scenarios),
            "operations": list(p.operations),
            "reason": p.reason,
            "values": dict(p.values),
        }
        for p in Workspace(stored).similar_scenarios
    ]


@router.post(
    "/atelier-roles/modeles/{model_id}/decompositions",
    response={201: RationalisationOut},
    summary="Décomposer une étape trop grossière en étapes plus fines",
)
def decompose(request: HttpRequest, model_id: int, body: DecompositionIn):
    stored = _stored(request, model_id)
    parts = [FinerStep(step.text, tuple(step.permissions)) for step in body.steps]
    return _apply(
        request,
        stored,
        lambda document: decompose_step(document, body.scenario, body.position, parts, reason=body.reason),
    )


@router.post(
    "/atelier-roles/modeles/{model_id}/generalisations",
    response={201: RationalisationOut},
    summary="Généraliser des scénarios similaires en un scénario générique",
)
def generalise_scenarios(request: HttpRequest, model_id: int, body: GeneralisationIn):
    stored = _stored(request, model_id)
    return _apply(
        request,
        stored,
        lambda document: generalise(
            document,
            body.sources,
            scenario_id=body.scenario_id,
            object=body.object,
            parameter=body.parameter,
            values=body.values,
            reason=body.reason,
        ),
    )
