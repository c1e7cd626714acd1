"""What every workbench page shares: the engine decides access, in the national unit."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from habpps.authorization.mixins import EngineAccessMixin
from habpps.workbench.permissions import USE_WORKBENCH, WORKBENCH_UNIT


class WorkbenchMixin(EngineAccessMixin):
    """A page of the workbench: a 404 for whoever the engine does not grant ``utiliser atelier-roles``."""

    permission = USE_WORKBENCH

    def get_permission_org(self) -> str:
        return WORKBENCH_UNIT


def home_crumb() -> list[dict]:
    return [{"url": reverse("workbench:home"), "title": _("Atelier des rôles")}]
