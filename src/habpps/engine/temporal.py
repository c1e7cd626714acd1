"""Temporal constraints on users, roles and assignments (ENG-5), as Apache Fortress has them.

A `TemporalConstraint` says *when* a user, a role or one assignment may be used: validity dates, a daily time
window (which may cross midnight: 22:00–06:00 for a night shift), weekdays, blackout (lock) periods and an idle
timeout. The engine checks it when a role is activated and again at every decision, with the time the caller
passes in (or the engine's injected clock): a constraint never reads the system clock itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from habpps.engine.errors import InvalidArgument

WEEKDAY_NAMES = {1: "lundi", 2: "mardi", 3: "mercredi", 4: "jeudi", 5: "vendredi", 6: "samedi", 7: "dimanche"}


def _date(value: Any, name: str) -> date | None:
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise InvalidArgument(
        f"« {name} » doit être une date (AAAA-MM-JJ), reçu « {value} ».", code="invalid_temporal", parameter=name
    )


def _time(value: Any, name: str) -> time | None:
    if value is None or isinstance(value, time):
        return value
    if isinstance(value, str):
        try:
            return time.fromisoformat(value)
        except ValueError:
            pass
    raise InvalidArgument(
        f"« {name} » doit être une heure (HH:MM), reçu « {value} ».", code="invalid_temporal", parameter=name
    )


@dataclass(frozen=True)
class TemporalConstraint:
    """When something may be used. Every field is optional; an empty constraint always holds."""

    begin_date: date | None = None
    end_date: date | None = None
    """Validity dates, both included."""
    begin_time: time | None = None
    end_time: time | None = None
    """Daily window [begin, end); when begin > end the window crosses midnight."""
    weekdays: frozenset[int] = field(default_factory=frozenset)
    """ISO weekdays allowed (1 = Monday … 7 = Sunday); empty means every day."""
    blackouts: tuple[tuple[date, date], ...] = ()
    """Lock periods (first and last day included) during which nothing is allowed."""
    timeout_minutes: int | None = None
    """Idle timeout: refused when the last activity is older than this."""

    @classmethod
    def build(cls, value: Any = None, **fields: Any) -> TemporalConstraint:
        """A validated constraint from keyword fields, a plain dict (policy document) or a constraint."""
        if isinstance(value, TemporalConstraint):
            return value
        if value is not None:
            if not isinstance(value, dict):
                raise InvalidArgument(
                    "Une contrainte temporelle se donne par ses champs (dictionnaire).", code="invalid_temporal"
                )
            fields = {**value, **fields}
        unknown = set(fields) - set(cls.__dataclass_fields__)
        if unknown:
            raise InvalidArgument(
                "Champ(s) de contrainte temporelle inconnu(s) : " + ", ".join(sorted(unknown)) + ".",
                code="invalid_temporal",
            )
        begin_date = _date(fields.get("begin_date"), "begin_date")
        end_date = _date(fields.get("end_date"), "end_date")
        if begin_date and end_date and begin_date > end_date:
            raise InvalidArgument(
                f"La date de début ({begin_date}) est postérieure à la date de fin ({end_date}).",
                code="invalid_temporal",
            )
        begin_time = _time(fields.get("begin_time"), "begin_time")
        end_time = _time(fields.get("end_time"), "end_time")
        if (begin_time is None) != (end_time is None) or (begin_time is not None and begin_time == end_time):
            raise InvalidArgument(
                "Une plage horaire quotidienne demande une heure de début et une heure de fin distinctes.",
                code="invalid_temporal",
            )
        weekdays = fields.get("weekdays") or ()
        if isinstance(weekdays, (str, bytes)) or any(
            isinstance(d, bool) or not isinstance(d, int) or not 1 <= d <= 7 for d in weekdays
        ):
            raise InvalidArgument(
                "Les jours de la semaine sont des entiers de 1 (lundi) à 7 (dimanche).", code="invalid_temporal"
            )
        blackouts = []
        for period in fields.get("blackouts") or ():
            if isinstance(period, dict):
                period = (period.get("start"), period.get("end"))
            start, end = (_date(p, "blackouts") for p in period)
            if start is None or end is None or start > end:
                raise InvalidArgument(
                    "Une période de verrouillage va d'une date de début à une date de fin postérieure ou égale.",
                    code="invalid_temporal",
                )
            blackouts.append((start, end))
        timeout = fields.get("timeout_minutes")
        if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, int) or timeout < 1):
            raise InvalidArgument(
                "Le délai d'inactivité est un nombre entier de minutes, au moins 1.", code="invalid_temporal"
            )
        return cls(begin_date, end_date, begin_time, end_time, frozenset(weekdays), tuple(sorted(blackouts)),
                   timeout)

    def failure(self, now: datetime, last_activity: datetime | None = None) -> str | None:
        """Why the constraint does not hold at ``now`` (a French phrase), or None when it holds."""
        today = now.date()
        if self.begin_date and today < self.begin_date:
            return f"valable seulement à partir du {self.begin_date:%d/%m/%Y}"
        if self.end_date and today > self.end_date:
            return f"valable seulement jusqu'au {self.end_date:%d/%m/%Y}"
        for start, end in self.blackouts:
            if start <= today <= end:
                return f"période de verrouillage du {start:%d/%m/%Y} au {end:%d/%m/%Y}"
        if self.weekdays and now.isoweekday() not in self.weekdays:
            allowed = ", ".join(WEEKDAY_NAMES[d] for d in sorted(self.weekdays))
            return f"autorisé seulement le {allowed}, pas le {WEEKDAY_NAMES[now.isoweekday()]}"
        if self.begin_time is not None and self.end_time is not None:
            moment = now.time().replace(tzinfo=None)
            if not in_daily_window(moment, self.begin_time, self.end_time):
                return f"autorisé seulement de {self.begin_time:%H:%M} à {self.end_time:%H:%M}"
        idle_limit = None if self.timeout_minutes is None else timedelta(minutes=self.timeout_minutes)
        if idle_limit is not None and last_activity is not None and elapsed(now, last_activity) > idle_limit:
            return f"inactif depuis plus de {self.timeout_minutes} minute(s)"
        return None

    def as_dict(self) -> dict[str, Any]:
        """The plain form used in policy documents (only the fields that are set)."""
        doc: dict[str, Any] = {}
        if self.begin_date:
            doc["begin_date"] = self.begin_date.isoformat()
        if self.end_date:
            doc["end_date"] = self.end_date.isoformat()
        if self.begin_time is not None:
            doc["begin_time"] = self.begin_time.isoformat(timespec="minutes" if not self.begin_time.second else
                                                          "seconds")
            assert self.end_time is not None
            doc["end_time"] = self.end_time.isoformat(timespec="minutes" if not self.end_time.second else
                                                      "seconds")
        if self.weekdays:
            doc["weekdays"] = sorted(self.weekdays)
        if self.blackouts:
            doc["blackouts"] = [{"start": s.isoformat(), "end": e.isoformat()} for s, e in self.blackouts]
        if self.timeout_minutes is not None:
            doc["timeout_minutes"] = self.timeout_minutes
        return doc


def elapsed(now: datetime, since: datetime) -> timedelta:
    """``now - since``, even when one is timezone-aware and the other naive (review defect 8): a naive value is
    read as local time, as ``datetime.now()`` — the engine's default clock — gives it."""
    if (now.tzinfo is None) != (since.tzinfo is None):
        now, since = now.astimezone(), since.astimezone()
    return now - since


def in_daily_window(moment: time, begin: time, end: time) -> bool:
    """Whether ``moment`` lies in [begin, end), the window crossing midnight when begin > end."""
    if begin < end:
        return begin <= moment < end
    return moment >= begin or moment < end
