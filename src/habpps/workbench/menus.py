"""The workbench's main-menu entry, shown only to whom the engine grants ``utiliser atelier-roles`` (UI-1)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from habpps.authorization.menus import MenuEntry, register
from habpps.workbench.permissions import USE_WORKBENCH, WORKBENCH_UNIT

register(
    MenuEntry(
        "workbench",
        _("Atelier des rôles"),
        USE_WORKBENCH,
        lambda account: reverse("workbench:home"),
        org=lambda account: WORKBENCH_UNIT,
        order=80,
    )
)
