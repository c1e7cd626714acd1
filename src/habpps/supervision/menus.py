"""Main-menu entries of the supervision, each shown only to whom the engine grants its permission in the
viewer's own unit (UI-1)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from habpps.authorization.menus import MenuEntry, register
from habpps.supervision import permissions as perms

register(
    MenuEntry(
        "supervision",
        _("Supervision"),
        perms.VIEW_SUPERVISION,
        lambda account: reverse("supervision:home"),
        order=70,
    )
)
register(
    MenuEntry(
        "recertification",
        _("Recertification"),
        perms.CERTIFY_HABILITATIONS,
        lambda account: reverse("supervision:recertification-todo"),
        order=75,
    )
)
