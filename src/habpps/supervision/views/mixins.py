"""What the supervision pages share: the viewer's population of « supervision » decided by the engine, CSV
answers, the period."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from habpps.journal.services import record_event
from habpps.supervision import events
from habpps.supervision.catch_up import catch_up, refresh_today
from habpps.supervision.csv_export import csv_response
from habpps.supervision.models import AggregationState, SupervisionSettings
from habpps.supervision.periods import months_before
from habpps.supervision.supervised import Supervised, supervised_by


class SupervisionAccessMixin(LoginRequiredMixin):
    """Sets ``self.scope`` (`Supervised`: the viewer's population); a viewer the engine does not let supervise
    gets a 404 (nothing to reveal)."""

    scope: Supervised
    dashboard_title = ""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        scope = supervised_by(request.user)
        if scope is None:
            raise Http404
        self.scope = scope
        catch_up()  # yesterday is folded by the first page read after midnight (and by the hourly timer)
        refresh_today()  # and today's figures so far, at most once a minute
        self.settings_row = SupervisionSettings.current()
        return super().dispatch(request, *args, **kwargs)

    def wants_csv(self) -> bool:
        return self.request.GET.get("format") == "csv"

    def csv(self, name: str, header, rows, filters: dict | None = None):
        """Journal the export (personal data leaving the platform), then stream it."""
        record_event(
            events.EXPORTED,
            actor=self.request.user,
            org_scope=self.request.user.org_scope,
            target=f"tableau:{name}",
            data={"dashboard": name, "filters": filters or {}, "format": "csv"},
        )
        return csv_response(name, header, rows)

    def observed_since(self) -> date:
        return months_before(timezone.localdate(), self.settings_row.activity_window_months)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            scope_label=self.scope.label(),
            aggregated_until=AggregationState.objects.values_list("last_day", flat=True).first(),
            live_until=timezone.localtime(),
            settings_row=self.settings_row,
        )
        if self.dashboard_title:
            context.setdefault("title", self.dashboard_title)
            context.setdefault(
                "breadcrumb", [{"url": reverse("supervision:home"), "title": _("Supervision")}]
            )
        return context


def account_organisation(account) -> str:
    """The organisation an account works for, as shown in the lists."""
    return str(account.organisation) if account.organisation is not None else _("Organisme national")
