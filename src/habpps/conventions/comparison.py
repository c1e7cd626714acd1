"""Versions side by side (CNV-4): what an amendment adds, removes or changes against the version in force."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from habpps.conventions.models import BulletinProfile, ConventionVersion

ADDED, REMOVED, CHANGED, KEPT = "added", "removed", "changed", "kept"
LABELS = {ADDED: _("Ajouté"), REMOVED: _("Retiré"), CHANGED: _("Limite modifiée"), KEPT: _("Inchangé")}


@dataclass(frozen=True)
class ProfileRow:
    service: str
    profile: str
    left: tuple[bool, int | None]
    right: tuple[bool, int | None]
    change: str

    @property
    def change_label(self):
        return LABELS[self.change]


def _granted(version: ConventionVersion | None) -> dict[tuple[str, str], int | None]:
    if version is None:
        return {}
    rows = BulletinProfile.objects.filter(bulletin__version=version).select_related(
        "bulletin__service", "role"
    )
    return {(row.bulletin.service.name, row.role.name): row.max_users for row in rows}


def compare(left: ConventionVersion | None, right: ConventionVersion | None) -> list[ProfileRow]:
    """One row per profile granted by either version, with the change from ``left`` to ``right``."""
    before, after = _granted(left), _granted(right)
    rows = []
    for key in sorted(before.keys() | after.keys()):
        in_left, in_right = key in before, key in after
        if in_left and in_right:
            change = KEPT if before[key] == after[key] else CHANGED
        else:
            change = ADDED if in_right else REMOVED
        rows.append(
            ProfileRow(key[0], key[1], (in_left, before.get(key)), (in_right, after.get(key)), change)
        )
    return rows
