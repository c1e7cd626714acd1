"""Time-bound access (ENG-5 temporal): the bounds a granter puts on a profile, as the engine reads them.

A profile given to a group or to an account may carry a start date, an end date, a daily window and weekdays
(``directory.models.AccessWindow``). This module is the one translation between those columns and the engine's
``TemporalConstraint``: the policy build and the change log replay it (``set_group_assignment_temporal`` /
``set_assignment_temporal``), the services validate a window through the engine's own rules before storing it,
and the pages describe it in plain French. The engine decides at every decision with the request's time, so an
access stops by itself at the end of its last day; nothing needs to run then.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time
from typing import Any

from django.core.exceptions import ValidationError

from habpps.engine import RBACError
from habpps.engine.temporal import WEEKDAY_NAMES, TemporalConstraint

WINDOW_FIELDS = ("valid_from", "valid_until", "daily_from", "daily_until", "weekdays")


@dataclass(frozen=True)
class Window:
    """The bounds of one grant; every part optional (an empty window: always)."""

    valid_from: date | None = None
    valid_until: date | None = None
    daily_from: time | None = None
    daily_until: time | None = None
    weekdays: tuple[int, ...] = ()

    @classmethod
    def of(cls, row: Any) -> Window:
        """The window stored on an assignment row (or any object with the same attributes)."""
        return cls(
            row.valid_from,
            row.valid_until,
            row.daily_from,
            row.daily_until,
            tuple(sorted(int(d) for d in (row.weekdays or ""))),
        )

    @classmethod
    def from_data(cls, data: dict[str, Any] | None) -> Window:
        """A window from a form's or an API payload's values (missing keys: unbounded)."""
        data = data or {}
        days = data.get("weekdays") or ()
        if isinstance(days, str):
            days = [d for d in days if d.strip()]
        return cls(
            data.get("valid_from"),
            data.get("valid_until"),
            data.get("daily_from"),
            data.get("daily_until"),
            tuple(sorted({int(d) for d in days})),
        )

    def __bool__(self) -> bool:
        return any((self.valid_from, self.valid_until, self.daily_from, self.daily_until, self.weekdays))

    def constraint(self) -> dict[str, Any] | None:
        """The engine's temporal constraint (its policy-document form), or None when unbounded."""
        if not self:
            return None
        return TemporalConstraint.build(
            begin_date=self.valid_from,
            end_date=self.valid_until,
            begin_time=self.daily_from,
            end_time=self.daily_until,
            weekdays=list(self.weekdays),
        ).as_dict()

    def columns(self) -> dict[str, Any]:
        """The values of the ``AccessWindow`` columns."""
        return {
            "valid_from": self.valid_from,
            "valid_until": self.valid_until,
            "daily_from": self.daily_from,
            "daily_until": self.daily_until,
            "weekdays": "".join(str(d) for d in self.weekdays),
        }

    def as_json(self) -> dict[str, Any]:
        """The window as JSON values (ISO dates and times; empty parts left out), for a held change."""
        return {
            name: value if isinstance(value, str) else value.isoformat()
            for name, value in self.columns().items()
            if value
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Window:
        """The window `as_json` wrote."""
        data = data or {}

        def parse(name: str, kind: Any) -> Any:
            return kind.fromisoformat(data[name]) if data.get(name) else None

        return cls(
            parse("valid_from", date),
            parse("valid_until", date),
            parse("daily_from", time),
            parse("daily_until", time),
            tuple(sorted(int(d) for d in data.get("weekdays", ""))),
        )

    def as_record(self) -> dict[str, Any] | None:
        """The journal's picture of the window (ISO strings), None when unbounded."""
        return self.constraint()

    def describe(self) -> str:
        """The window in plain French (« du 01/12/2026 au 31/01/2027, de 08:00 à 18:00, du lundi au vendredi »)."""
        parts = []
        if self.valid_from and self.valid_until:
            parts.append(f"du {self.valid_from:%d/%m/%Y} au {self.valid_until:%d/%m/%Y}")
        elif self.valid_from:
            parts.append(f"à partir du {self.valid_from:%d/%m/%Y}")
        elif self.valid_until:
            parts.append(f"jusqu'au {self.valid_until:%d/%m/%Y} inclus")
        if self.daily_from and self.daily_until:
            parts.append(f"de {self.daily_from:%H:%M} à {self.daily_until:%H:%M}")
        if self.weekdays:
            parts.append(describe_weekdays(self.weekdays))
        return ", ".join(parts) if parts else "sans limite de temps"

    def state_on(self, today: date) -> str:
        """« à venir », « en cours » or « terminé » on ``today`` (the daily window aside)."""
        if self.valid_until and today > self.valid_until:
            return "terminé"
        if self.valid_from and today < self.valid_from:
            return "à venir"
        return "en cours"


def describe_weekdays(days: tuple[int, ...]) -> str:
    if list(days) == list(range(days[0], days[-1] + 1)) and len(days) > 2:
        return f"du {WEEKDAY_NAMES[days[0]]} au {WEEKDAY_NAMES[days[-1]]}"
    return "le " + ", ".join(WEEKDAY_NAMES[d] for d in days)


def check_window(window: Window) -> None:
    """Refuse, with the engine's French explanation, a window the engine would not accept."""
    try:
        window.constraint()
    except RBACError as error:
        # The engine writes dates as ISO (2027-01-07); people read them as 07/01/2027.
        message = ISO_DATE.sub(lambda m: f"{m['day']}/{m['month']}/{m['year']}", str(error.message))
        raise ValidationError(message, code="invalid_window") from error


ISO_DATE = re.compile(r"\b(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})\b")


def store_window(row: Any, window: Window) -> Window:
    """Write ``window`` on a grant row (its warning mail to be sent again for the new end) and return the window
    it replaces; the caller journals both and holds the ``policy_change``."""
    before = Window.of(row)
    for name, value in window.columns().items():
        setattr(row, name, value)
    row.expiry_notice_sent_on = None
    row.save(update_fields=[*WINDOW_FIELDS, "expiry_notice_sent_on"])
    return before
