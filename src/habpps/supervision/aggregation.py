"""The aggregation job: fold each finished day of the journal and of the directory into the daily aggregates.

Incremental and idempotent: the job resumes after the last day it aggregated, takes the finished days up to
yesterday in chunks, and for each chunk deletes whatever aggregates those days already had and writes them
again, in one transaction — a crashed or repeated run leaves no double count. The journal is read with a few
GROUP BY queries per chunk (by day, account, scope), so the database does the counting over its millions of
rows; only the small grouped results cross into Python, where they are mapped to funds and partners and rolled
up to each level of the network.

Habilitations per profile (SUP-4) are not journal events but periods of the directory (group memberships and
group profiles, each with its start and end): the count for a day is what was held at the end of that day, so
history is exact even for days the job did not run.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Min, Q
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import TruncDate
from django.utils import timezone

from habpps.accounts.models import Account
from habpps.directory.models import Group, GroupMembership, GroupRoleAssignment, ServiceRole
from habpps.journal.models import JournalEntry
from habpps.supervision import events
from habpps.supervision.models import (
    ActivityWindow,
    AggregationState,
    DailyAccountActivity,
    DailyHabilitationCount,
    DailySectionConsultation,
    DailyServiceActivity,
    Level,
    SupervisionSettings,
    WindowServiceActivity,
)
from habpps.supervision.periods import months_before

CHUNK_DAYS = 31
BATCH_SIZE = 5000
ALL_PROFILES = ""
"""Profile column of the SUP-5 rows that count every consultation once, whatever the viewer's profiles."""


@dataclass
class AggregationReport:
    """What one run did, for the command's output and the journal."""

    first_day: date | None = None
    last_day: date | None = None
    days: int = 0
    rows: Counter = field(default_factory=Counter)

    def as_json(self) -> dict:
        return {
            "first_day": self.first_day,
            "last_day": self.last_day,
            "days": self.days,
            "rows": dict(self.rows),
        }


def aggregate(until: date | None = None, *, since: date | None = None) -> AggregationReport:
    """Aggregate every finished day after the last one aggregated (or from ``since``) up to ``until``.

    ``until`` defaults to yesterday: today is still being written. ``since`` re-aggregates from a given day,
    e.g. after a correction of the journal's reference data.
    """
    until = until or timezone.localdate() - timedelta(days=1)
    state, _created = AggregationState.objects.get_or_create(pk=AggregationState.SINGLETON_ID)
    start = since or (state.last_day + timedelta(days=1) if state.last_day else _first_journal_day())
    report = AggregationReport()
    if start is None or start > until:
        return report
    directory = AccountDirectory.load()
    for first, last in _chunks(start, until, CHUNK_DAYS):
        with transaction.atomic():
            _lock_state()  # one writer of a day at a time: a live refresh of today waits, then sees it done
            _aggregate_chunk(first, last, directory, report)
            AggregationState.objects.filter(pk=state.pk).update(last_day=last, ran_at=timezone.now())
    report.first_day, report.last_day = start, until
    report.days = (until - start).days + 1
    # Only the days after the job's previous position were folded: the sums can move by difference.
    added_after = state.last_day if since is None else None
    report.rows[WindowServiceActivity.__name__] = refresh_windows(until, added_after=added_after)
    return report


def window_starts(today: date) -> set[date]:
    """The first days of the windows the dashboards observe today (SUP-2's period, SUP-7's cutoff)."""
    row = SupervisionSettings.current()
    return {months_before(today, row.activity_window_months), months_before(today, row.unused_months)}


def refresh_windows(through: date, today: date | None = None, *, added_after: date | None = None) -> int:
    """Sum each observed window of ``today`` over the days aggregated up to ``through`` (issue 19).

    Days after ``through`` (today's live rows) are added by the dashboards themselves; a window the job has not
    summed (the settings changed since) is read from the daily rows as before. ``added_after`` is the job's
    position before this run, when the run folded only the days after it (no ``since`` backfill): the sums are
    then moved by difference when they can be (``slide_windows``), else rewritten whole, in one statement per
    window, from the window's daily rows. Returns the number of rows written."""
    today = today or timezone.localdate()
    with transaction.atomic():
        _lock_state()
        if added_after is not None:
            moved = slide_windows(through, today, added_after)
            if moved is not None:
                return moved
        return _rewrite_windows(through, today)


