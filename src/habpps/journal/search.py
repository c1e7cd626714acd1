"""The auditors' search: filters over the journal, always intersected with the viewer's scope.

Every filter is an exact or prefix match on an indexed column (kind, actor login, target, scope, request id) or
a range on the time, so a search stays fast on a journal of millions of entries. The same query feeds the
result pages, the CSV export of the web interface and ``habpps journal export``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import JournalEntry
from .scoping import NATIONAL_SCOPE


@dataclass(frozen=True)
class JournalQuery:
    """What an auditor looks for; empty fields do not filter. Dates are whole days in the local time zone."""

    kind: str = ""
    actor: str = ""
    target: str = ""
    scope: str = ""
    request_id: str = ""
    since: date | None = None
    until: date | None = None

    def as_json(self) -> dict[str, Any]:
        """The non-empty filters, as journaled with an export."""
        return {name: str(value) for name, value in asdict(self).items() if value}


def search_entries(visible: Q, query: JournalQuery) -> QuerySet[JournalEntry]:
    """Entries matching ``query`` among the ``visible`` ones (the viewer's population,
    `habpps.journal.scoping.journal_population`; ``Q()`` for the whole journal), newest first."""
    entries = JournalEntry.objects.filter(visible)
    if query.scope and query.scope != NATIONAL_SCOPE:
        # A narrower scope inside the viewer's; a scope outside it intersects to nothing.
        entries = entries.within_scope(query.scope)
    if query.kind:
        entries = entries.of_kind(query.kind)
    if query.actor:
        entries = entries.filter(actor_identifier=query.actor)
    if query.target:
        entries = entries.filter(target__startswith=query.target)
    if query.request_id:
        entries = entries.filter(request_id=query.request_id)
    if query.since:
        entries = entries.filter(occurred_at__gte=_start_of_day(query.since))
    if query.until:
        end = query.until + timedelta(days=1) if query.until < date.max else query.until
        entries = entries.filter(occurred_at__lt=_start_of_day(end))
    return entries.order_by("-sequence")


def _start_of_day(day: date) -> datetime:
    # Days at the ends of the calendar cannot be shifted between time zones: clamp to a day that can.
    day = min(max(day, date(1, 1, 2)), date(9999, 12, 30))
    return timezone.make_aware(datetime.combine(day, time.min))
