"""Deployment calendars (ADM-1): from which date a role may be granted in which org units.

The national administration opens a service's access profiles wave by wave (the slides: profiles T1–T5 first,
T6–T16 a year later) and may open a fund earlier or later than the others. A calendar says, per role, the date
from which it opens in an org unit; the entry of the nearest unit on the target unit's lineage decides (a fund's
own date overrides the national one), and a role without any entry is not under a calendar: it is open
everywhere. An entry without date means "not scheduled": closed.

The calendar is a value: `with_opening` returns a new calendar, so a compiled policy can hold one while the next
version is prepared. Decisions carry their explanation in French (ENG-9).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

Lineage = Callable[[str], Iterable[str]]
"""An org unit and its ancestors, nearest first."""


@dataclass(frozen=True)
class DeploymentDecision:
    """Whether ``role`` may be granted in ``org`` on ``day``, which unit's entry decided, and why."""

    granted: bool
    role: str
    org: str
    day: date
    reason: str
    """``not_scheduled`` (no calendar), ``open``, ``not_yet_open`` or ``closed``."""
    unit: str | None = None
    opens_on: date | None = None

    def __bool__(self) -> bool:
        return self.granted

    @property
    def message(self) -> str:
        where = f"« {self.unit} »" if self.unit else ""
        if self.reason == "not_scheduled":
            return f"Le profil « {self.role} » n'a pas de calendrier de déploiement : il est ouvert partout."
        if self.reason == "open":
            return f"Le profil « {self.role} » est ouvert dans {where} depuis le {self.opens_on:%d/%m/%Y}."
        if self.reason == "not_yet_open":
            return (
                f"Le profil « {self.role} » n'est pas encore ouvert dans {where} : il ouvre le "
                f"{self.opens_on:%d/%m/%Y}."
            )
        return f"Le profil « {self.role} » n'est pas ouvert dans {where} : aucune date d'ouverture n'est fixée."


class DeploymentCalendar:
    """Per (role, org unit), the date the role opens there (None: closed). Immutable."""

    __slots__ = ("_openings", "_roles")

    def __init__(self, openings: Mapping[tuple[str, str], date | None] | None = None) -> None:
        self._openings: Mapping[tuple[str, str], date | None] = MappingProxyType(dict(openings or {}))
        self._roles = frozenset(role for role, _org in self._openings)

    @property
    def openings(self) -> Mapping[tuple[str, str], date | None]:
        return self._openings

    def with_opening(self, role: str, org: str, opens_on: date | None) -> DeploymentCalendar:
        """A calendar where ``role`` opens in ``org`` on ``opens_on`` (None: closed there)."""
        return DeploymentCalendar({**self._openings, (role, org): opens_on})

    def without_opening(self, role: str, org: str) -> DeploymentCalendar:
        """A calendar where ``org`` has no entry of its own for ``role`` (its ancestors' entries decide)."""
        openings = dict(self._openings)
        openings.pop((role, org), None)
        return DeploymentCalendar(openings)

    def decide(self, role: str, org: str, lineage: Lineage, day: date) -> DeploymentDecision:
        """May ``role`` be granted in ``org`` on ``day``? The nearest unit of ``org``'s lineage with an entry
        for the role decides; a role without any entry is open everywhere."""
        if role not in self._roles:
            return DeploymentDecision(True, role, org, day, "not_scheduled")
        for unit in lineage(org):
            if (role, unit) not in self._openings:
                continue
            opens_on = self._openings[(role, unit)]
            if opens_on is None:
                return DeploymentDecision(False, role, org, day, "closed", unit)
            if opens_on > day:
                return DeploymentDecision(False, role, org, day, "not_yet_open", unit, opens_on)
            return DeploymentDecision(True, role, org, day, "open", unit, opens_on)
        return DeploymentDecision(False, role, org, day, "closed", org)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DeploymentCalendar) and dict(self._openings) == dict(other._openings)

    def __hash__(self) -> int:
        return hash(frozenset(self._openings.items()))

    def __repr__(self) -> str:
        return f"DeploymentCalendar({dict(self._openings)!r})"