def _rewrite_windows(through: date, today: date) -> int:
    """Delete every window sum and write each observed window again from its daily rows (in a transaction)."""
    daily, window = DailyServiceActivity._meta.db_table, WindowServiceActivity._meta.db_table
    written = 0
    WindowServiceActivity.objects.all().delete()
    ActivityWindow.objects.all().delete()
    for since in sorted(window_starts(today)):
        if since > through:
            continue
        # Accounts never change organisation (ADM-5): their rows all carry the same fund and partner.
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {window} (since, account_id, fund_id, partner_id, service, actions, days, last_day) "
                f"SELECT %s, account_id, MAX(fund_id), MAX(partner_id), service, SUM(actions), COUNT(*), MAX(day) "
                f"FROM {daily} WHERE day >= %s AND day <= %s GROUP BY account_id, service",
                [since, since, through],
            )
            written += cursor.rowcount
        ActivityWindow.objects.create(since=since, through=through, rows_since=since)
    return written


MONTH_END_SHIFT = 3
"""How many more days than its end a window's start may move in one pass: ``months_before`` clamps to the month's
last day, so after the 28th of a short month the start waits, then catches up (28 Jan → 1 Feb on 1 March)."""


def _slide_plan(through: date, today: date, added_after: date) -> list[tuple[ActivityWindow, date]] | None:
    """Each summed window paired with the start it moves to, or ``None`` when a difference would be uncertain.

    A difference is exact when both ends of each window only moved forward and the daily rows of the days it
    keeps are those that were summed: the sums run through the day before the days this run folded (no day
    skipped or folded twice), the windows are as many as before, each start moved at most as far as the end
    (plus the month-end clamping, ``MONTH_END_SHIFT``: a change of length moves it by four weeks or more), and
    still overlaps what was summed."""
    summed = list(ActivityWindow.objects.order_by("since"))
    starts = sorted(window_starts(today))
    if not summed or len(summed) != len(starts) or any(since > through for since in starts):
        return None
    old_starts = {window.since for window in summed}
    plan = []
    for window, since in zip(summed, starts, strict=True):
        moved_by, slid_by = (since - window.since).days, (through - window.through).days
        if (
            window.through != added_after
            or slid_by < 0
            or not 0 <= moved_by <= slid_by + MONTH_END_SHIFT
            or since > window.through + timedelta(days=1)
            or (since != window.since and since in old_starts)
        ):
            return None
        plan.append((window, since))
    return plan


def slide_windows(through: date, today: date, added_after: date) -> int | None:
    """Move the summed windows by difference to ``today``'s windows through ``through``: add the days folded
    since (after ``added_after``), subtract the days that left each window. ``None`` (and nothing changed) when
    the difference would be uncertain; the caller then rewrites the sums whole. Inside the caller's transaction.

    Per account and service, the actions and the days with actions are added and subtracted; the last day with
    actions cannot be subtracted: a row whose days fall to 0 is deleted, a row whose last day left the window
    takes the last of its days still in it, from the daily rows of those rows only (as the start only moves
    forward, a row losing its last day loses all its days: this finds none when the sums are right). A sum that
    would fall below zero, or a row left with days but none of them in the window, means the daily rows changed
    under the sums: the savepoint is rolled back and ``None`` returned."""
    plan = _slide_plan(through, today, added_after)
    if plan is None:
        return None
    try:
        with transaction.atomic():
            written = 0
            for window, since in plan:
                written += _slide_window(window, since, through)
                ActivityWindow.objects.filter(pk=window.pk).update(since=since, through=through)
            return written
    except IntegrityError:
        return None


