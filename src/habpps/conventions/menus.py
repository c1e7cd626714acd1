"""Main-menu entries of the conventions module and of the partner's delegated administration, each shown only
to whom the engine grants its permission in the viewer's own unit (UI-1)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from habpps.authorization.menus import MenuEntry, register
from habpps.conventions import permissions as perms

register(
    MenuEntry(
        "conventions",
        _("Conventions"),
        perms.ENTER_CONVENTIONS,
        lambda account: reverse("conventions:fund-queue"),
        order=50,
    )
)
register(
    MenuEntry(
        "verifications",
        _("Vérifications"),
        perms.VERIFY_CONVENTIONS,
        lambda account: reverse("conventions:verifier-queue"),
        order=55,
    )
)
register(
    MenuEntry(
        "delegation",
        _("Gestion déléguée"),
        perms.MANAGE_PARTNER_ACCOUNTS,
        lambda account: reverse("delegation:home"),
        applies=lambda account: account.partner_id is not None,
        order=46,
    )
)
register(
    MenuEntry(
        "network-conventions",
        _("Conventions du réseau"),
        perms.READ_CONVENTIONS,
        lambda account: reverse("conventions:network"),
        order=51,
    )
)
