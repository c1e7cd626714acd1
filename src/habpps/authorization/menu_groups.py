"""The main menu grouped under a few headings, so that a long menu fits a laptop's width (UI-1, RGAA zoom).

The registry (``menus.menu_for``) decides *which* entries a viewer sees, from engine decisions; this module only
arranges what was decided: entries are put under the heading their key belongs to. A short menu stays flat, and
a heading the viewer would see with a single entry shows that entry as a plain link — nobody opens a sub-menu
to find one link.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

# Menus of this many entries or fewer are shown flat: they fit the header as they are.
FLAT_UP_TO = 5

# Heading of each entry key, in the order headings appear; entries of no heading stay at the top level.
GROUPS = {
    "network": (_("Réseau"), ("funds", "partners", "network-conventions", "my-partner", "delegation")),
    "conventions": (_("Conventions"), ("conventions", "verifications")),
    "settings": (
        _("Paramétrage national"),
        ("catalogue", "doctrine", "cdap-doctrine", "context-constraints", "deployment", "model", "simulate", "auth-policy"),
    ),
    "control": (_("Contrôle"), ("approvals", "supervision", "recertification", "journal", "cdap-report", "workbench")),
    "me": (_("Mon compte"), ("my-habilitations", "security")),
}
_GROUP_OF = {key: group for group, (_label, keys) in GROUPS.items() for key in keys}


@dataclass
class MenuItem:
    """A top-level item of the header: a link (``entries`` empty) or a heading opening a sub-menu."""

    key: str
    label: str
    url: str = ""
    current: bool = False
    entries: list[dict] = field(default_factory=list)

    @property
    def is_group(self) -> bool:
        return bool(self.entries)


def grouped(entries: list[dict]) -> list[MenuItem]:
    """Arrange the viewer's entries (``menu_for``'s output) into top-level links and sub-menus."""
    if len(entries) <= FLAT_UP_TO:
        return [_link(entry) for entry in entries]
    by_group: dict[str, list[dict]] = {}
    for entry in entries:
        by_group.setdefault(_GROUP_OF.get(entry["key"], ""), []).append(entry)
    items = [_link(entry) for entry in by_group.pop("", [])]
    for group, (label, _keys) in GROUPS.items():
        members = by_group.get(group, [])
        if len(members) == 1:
            items.append(_link(members[0]))
        elif members:
            items.append(
                MenuItem(
                    key=group,
                    label=str(label),
                    current=any(member["current"] for member in members),
                    entries=members,
                )
            )
    return items


def _link(entry: dict) -> MenuItem:
    return MenuItem(key=entry["key"], label=str(entry["label"]), url=entry["url"], current=entry["current"])
