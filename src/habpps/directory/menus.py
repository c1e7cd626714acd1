"""The directory's entries of the main menu (UI-1), registered from ``DirectoryConfig.ready``."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from habpps.authorization import permissions as perms
from habpps.authorization.menus import MenuEntry, register, url_to
from habpps.authorization.orgs import NATIONAL_UNIT


def _own_partner_url(account) -> str:
    return reverse("directory:partner-detail", args=[account.partner_id])


def register_entries() -> None:
    register(MenuEntry("home", _("Accueil"), None, url_to("home"), order=0))
    register(
        MenuEntry(
            "funds",
            _("Caisses"),
            perms.MANAGE_FUNDS,
            url_to("directory:fund-list"),
            org=lambda a: NATIONAL_UNIT,
            order=10,
        )
    )
    register(
        MenuEntry(
            "catalogue",
            _("Catalogue des services"),
            perms.MANAGE_CATALOGUE,
            url_to("directory:service-list"),
            org=lambda a: NATIONAL_UNIT,
            order=20,
        )
    )
    register(
        MenuEntry(
            "doctrine",
            _("Doctrine nationale"),
            perms.MANAGE_DOCTRINE,
            url_to("directory:doctrine"),
            org=lambda a: NATIONAL_UNIT,
            order=30,
        )
    )
    register(
        MenuEntry(
            "context-constraints",
            _("Contraintes contextuelles"),
            perms.MANAGE_CONTEXT,
            url_to("directory:context-constraints"),
            org=lambda a: NATIONAL_UNIT,
            order=33,
        )
    )
    register(
        MenuEntry(
            "deployment",
            _("Déploiement des services"),
            perms.MANAGE_CATALOGUE,
            url_to("directory:deployment"),
            org=lambda a: NATIONAL_UNIT,
            order=35,
        )
    )
    register(
        MenuEntry(
            "partners", _("Organismes partenaires"), perms.VIEW_PARTNERS, url_to("directory:partner-list"), order=40
        )
    )
    register(
        MenuEntry(
            "my-partner",
            _("Mon organisme"),
            perms.MANAGE_GROUPS,
            _own_partner_url,
            applies=lambda account: account.partner_id is not None,
            order=45,
        )
    )
    register(
        MenuEntry("my-habilitations", _("Mes habilitations"), None, url_to("directory:my-habilitations"), order=90)
    )
