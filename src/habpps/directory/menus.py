"""The main menu, built from engine decisions (UI-1): an entry is shown only to whom may use it.

Each entry names the permission it needs and the unit it is decided in; apps add their own entries with
``register`` from their ``AppConfig.ready``. No entry ever names a role.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from habpps.directory import permissions as perms
from habpps.directory.decisions import is_allowed
from habpps.directory.orgs import NATIONAL_UNIT


@dataclass(frozen=True)
class MenuEntry:
    """A link of the main menu and the permission it requires.

    ``url`` maps the viewer to the link (some entries point into the viewer's own organisation); ``org`` maps
    the viewer to the unit the permission is decided in (default: the viewer's own unit).
    """

    key: str
    label: str | Promise
    permission: perms.Permission | None
    url: Callable[[object], str]
    org: Callable[[object], str] | None = None
    order: int = 100
    applies: Callable[[object], bool] | None = None

    def visible_to(self, account) -> bool:
        if self.applies is not None and not self.applies(account):
            return False
        if self.permission is None:
            return True
        org = self.org(account) if self.org else None
        return is_allowed(account, self.permission.operation, self.permission.obj, org)


_registry: dict[str, MenuEntry] = {}


def register(entry: MenuEntry) -> None:
    """Add or replace an entry of the main menu."""
    _registry[entry.key] = entry


def _url(name: str, *args) -> Callable[[object], str]:
    return lambda account: reverse(name, args=args)


def _own_partner_url(account) -> str:
    return reverse("directory:partner-detail", args=[account.partner_id])


def menu_for(account, current_path: str = "") -> list[dict]:
    """The entries ``account`` may use, in order, each marked current when the page is under its link."""
    entries = []
    for entry in sorted(_registry.values(), key=lambda e: (e.order, e.key)):
        try:
            if not entry.visible_to(account):
                continue
            url = entry.url(account)
        except NoReverseMatch:
            continue
        current = current_path == url if url == "/" else current_path.startswith(url)
        entries.append({"key": entry.key, "label": entry.label, "url": url, "current": current})
    return entries


register(MenuEntry("home", _("Accueil"), None, _url("home"), order=0))
register(
    MenuEntry(
        "funds",
        _("Caisses"),
        perms.MANAGE_FUNDS,
        _url("directory:fund-list"),
        org=lambda a: NATIONAL_UNIT,
        order=10,
    )
)
register(
    MenuEntry(
        "catalogue",
        _("Catalogue des services"),
        perms.MANAGE_CATALOGUE,
        _url("directory:service-list"),
        org=lambda a: NATIONAL_UNIT,
        order=20,
    )
)
register(
    MenuEntry(
        "doctrine",
        _("Doctrine nationale"),
        perms.MANAGE_DOCTRINE,
        _url("directory:doctrine"),
        org=lambda a: NATIONAL_UNIT,
        order=30,
    )
)
register(
    MenuEntry(
        "deployment",
        _("Déploiement des services"),
        perms.MANAGE_CATALOGUE,
        _url("directory:deployment"),
        org=lambda a: NATIONAL_UNIT,
        order=35,
    )
)
register(
    MenuEntry(
        "partners", _("Organismes partenaires"), perms.VIEW_PARTNERS, _url("directory:partner-list"), order=40
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
    MenuEntry("my-habilitations", _("Mes habilitations"), None, _url("directory:my-habilitations"), order=90)
)
