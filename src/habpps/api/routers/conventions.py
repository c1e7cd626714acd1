"""Conventions through the API (CNV-1..4): read what the actor's pages show, and move the open version through
its workflow with the same services (four eyes, instructor number, journalled transitions)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from habpps.api.actors import actor_of
from habpps.api.auth import person_auth
from habpps.api.problems import ApiProblem
from habpps.api.schemas import PAGE_FIELD, Input, PageMeta, paginate
from habpps.authorization.scoping import visible_conventions
from habpps.conventions import services
from habpps.conventions.impact import amendment_impact
from habpps.conventions.models import Convention, ConventionVersion
from habpps.conventions.views.access import may_read, readable_convention
from habpps.conventions.workflow import events_from

router = Router(tags=["Conventions"], auth=person_auth)


class ProfileGrantOut(Schema):
    role: str
    max_users: int | None


class BulletinOut(Schema):
    service: str
    profiles: list[ProfileGrantOut]


class VersionOut(Schema):
    id: int
    number: int
    state: str
    service_contract: str
    ends_on: date | None
    instructor_number: str
    entered_by: str | None
    submitted_at: datetime | None
    decided_by: str | None
    decided_at: datetime | None
    rejection_reason: str
    documents_note: str
    bulletins: list[BulletinOut]


class ConventionOut(Schema):
    id: int
    reference: str
    fund_id: int
    partner_id: int
    partner_name: str
    ended_at: datetime | None
    end_kind: str


class ConventionDetailOut(ConventionOut):
    versions: list[VersionOut]
    open_version_actions: list[str] = Field(
        description="Transitions que l'état de la version ouverte permet."
    )


class ProfileLossOut(Schema):
    profile: str = Field(description="Code du profil retiré.")
    label: str = Field(description="Libellé du profil.")
    service: str
    groups: list[str] = Field(description="Groupes de l'organisme qui le perdent.")
    people: list[str] = Field(description="Personnes qui le perdent (nom).")
    count: int


class LimitExcessOut(Schema):
    label: str
    limit: int
    holders: int


class ImpactOut(Schema):
    version: int
    in_force_version: int | None
    unchanged: bool = Field(description="La version ne change rien à la version en vigueur (non soumissible).")
    ends_everything: bool = Field(
        description="La version n'accorde plus aucun profil : c'est une résiliation (non soumissible)."
    )
    people_losing_access: int = Field(description="Nombre de personnes qui perdent au moins un profil.")
    profiles_removed: list[ProfileLossOut]
    limits_exceeded: list[LimitExcessOut]


class ConventionPage(PageMeta):
    items: list[ConventionOut]


class ConventionFilter(Schema):
    page: int = PAGE_FIELD


ACTIONS = Literal[
    "submit",
    "validate",
    "reject",
    "request_documents",
    "documents_received",
    "resume",
    "check_instructor_number",
    "cancel",
    "withdraw",
]


class TransitionIn(Input):
    action: ACTIONS = Field(description="Transition de la version ouverte.")
    reason: str = Field("", max_length=2000, description="Motif, obligatoire pour un rejet.")
    note: str = Field("", max_length=2000, description="Documents manquants, pour une demande de documents.")


def convention_out(convention: Convention) -> dict:
    return {
        "id": convention.pk,
        "reference": convention.reference,
        "fund_id": convention.fund_id,
        "partner_id": convention.partner_id,
        "partner_name": convention.partner.name,
        "ended_at": convention.ended_at,
        "end_kind": convention.end_kind,
    }


def version_out(version: ConventionVersion) -> dict:
    bulletins = [
        {
            "service": bulletin.service.code,
            "profiles": [{"role": p.role.code, "max_users": p.max_users} for p in bulletin.profiles.all()],
        }
        for bulletin in version.bulletins.select_related("service").prefetch_related("profiles__role")
    ]
    return {
        "id": version.pk,
        "number": version.number,
        "state": version.state,
        "service_contract": version.service_contract,
        "ends_on": version.ends_on,
        "instructor_number": version.instructor_number,
        "entered_by": version.entered_by.login if version.entered_by_id else None,
        "submitted_at": version.submitted_at,
        "decided_by": version.decided_by.login if version.decided_by_id else None,
        "decided_at": version.decided_at,
        "rejection_reason": version.rejection_reason,
        "documents_note": version.documents_note,
        "bulletins": bulletins,
    }


def detail(convention: Convention) -> dict:
    versions = convention.versions.select_related("entered_by", "decided_by").order_by("number")
    open_version = convention.open_version()
    return {
        **convention_out(convention),
        "versions": [version_out(v) for v in versions],
        "open_version_actions": events_from(open_version.state) if open_version else [],
    }


@router.get("/conventions", response=ConventionPage, summary="Conventions que l'on peut lire")
def list_conventions(request: HttpRequest, filters: Query[ConventionFilter]):
    actor = actor_of(request)
    # The engine's population of « conventions » (ENG-8), then each one decided by the engine, as on the pages.
    conventions = visible_conventions(actor).select_related("partner", "fund").order_by("-created_at")
    readable = [c for c in conventions if may_read(actor, c)]  # each decided by the engine, as on the pages
    page = paginate(readable, filters.page)
    return {**page, "items": [convention_out(c) for c in page["items"]]}


@router.get(
    "/conventions/{convention_id}", response=ConventionDetailOut, summary="Une convention et ses versions"
)
def get_convention(request: HttpRequest, convention_id: int):
    return detail(readable_convention(actor_of(request), convention_id))


@router.get(
    "/conventions/{convention_id}/impact",
    response=ImpactOut,
    summary="Effet qu'aurait la validation de la version ouverte : qui perd quel profil",
)
def impact(request: HttpRequest, convention_id: int):
    convention = readable_convention(actor_of(request), convention_id)
    version = convention.open_version()
    if version is None:
        raise ApiProblem(
            409, "aucune-version-ouverte", "Cette convention n'a pas de version en cours de saisie."
        )
    return amendment_impact(version).as_dict()


@router.post(
    "/conventions/{convention_id}/transitions",
    response=ConventionDetailOut,
    summary="Faire avancer la version ouverte (soumettre, valider, rejeter…)",
)
def transition(request: HttpRequest, convention_id: int, payload: TransitionIn):
    actor = actor_of(request)
    convention = readable_convention(actor, convention_id)
    version = convention.open_version()
    if version is None:
        raise ApiProblem(
            409, "aucune-version-ouverte", "Cette convention n'a pas de version en cours de saisie."
        )
    act = {
        "submit": lambda: services.submit(actor, version),
        "validate": lambda: services.validate_version(actor, version),
        "reject": lambda: services.reject_version(actor, version, payload.reason),
        "request_documents": lambda: services.request_documents(actor, version, payload.note),
        "documents_received": lambda: services.receive_documents(actor, version),
        "resume": lambda: services.resume(actor, version),
        "check_instructor_number": lambda: services.check_instructor_number(actor, version),
        "cancel": lambda: services.cancel(actor, version),
        "withdraw": lambda: services.withdraw(actor, version),
    }[payload.action]
    act()
    convention.refresh_from_db()
    return detail(convention)
