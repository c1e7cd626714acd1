"""The policy as data (ENG-10): export, difference and import of the directory's policy document.

Reserved to who administers the national catalogue (the engine's ``gerer catalogue`` in the national unit):
the document covers every profile and every assignment of the network. Import reconciles the directory with
the document exactly as ``habpps policy import`` does, journalled with the caller as actor.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from habpps.api.actors import require_permission
from habpps.api.auth import person_auth
from habpps.api.problems import ApiProblem
from habpps.api.schemas import Input
from habpps.authorization import permissions as perms
from habpps.authorization.orgs import NATIONAL_UNIT
from habpps.directory.policy_import import PolicyImportError, current_document, import_policy
from habpps.engine import PolicyDocumentError, diff

router = Router(tags=["Politique"], auth=person_auth)


class DocumentIn(Input):
    document: dict[str, Any] = Field(description="Document de politique (schéma docs/policy.schema.json).")


class ImportIn(DocumentIn):
    simulation: bool = Field(False, description="Montrer les différences sans rien appliquer.")


class ScopeChange(Schema):
    operation: str
    object: str
    before: list[str] = Field(description="Où et quand la permission était détenue (unité, portée, dates, conditions).")
    after: list[str] = Field(description="Où et quand elle le serait.")


class UserChange(Schema):
    user: str
    gained: list[list[str]]
    lost: list[list[str]]
    changed: list[ScopeChange] = Field(
        default_factory=list, description="Permissions gardées mais ailleurs ou autrement (unité, dates, conditions)."
    )


class DiffOut(Schema):
    changes: list[UserChange]


class ImportOut(DiffOut):
    applied: bool
    added: dict[str, int]
    removed: dict[str, int]


def _national(request: HttpRequest):
    return require_permission(request, perms.MANAGE_CATALOGUE, NATIONAL_UNIT)


def _changes(before: Any, after: Any) -> list[dict]:
    try:
        changes = diff(before, after)
    except PolicyDocumentError as error:
        raise ApiProblem(
            422,
            "politique-invalide",
            f"Document de politique invalide : {len(error.errors)} erreur(s), rien n'est appliqué.",
            [
                {
                    "location": f"body.document{item.get('path', '')}",
                    "code": "policy",
                    "message": item["message"],
                }
                for item in error.errors
            ],
        ) from error
    return [
        {
            "user": user,
            "gained": sorted(map(list, c["gained"])),
            "lost": sorted(map(list, c["lost"])),
            "changed": [
                {"operation": op, "object": obj, "before": moved["before"], "after": moved["after"]}
                for (op, obj), moved in sorted(c.get("changed", {}).items())
            ],
        }
        for user, c in sorted(changes.items())
    ]


@router.get("/politique", response=dict[str, Any], summary="Exporter la politique de l'annuaire")
def export_policy(request: HttpRequest):
    _national(request)
    return current_document()


@router.post("/politique/differences", response=DiffOut, summary="Ce que chacun gagnerait ou perdrait")
def policy_diff(request: HttpRequest, payload: DocumentIn):
    _national(request)
    return {"changes": _changes(current_document(), payload.document)}


@router.post("/politique/import", response=ImportOut, summary="Réconcilier l'annuaire avec un document")
def policy_import(request: HttpRequest, payload: ImportIn):
    actor = _national(request)
    changes = _changes(current_document(), payload.document)
    if payload.simulation:
        return {"changes": changes, "applied": False, "added": {}, "removed": {}}
    try:
        report = import_policy(payload.document, actor=actor)
    except PolicyDocumentError as error:  # validated above; kept for a document that only the engine refuses
        raise ApiProblem(422, "politique-invalide", str(error)) from error
    except PolicyImportError as error:
        raise ApiProblem(
            422,
            "politique-inapplicable",
            "Le document ne correspond pas à l'annuaire ; rien n'est appliqué.",
            [
                {"location": "body.document", "code": "directory", "message": message}
                for message in error.errors
            ],
        ) from error
    return {"changes": changes, "applied": True, "added": report.added, "removed": report.removed}


class ChangeIn(Input):
    action: str = Field(description="« attribuer » ou « retirer » un profil.")
    account: str = Field(description="Identifiant (login) du compte.")
    profile: str = Field(description="Code du profil d'accès.")


class SimulationIn(Input):
    document: dict[str, Any] | None = Field(None, description="Document de politique à simuler à la place de l'actuel.")
    change: ChangeIn | None = Field(None, description="Ou un seul changement à simuler.")


class PersonOut(Schema):
    login: str
    name: str
    gained_profiles: list[str]
    lost_profiles: list[str]
    gained: list[str]
    lost: list[str]
    changed: list[str]


class SimulationOut(Schema):
    subject: str
    applicable: bool = Field(description="Faux quand l'application serait refusée (voir refusals).")
    people: list[PersonOut] = Field(description="Qui gagnerait et perdrait quoi (personnes et profils nommés).")
    exclusions: list[str] = Field(description="Exclusions qui se déclencheraient.")
    approvals: list[str] = Field(description="Approbations en attente que le changement créerait.")
    refusals: list[str] = Field(description="Pourquoi l'application serait refusée.")


@router.post("/politique/simulation", response=SimulationOut, summary="Simuler un document ou un changement")
def policy_simulation(request: HttpRequest, payload: SimulationIn):
    """Before applying: who gains and loses what, which exclusions would fire, which pending approvals it would
    create. Nothing is applied."""
    from habpps.authorization.simulation import simulate_change, simulate_document

    actor = _national(request)
    if (payload.document is None) == (payload.change is None):
        raise ApiProblem(422, "simulation-invalide", "Donnez soit un document, soit un changement, pas les deux.",
                         [{"location": "body", "code": "one_of", "message": "document ou change"}])
    if payload.document is not None:
        simulation = simulate_document(payload.document)
        if simulation.invalid:
            raise ApiProblem(
                422, "politique-invalide",
                f"Document de politique invalide : {len(simulation.refusals)} erreur(s), rien n'est simulé.",
                [{"location": "body.document", "code": "policy", "message": text} for text in simulation.refusals],
            )
    else:
        change = payload.change
        simulation = simulate_change(change.action, change.account, change.profile, actor=actor.login)
    return simulation.as_dict()
