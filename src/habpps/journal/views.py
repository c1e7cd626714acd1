"""Auditor pages (AUD-4): search the journal, read one entry, export the results as CSV.

Every page is limited to the viewer's scope (:func:`habpps.journal.scoping.journal_scope_for`); an account
without the right to audit gets a 403, an entry outside the scope is a 404. Exports are themselves journaled
(who exported what), because an export takes personal data out of the platform.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, ListView

from .csv_export import csv_lines
from .forms import JournalSearchForm
from .labels import Names, field_label, kind_label, scope_choices, value_label
from .models import JournalEntry
from .scoping import journal_population, journal_scope_for
from .search import JournalQuery, search_entries
from .services import record_event

EXPORT_CHUNK_SIZE = 2000


class AuditorRequiredMixin(LoginRequiredMixin):
    """Sets ``self.viewer_scope``; refuses accounts that may not audit the journal."""

    viewer_scope: str

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        scope = journal_scope_for(request.user)
        if scope is None:
            raise PermissionDenied
        self.viewer_scope = scope
        return super().dispatch(request, *args, **kwargs)


class JournalSearchView(AuditorRequiredMixin, ListView):
    """Search form and paginated results, newest first; works without JavaScript (a GET form)."""

    template_name = "journal/search.html"
    context_object_name = "entries"

    def get_paginate_by(self, queryset: Any) -> int:
        return getattr(settings, "HABPPS_PAGE_SIZE", 25)

    def get_queryset(self):  # type: ignore[no-untyped-def]
        self.form = JournalSearchForm(self.request.GET or None, scope_choices=scope_choices(self.viewer_scope))
        if not self.form.is_bound:
            return search_entries(journal_population(self.request.user), JournalQuery())
        if not self.form.is_valid():
            return JournalEntry.objects.none()
        return search_entries(journal_population(self.request.user), self.form.to_query())

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        if self.form.is_bound and not self.form.is_valid():
            kwargs["status"] = 400  # refused filters: the page shows why, next to each field
        return super().render_to_response(context, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        filters = self.request.GET.copy()
        filters.pop("page", None)
        entries = list(context.get("entries") or [])
        names = Names(
            [self.viewer_scope, *(entry.org_scope for entry in entries)],
            [entry.actor_identifier for entry in entries],
            [entry.target for entry in entries],
        )
        context.update(
            title=_("Journal des événements"),
            form=self.form,
            viewer_scope=self.viewer_scope,
            viewer_scope_label=names.scope(self.viewer_scope),
            rows=[
                {
                    "entry": entry,
                    "kind": kind_label(entry.kind),
                    "actor": names.person(entry.actor_identifier),
                    "scope": names.scope(entry.org_scope),
                    "target": names.target(entry.target),
                }
                for entry in entries
            ],
            query_string=f"{filters.urlencode()}&" if filters else "",
        )
        return context


class JournalEntryView(AuditorRequiredMixin, DetailView):
    """One entry in full, with the before/after of an administrative change side by side."""

    template_name = "journal/entry.html"
    context_object_name = "entry"

    def get_object(self, queryset: Any = None) -> JournalEntry:
        entry = (
            JournalEntry.objects.filter(journal_population(self.request.user))
            .filter(sequence=self.kwargs["sequence"])
            .first()
        )
        if entry is None:
            raise Http404
        return entry

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        entry = self.object
        names = Names([entry.org_scope], [entry.actor_identifier], [entry.target])
        context.update(
            kind_label=kind_label(entry.kind),
            actor_label=names.person(entry.actor_identifier),
            scope_label=names.scope(entry.org_scope),
            target_label=names.target(entry.target),
            title=_("Entrée n° %(sequence)s") % {"sequence": self.object.sequence},
            breadcrumb=[{"url": reverse("journal:search"), "title": _("Journal des événements")}],
            data_json=json.dumps(self.object.data, indent=2, ensure_ascii=False, sort_keys=True),
            changes=changed_fields(self.object.before, self.object.after),
        )
        return context


class JournalExportView(AuditorRequiredMixin, View):
    """The current search as a CSV file (UTF-8 with BOM, ``;``), streamed so that size does not matter."""

    def get(self, request: HttpRequest) -> HttpResponse:
        form = JournalSearchForm(request.GET or None)
        if form.is_bound and not form.is_valid():
            context = {
                "title": _("Journal des événements"),
                "form": form,
                "entries": [],
                "viewer_scope": self.viewer_scope,
            }
            return render(request, "journal/search.html", context, status=400)
        query = form.to_query() if form.is_bound else JournalQuery()
        # The query is built before the export is journalled: a query that fails is never recorded as exported.
        entries = search_entries(journal_population(request.user), query).iterator(chunk_size=EXPORT_CHUNK_SIZE)
        record_event(
            "journal.export",
            actor=request.user,
            org_scope=self.viewer_scope,
            target="journal",
            data={"filters": query.as_json(), "viewer_scope": self.viewer_scope, "format": "csv"},
        )
        filename = f"journal-{timezone.localtime():%Y%m%d-%H%M%S}.csv"
        return StreamingHttpResponse(
            csv_lines(entries),
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )


def changed_fields(before: Any, after: Any) -> list[dict[str, Any]]:
    """Rows (field, before, after, changed) over the union of keys of two mappings, for the entry page."""
    if not isinstance(before, dict) and not isinstance(after, dict):
        return []
    before, after = before or {}, after or {}
    return [
        {
            "field": key,
            "label": field_label(key),
            "before": value_label(before.get(key)),
            "after": value_label(after.get(key)),
            "changed": before.get(key) != after.get(key),
        }
        for key in sorted(set(before) | set(after))
    ]