def _slide_window(window: ActivityWindow, since: date, through: date) -> int:
    """Move one window's sums from [window.since, window.through] to [since, through] (both ends forward); its
    rows keep their key (``rows_since``)."""
    daily, table = DailyServiceActivity._meta.db_table, WindowServiceActivity._meta.db_table
    key, old_since, old_through = window.rows_since, window.since, window.through
    written = 0
    with connection.cursor() as cursor:
        if since != old_since:
            # The days leaving the window, subtracted from the rows that had actions on them.
            cursor.execute(
                f"UPDATE {table} SET actions = actions - leaving.out_actions, days = days - leaving.out_days "
                f"FROM (SELECT account_id AS out_account, service AS out_service, SUM(actions) AS out_actions, "
                f"COUNT(*) AS out_days FROM {daily} WHERE day >= %s AND day < %s GROUP BY account_id, service) "
                f"AS leaving WHERE since = %s AND account_id = leaving.out_account "
                f"AND service = leaving.out_service",
                [old_since, since, key],
            )
            written += cursor.rowcount
            cursor.execute(f"DELETE FROM {table} WHERE since = %s AND days = 0", [key])
            written += cursor.rowcount
            # A row whose last day left keeps days in [since, old_through]: the last of them (NULL would mean the
            # daily rows changed under the sums; the column refuses it and the caller rewrites).
            cursor.execute(
                f"UPDATE {table} SET last_day = (SELECT MAX(day) FROM {daily} AS kept "
                f"WHERE kept.account_id = {table}.account_id AND kept.service = {table}.service "
                f"AND kept.day >= %s AND kept.day <= %s) WHERE since = %s AND last_day < %s",
                [since, old_through, key, since],
            )
            written += cursor.rowcount
        if through != old_through:
            # The days folded since, added (a new row, or the sums of an existing one; they are its last days).
            cursor.execute(
                f"INSERT INTO {table} (since, account_id, fund_id, partner_id, service, actions, days, last_day) "
                f"SELECT %s, account_id, MAX(fund_id), MAX(partner_id), service, SUM(actions), COUNT(*), MAX(day) "
                f"FROM {daily} WHERE day > %s AND day <= %s GROUP BY account_id, service "
                f"ON CONFLICT (since, account_id, service) DO UPDATE SET "
                f"actions = {table}.actions + excluded.actions, days = {table}.days + excluded.days, "
                f"last_day = excluded.last_day",
                [key, old_through, through],
            )
            written += cursor.rowcount
    return written


def aggregate_today(today: date | None = None) -> AggregationReport:
    """Fold today's journal so far into today's rows, so that the dashboards show the day in progress.

    Today's rows are rewritten at each call (deleted and written again in one transaction, like any day) and the
    job's position (``AggregationState.last_day``) does not move: after midnight the job folds the whole day as
    usual and replaces these partial rows. A day already folded by the job is left alone.
    """
    today = today or timezone.localdate()
    report = AggregationReport()
    with transaction.atomic():
        state = _lock_state()
        if state.last_day is not None and state.last_day >= today:
            return report
        _aggregate_chunk(today, today, AccountDirectory.load(), report)
    report.first_day = report.last_day = today
    report.days = 1
    return report


def _lock_state() -> AggregationState:
    """The job's state row, locked until the end of the transaction (PostgreSQL; SQLite writes one at a time)."""
    AggregationState.objects.get_or_create(pk=AggregationState.SINGLETON_ID)
    return AggregationState.objects.select_for_update().get(pk=AggregationState.SINGLETON_ID)


def _first_journal_day() -> date | None:
    first = JournalEntry.objects.aggregate(first=Min("occurred_at"))["first"]
    return timezone.localdate(first) if first else None


def _chunks(start: date, end: date, size: int) -> Iterator[tuple[date, date]]:
    while start <= end:
        last = min(end, start + timedelta(days=size - 1))
        yield start, last
        start = last + timedelta(days=1)


def day_start(day: date) -> datetime:
    """The first instant of ``day`` in the platform's time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass
class AccountDirectory:
    """Each account's fund and partner, and logins to ids: accounts never change organisation (ADM-5)."""

    by_id: dict[int, tuple[int | None, int | None]]
    by_login: dict[str, int]

    @classmethod
    def load(cls) -> AccountDirectory:
        by_id, by_login = {}, {}
        rows = Account.objects.values_list("id", "login", "fund_id", "partner_id", "partner__fund_id")
        for pk, login, fund_id, partner_id, partner_fund_id in rows.iterator(chunk_size=20000):
            by_id[pk] = (partner_fund_id if partner_id else fund_id, partner_id)
            by_login[login] = pk
        return cls(by_id, by_login)

    def organisation(self, account_id: int) -> tuple[int | None, int | None]:
        return self.by_id.get(account_id, (None, None))


def _aggregate_chunk(first: date, last: date, directory: AccountDirectory, report: AggregationReport) -> None:
    days = Q(day__gte=first, day__lte=last)
    for model in (
        DailyAccountActivity,
        DailyServiceActivity,
        DailyHabilitationCount,
        DailySectionConsultation,
    ):
        model.objects.filter(days).delete()
    entries = JournalEntry.objects.filter(
        occurred_at__gte=day_start(first), occurred_at__lt=day_start(last + timedelta(days=1))
    )
    writers = (
        (DailyAccountActivity, _account_activity(entries, directory)),
        (DailyServiceActivity, _service_activity(entries, directory)),
        (DailySectionConsultation, _section_consultations(entries)),
        (DailyHabilitationCount, _habilitation_counts(first, last)),
    )
    for model, rows in writers:
        report.rows[model.__name__] += _bulk_insert(model, rows)


