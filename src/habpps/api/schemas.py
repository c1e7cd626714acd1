"""Shapes shared by the routers: pages of results and the status change of the life cycle (ADM-6)."""

from __future__ import annotations

from typing import Literal

from django.conf import settings
from django.core.paginator import Paginator
from ninja import Schema
from pydantic import ConfigDict, Field


class Input(Schema):
    """A request body: unknown fields are refused rather than silently ignored."""

    model_config = ConfigDict(extra="forbid")


class StatusIn(Input):
    status: Literal["active", "suspended", "removed"] = Field(
        description="Nouveau statut : réactiver, suspendre ou supprimer (définitif)."
    )


class PageMeta(Schema):
    count: int
    page: int
    pages: int


def paginate(items, page: int) -> dict:
    """One page of ``items`` (a queryset or a list) with its meta; a page past the end is empty."""
    paginator = Paginator(items, settings.HABPPS_PAGE_SIZE)
    number = min(page, max(paginator.num_pages, 1))
    current = paginator.page(number) if paginator.count else []
    return {
        "count": paginator.count,
        "page": page,
        "pages": paginator.num_pages if paginator.count else 0,
        "items": list(current) if number == page else [],
    }


PAGE_FIELD = Field(1, ge=1, le=100_000, description="Numéro de page, à partir de 1.")
SEARCH_FIELD = Field("", max_length=100, description="Recherche libre.")
