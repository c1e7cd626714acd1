"""``POST /api/v1/decisions`` and its batch form: the decision endpoint of the portal's services (API-1)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import ConfigDict, Field

from habpps.api import pdp
from habpps.api.auth import service_auth
from habpps.api.problems import ApiProblem, Problem

router = Router(tags=["Décisions (PDP)"], auth=service_auth)

BATCH_LIMIT = 100


class DecisionIn(Schema):
    """A question: may ``user`` do ``operation`` on ``object`` (in unit ``org``), in this ``context``?"""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    user: str = Field(min_length=1, max_length=150, description="Identifiant de connexion du compte.")
    operation: str = Field(
        min_length=1,
        max_length=60,
        description="Opération, par ex. « consulter » ; ou une question d'administration posée comme les pages "
        "la posent : « attribuer-profil », « retirer-profil », « ajouter-membre », « retirer-membre », "
        "« gerer-groupe », « creer-groupe », « gerer-compte », « creer-compte », « attribuer-role », "
        "« deleguer-perimetre », « valider-version » (voir docs/api.md).",
    )
    obj: str = Field(
        alias="object", min_length=1, max_length=120, description="Objet, par ex. « cdap:droits »."
    )
    org: str | None = Field(
        default=None,
        min_length=1,
        max_length=60,
        description="Unité d'organisation (« partner:42 »). Absente : la permission détenue dans une unité "
        "quelconque.",
    )
    context: dict[str, Any] | None = Field(
        default=None, description="Contexte de la requête pour les permissions conditionnelles (ENG-5)."
    )
    active_roles: list[str] | None = Field(
        default=None,
        max_length=50,
        description="Les rôles actifs de la session de l'utilisateur (ENG-1) : seuls ceux-ci décident. Le moteur "
        "vérifie qu'il peut les activer ensemble (rôles autorisés, séparation dynamique des tâches). Absent : "
        "tous ses rôles autorisés.",
    )
    explain: bool = Field(default=False, description="Joindre l'explication du moteur à la réponse.")


class GrantPathOut(Schema):
    group: str | None
    assigned_role: str
    assignment_org: str | None
    inheritance_chain: list[str]
    permission_role: str


class ExplanationOut(Schema):
    reason: str = Field(description="Code de la raison : granted, not_authorized, other_org, unknown_user…")
    message: str = Field(description="La décision et sa raison, en une phrase française.")
    path: GrantPathOut | None = Field(description="Comment la permission est détenue, si elle l'est.")
    failed_constraints: list[dict[str, Any]]


class DecisionOut(Schema):
    granted: bool
    explanation: ExplanationOut | None = None


class BatchIn(Schema):
    model_config = ConfigDict(extra="forbid")

    decisions: list[DecisionIn] = Field(min_length=1, max_length=BATCH_LIMIT)


class BatchOut(Schema):
    results: list[DecisionOut]


def _query(item: DecisionIn) -> pdp.DecisionQuery:
    return pdp.DecisionQuery(
        user=item.user,
        operation=item.operation,
        obj=item.obj,
        org=item.org,
        context=item.context,
        active_roles=None if item.active_roles is None else tuple(item.active_roles),
    )


def _out(verdict: pdp.Verdict, explain: bool) -> dict:
    if not explain or verdict.decision is None:
        return {"granted": verdict.granted}
    decision = verdict.decision
    path = decision.path.as_dict() if decision.path else None
    return {
        "granted": verdict.granted,
        "explanation": {
            "reason": decision.reason,
            "message": decision.message,
            "path": path,
            "failed_constraints": [dict(c) for c in decision.failed_constraints],
        },
    }


def _decide(request: HttpRequest, items: list[DecisionIn]) -> list[pdp.Verdict]:
    try:
        return pdp.decide(
            [_query(item) for item in items],
            service=request.auth.name,
            explain=any(item.explain for item in items),
        )
    except pdp.ActivationRefused as error:
        raise ApiProblem(
            422,
            "roles-actifs-refuses",
            "Le moteur refuse d'activer ces rôles ensemble.",
            [{"location": "body.active_roles", "code": error.code, "message": str(error)}],
        ) from error
    except pdp.ContextRefused as error:
        raise ApiProblem(
            422,
            "contexte-invalide",
            "Le contexte de la requête ne peut pas être lu par le moteur.",
            [{"location": "body.context", "code": "context", "message": str(error)}],
        ) from error


@router.post(
    "",
    response={200: DecisionOut, 401: Problem, 422: Problem},
    summary="Décider d'un accès",
    description="Réponse `granted` du moteur d'habilitation, avec son explication sur demande. Chaque refus "
    "est journalisé.",
    exclude_unset=True,
)
def decide(request: HttpRequest, payload: DecisionIn):
    (verdict,) = _decide(request, [payload])
    return _out(verdict, payload.explain)


@router.post(
    "/batch",
    response={200: BatchOut, 401: Problem, 422: Problem},
    summary="Décider de plusieurs accès",
    description=f"Jusqu'à {BATCH_LIMIT} questions, décidées sur la même version de la politique, réponses dans "
    "le même ordre.",
    exclude_unset=True,
)
def decide_batch(request: HttpRequest, payload: BatchIn):
    verdicts = _decide(request, payload.decisions)
    return {"results": [_out(v, item.explain) for v, item in zip(verdicts, payload.decisions, strict=True)]}
