"""The workbench's home: stored models, recent mining runs, and the ways in."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from habpps.workbench.models import MiningRun, StoredRoleModel
from habpps.workbench.views.mixins import WorkbenchMixin


class HomeView(WorkbenchMixin, TemplateView):
    template_name = "workbench/home.html"
    extra_context = {"title": _("Atelier des rôles")}

    def get_context_data(self, **kwargs) -> dict:
        return super().get_context_data(
            models=StoredRoleModel.objects.select_related("updated_by")[:50],
            runs=MiningRun.objects.defer("upa", "result", "progress")[:20],
            **kwargs,
        )