def _bulk_insert(model, rows: Iterable[dict]) -> int:
    """Insert ``rows`` (column values by attribute name); COPY on PostgreSQL, where a year's backfill writes
    millions of rows and building a model instance for each would cost more than the whole query work."""
    if connection.vendor == "postgresql":
        return _copy_insert(model, rows)
    count, batch = 0, []
    for row in rows:
        batch.append(model(**row))
        if len(batch) >= BATCH_SIZE:
            model.objects.bulk_create(batch)
            count, batch = count + len(batch), []
    if batch:
        model.objects.bulk_create(batch)
        count += len(batch)
    return count


def _copy_insert(model, rows: Iterable) -> int:
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    rows = list(rows)  # the generators query the journal: finish before the connection enters COPY mode
    statement = f"COPY {model._meta.db_table} ({', '.join(field.column for field in fields)}) FROM STDIN"
    count = 0
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([row[field.attname] for field in fields])
            count += 1
    return count


def _per_day(entries, kinds: Iterable[str], *keys: str, **expressions):
    """Counts of ``entries`` of ``kinds`` grouped by local day and ``keys``."""
    return (
        entries.filter(kind__in=list(kinds))
        .annotate(day=TruncDate("occurred_at"), **expressions)
        .values("day", *keys, *expressions)
        .annotate(n=Count("sequence"))
        .order_by()
    )


def _account_activity(entries, directory: AccountDirectory) -> Iterator[dict]:
    """Logins and freezes per account and day; both events name the account's login as their target."""
    counts: dict[tuple[date, int], list[int]] = defaultdict(lambda: [0, 0])
    for column, kind in ((0, events.LOGIN), (1, events.FREEZE)):
        for row in _per_day(entries, [kind], "target"):
            account_id = directory.by_login.get(row["target"])
            if account_id is not None:
                counts[(row["day"], account_id)][column] += row["n"]
    for (day, account_id), (logins, freezes) in counts.items():
        fund_id, partner_id = directory.organisation(account_id)
        yield dict(
            day=day,
            account_id=account_id,
            fund_id=fund_id,
            partner_id=partner_id,
            logins=logins,
            freezes=freezes,
        )


def _service_activity(entries, directory: AccountDirectory) -> Iterator[dict]:
    """Business actions per account, service and day (SUP-2)."""
    for service, kinds in events.BUSINESS_ACTION_KINDS.items():
        for row in _per_day(entries, kinds, "actor_pk"):
            if not row["actor_pk"].isdigit():
                continue
            account_id = int(row["actor_pk"])
            if account_id not in directory.by_id:
                continue
            fund_id, partner_id = directory.organisation(account_id)
            yield dict(
                day=row["day"],
                account_id=account_id,
                fund_id=fund_id,
                partner_id=partner_id,
                service=service,
                actions=row["n"],
            )


def parse_org_scope(org_scope: str) -> tuple[int | None, int | None]:
    """``national/fund:7/partner:42`` → (7, 42); the journal's scope of the viewer at the time."""
    fund_id = partner_id = None
    for segment in org_scope.split("/")[1:]:
        unit, _sep, key = segment.partition(":")
        if not key.isdigit():
            continue
        if unit == "fund":
            fund_id = int(key)
        elif unit == "partner":
            partner_id = int(key)
    return fund_id, partner_id


def _json_list(text) -> list[str]:
    if not text:
        return []
    value = json.loads(text) if isinstance(text, str) else text
    return [str(item) for item in value] if isinstance(value, list) else []


def _section_consultations(entries) -> Iterator[dict]:
    """Sections shown per day, profile and organisation (SUP-5), rolled up to funds and the nation.

    Grouping by the JSON text of the lists keeps the work in the database: there are few distinct combinations
    of sections and profiles, however many consultations.
    """
    counts: Counter = Counter()
    grouped = _per_day(
        entries,
        events.SECTION_VIEW_KINDS,
        "org_scope",
        sections=KeyTextTransform("sections", "data"),
        profiles=KeyTextTransform("profiles", "data"),
    )
    for row in grouped:
        fund_id, partner_id = parse_org_scope(row["org_scope"])
        profiles = [*_json_list(row["profiles"]), ALL_PROFILES]
        for section in _json_list(row["sections"]):
            for profile in profiles:
                for key in _levels(fund_id, partner_id):
                    counts[(row["day"], *key, section, profile)] += row["n"]
    for (day, level, fund_id, partner_id, section, profile), count in counts.items():
        yield dict(
            day=day,
            level=level,
            fund_id=fund_id,
            partner_id=partner_id,
            section=section,
            profile=profile,
            count=count,
        )


