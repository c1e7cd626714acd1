"""The journal for auditors (AUD-4): the search of the auditor pages, within the viewer's scope, as JSON."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from habpps.api.actors import actor_of
from habpps.api.auth import person_auth
from habpps.api.problems import ApiProblem, forbidden
from habpps.api.schemas import PAGE_FIELD, PageMeta, paginate
from habpps.journal.forms import JournalSearchForm
from habpps.journal.models import JournalEntry
from habpps.journal.scoping import journal_population, journal_scope_for
from habpps.journal.search import search_entries

router = Router(tags=["Journal"], auth=person_auth)


class EntryOut(Schema):
    sequence: int
    occurred_at: datetime
    kind: str
    actor_identifier: str
    org_scope: str
    target: str
    request_id: str
    data: dict[str, Any]
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    hash: str


class EntryPage(PageMeta):
    scope: str = Field(description="Le périmètre du journal que l'appelant peut consulter.")
    items: list[EntryOut]


class JournalFilter(Schema):
    kind: str = Field(
        "", max_length=100, description="Type ou famille d'événements, ex. « access » ou « auth.login »."
    )
    actor: str = Field("", max_length=150, description="Identifiant de l'acteur.")
    target: str = Field("", max_length=255, description="Début de la cible, ex. « account: ».")
    scope: str = Field("", max_length=255, description="Sous-périmètre, ex. « national/fund:7 ».")
    request_id: str = Field("", max_length=64)
    since: date | None = None
    until: date | None = None
    page: int = PAGE_FIELD


def _viewer_scope(request: HttpRequest) -> str:
    scope = journal_scope_for(actor_of(request))
    if scope is None:
        raise forbidden("Vos habilitations ne permettent pas de consulter le journal.")
    return scope


@router.get("/journal", response=EntryPage, summary="Rechercher dans le journal de son périmètre")
def search(request: HttpRequest, filters: Query[JournalFilter]):
    scope = _viewer_scope(request)
    values = filters.model_dump(exclude={"page"})
    form = JournalSearchForm(
        {k: ("" if v is None else v.isoformat() if isinstance(v, date) else v) for k, v in values.items()}
    )
    if not form.is_valid():
        raise ApiProblem(
            422,
            "donnees-invalides",
            "Certains critères de recherche sont refusés.",
            [
                {"location": f"query.{field}", "code": "invalid", "message": " ".join(messages)}
                for field, messages in form.errors.items()
            ],
        )
    entries = search_entries(journal_population(actor_of(request)), form.to_query())
    return {**paginate(entries, filters.page), "scope": scope}


@router.get("/journal/{sequence}", response=EntryOut, summary="Une entrée du journal")
def entry(request: HttpRequest, sequence: int):
    _viewer_scope(request)  # refuses who may not audit the journal
    found = JournalEntry.objects.filter(journal_population(actor_of(request))).filter(sequence=sequence).first()
    if found is None:
        raise ApiProblem(404, "introuvable", "Cette entrée n'existe pas ou n'est pas dans votre périmètre.")
    return found
