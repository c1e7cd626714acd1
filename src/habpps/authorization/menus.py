"""The main menu, built from engine decisions (UI-1): an entry is shown only to whom may use it.

Each entry names the permission it needs and the unit it is decided in; apps add their own entries with
``register`` from their ``AppConfig.ready``. No entry ever names a role.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise

from habpps.authorization import permissions as perms
from habpps.authorization.decisions import is_allowed


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


def url_to(name: str, *args) -> Callable[[object], str]:
    """An entry's ``url``: the named page, the same for every viewer."""
    return lambda account: reverse(name, args=args)


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