def _levels(fund_id: int | None, partner_id: int | None) -> list[tuple[str, int | None, int | None]]:
    """The units a count of this organisation is added to: the nation, its fund, its partner."""
    keys = [(Level.NATIONAL, None, None)]
    if fund_id is not None:
        keys.append((Level.FUND, fund_id, None))
        if partner_id is not None:
            keys.append((Level.PARTNER, fund_id, partner_id))
    return keys


def _habilitation_counts(first: date, last: date) -> Iterator[dict]:
    """Accounts holding each profile at the end of each day of [first, last], at every level (SUP-4)."""
    end = day_start(last + timedelta(days=1))
    overlapping = Q(started_at__lt=end) & (
        Q(ended_at__isnull=True) | Q(ended_at__gte=day_start(first + timedelta(days=1)))
    )
    role_codes = dict(ServiceRole.objects.values_list("id", "code"))
    group_partner = {
        pk: (fund_id, partner_id)
        for pk, partner_id, fund_id in Group.objects.values_list("id", "partner_id", "partner__fund_id")
    }
    group_roles: dict[int, list[tuple[int, int | None, int]]] = defaultdict(list)
    for group_id, role_id, started, ended in GroupRoleAssignment.objects.filter(overlapping).values_list(
        "group_id", "role_id", "started_at", "ended_at"
    ):
        group_roles[group_id].append((role_id, *_held_days(started, ended, first)))
    if not group_roles:
        return
    held: dict[tuple[int, int, int], list[tuple[int, int | None]]] = defaultdict(list)
    memberships = GroupMembership.objects.filter(overlapping, group_id__in=list(group_roles)).values_list(
        "group_id", "account_id", "started_at", "ended_at"
    )
    for group_id, account_id, started, ended in memberships.iterator(chunk_size=20000):
        member_from, member_to = _held_days(started, ended, first)
        for role_id, role_from, role_to in group_roles[group_id]:
            span = _intersection((member_from, member_to), (role_from, role_to))
            if span is not None:
                held[(group_partner[group_id][1], role_id, account_id)].append(span)
    length = (last - first).days + 1
    deltas: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0] * (length + 1))
    for (partner_id, role_id, _account), spans in held.items():
        for span_from, span_to in _merged(spans):
            lo, hi = max(span_from, 0), length - 1 if span_to is None else min(span_to, length - 1)
            if lo <= hi:
                deltas[(partner_id, role_id)][lo] += 1
                deltas[(partner_id, role_id)][hi + 1] -= 1
    partner_fund = {partner_id: fund_id for fund_id, partner_id in group_partner.values()}
    totals: Counter = Counter()
    for (partner_id, role_id), delta in deltas.items():
        running = 0
        for index in range(length):
            running += delta[index]
            if running:
                for key in _levels(partner_fund[partner_id], partner_id):
                    totals[(index, *key, role_codes[role_id])] += running
    for (index, level, fund_id, partner_id, role), count in totals.items():
        yield dict(
            day=first + timedelta(days=index),
            level=level,
            fund_id=fund_id,
            partner_id=partner_id,
            role=role,
            count=count,
        )


def _held_days(started: datetime, ended: datetime | None, origin: date) -> tuple[int, int | None]:
    """Day indices (from ``origin``) at whose end a period is in force: from its start's day to the day before
    its end's day (a period ending at 10:00 is no longer held at the end of that day)."""
    first = (timezone.localdate(started) - origin).days
    last = None if ended is None else (timezone.localdate(ended) - origin).days - 1
    return first, last


def _intersection(a: tuple[int, int | None], b: tuple[int, int | None]) -> tuple[int, int | None] | None:
    lo = max(a[0], b[0])
    ends = [end for end in (a[1], b[1]) if end is not None]
    hi = min(ends) if ends else None
    return None if hi is not None and hi < lo else (lo, hi)


def _merged(spans: list[tuple[int, int | None]]) -> list[tuple[int, int | None]]:
    """Union of day spans, so an account holding a profile through two groups counts once."""
    merged: list[tuple[int, int | None]] = []
    for lo, hi in sorted(spans, key=lambda span: span[0]):
        if merged and (merged[-1][1] is None or lo <= merged[-1][1] + 1):
            previous_lo, previous_hi = merged[-1]
            merged[-1] = (previous_lo, None if previous_hi is None or hi is None else max(previous_hi, hi))
        else:
            merged.append((lo, hi))
    return merged
