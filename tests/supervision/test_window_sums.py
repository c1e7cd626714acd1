"""Issue 19 §3: the job moves the observed windows' sums by difference (the days folded since added, the days
leaving subtracted) and they are, row for row, what rewriting them whole from the daily rows gives — night after
night of random activity, across month ends, a change of window length, missed nights and re-runs."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from habpps.supervision import aggregation
from habpps.supervision.aggregation import aggregate, refresh_windows, slide_windows
from habpps.supervision.models import (
    ActivityWindow,
    AggregationState,
    DailyServiceActivity,
    SupervisionSettings,
    WindowServiceActivity,
)
from supervision.conftest import consult, today

REWRITE_WHOLE = aggregation._rewrite_windows  # before the tests count its calls
ACCOUNTS = range(1, 15)
SERVICES = ("cdap", "cafpro")


def window_rows() -> list[tuple]:
    """Each window's sums, under the window's start (whatever key its rows are stored under)."""
    rows = []
    for window in ActivityWindow.objects.order_by("since"):
        rows += [
            (window.since, *row)
            for row in WindowServiceActivity.objects.filter(since=window.rows_since)
            .order_by("account_id", "service")
            .values_list("account_id", "fund_id", "partner_id", "service", "actions", "days", "last_day")
        ]
    assert len(rows) == WindowServiceActivity.objects.count()  # no row outside the windows
    return rows


def windows() -> list[tuple[date, date]]:
    return list(ActivityWindow.objects.order_by("since").values_list("since", "through"))


def rewritten(through: date, day_after: date) -> tuple[list[tuple], list[tuple[date, date]]]:
    """The sums the full rewrite gives for the same pass, the database left as it was."""
    with transaction.atomic():
        REWRITE_WHOLE(through, day_after)
        result = window_rows(), windows()
        transaction.set_rollback(True)
    return result


def reference(through: date, day_after: date) -> list[tuple]:
    """The naive model: each observed window summed in Python from the daily rows."""
    rows = []
    for since in sorted(aggregation.window_starts(day_after)):
        sums: dict[tuple, list] = {}
        daily = DailyServiceActivity.objects.filter(day__gte=since, day__lte=through)
        for row in daily.values("account_id", "fund_id", "partner_id", "service", "actions", "day"):
            key = (row["account_id"], row["fund_id"], row["partner_id"], row["service"])
            total = sums.setdefault(key, [0, 0, row["day"]])
            total[0], total[1], total[2] = total[0] + row["actions"], total[1] + 1, max(total[2], row["day"])
        rows += [(since, a, f, p, s, *total) for (a, f, p, s), total in sums.items()]
    return sorted(rows, key=lambda row: (row[0], row[1], row[4]))


class Night:
    """The job's nightly pass, simulated on the daily rows: fold one day's random activity, then move the sums."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        # Each account's activity: some act daily, some rarely, some only in the first weeks (their last day
        # leaves the window, their rows fall to zero).
        self.rate = {account: self.rng.choice((0.0, 0.05, 0.3, 0.8)) for account in ACCOUNTS}
        self.stops = {account: self.rng.random() < 0.3 for account in ACCOUNTS}
        self.origin: date | None = None

    def fold(self, day: date) -> None:
        self.origin = self.origin or day
        rows = []
        for account in ACCOUNTS:
            if self.stops[account] and (day - self.origin).days > 20:
                continue
            for service in SERVICES:
                if self.rng.random() < self.rate[account]:
                    fund = account % 3 or None
                    rows.append(
                        DailyServiceActivity(
                            day=day,
                            account_id=account,
                            fund_id=fund,
                            partner_id=account if fund else None,
                            service=service,
                            actions=self.rng.randint(1, 40),
                        )
                    )
        DailyServiceActivity.objects.bulk_create(rows)
        AggregationState.objects.update_or_create(pk=AggregationState.SINGLETON_ID, defaults={"last_day": day})


def window_months(activity: int, unused: int) -> SupervisionSettings:
    settings = SupervisionSettings.current()
    settings.activity_window_months, settings.unused_months = activity, unused
    settings.save()
    return settings


@pytest.fixture
def rewrites(monkeypatch):
    """How many passes rewrote the sums whole instead of moving them by difference."""
    count = [0]
    original = aggregation._rewrite_windows

    def counted(*args):
        count[0] += 1
        return original(*args)

    monkeypatch.setattr(aggregation, "_rewrite_windows", counted)
    return count


def check(through: date, day_after: date) -> None:
    rows, summed = rewritten(through, day_after)
    assert window_rows() == rows == reference(through, day_after)
    assert windows() == summed


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_window_sums_moved_by_difference_are_those_rewritten_whole_night_after_night(seed, rewrites):
    settings = window_months(1, 2)
    night = Night(seed)
    # Mid-January to April: the windows' starts cross the end of February (clamped starts, a start jumping from
    # 28 January to 1 February) while accounts stop acting and their rows leave.
    first, last = date(2026, 1, 12), date(2026, 4, 8)
    missed = {date(2026, 3, 8), date(2026, 3, 9)}  # the next night folds three days, the windows slide by three
    day, previous = first, None
    expected_rewrites, seen = 0, set()
    while day <= last:
        night.fold(day)
        if day in missed:
            day += timedelta(days=1)
            continue
        if day == date(2026, 2, 20):
            settings.activity_window_months = 3  # a longer window: its start moves back, rewritten whole
            settings.save()
            expected_rewrites += 1
        if day == date(2026, 3, 25):
            settings.activity_window_months = 1  # back to a shorter one: its start jumps weeks, rewritten whole
            settings.save()
            expected_rewrites += 1
        if previous is None:
            expected_rewrites += 1  # nothing summed yet
        refresh_windows(day, day + timedelta(days=1), added_after=previous)
        assert rewrites[0] == expected_rewrites, day
        check(day, day + timedelta(days=1))
        # The same pass again (a re-run after the day was folded): nothing moves, same rows.
        before = window_rows()
        refresh_windows(day, day + timedelta(days=1), added_after=day)
        assert window_rows() == before
        assert rewrites[0] == expected_rewrites
        seen |= {row[1] for row in window_rows()}
        previous, day = day, day + timedelta(days=1)
    assert WindowServiceActivity.objects.exists()
    # Accounts that stopped acting were summed, then their rows fell to zero as their last days left.
    stopped = {account for account, stops in night.stops.items() if stops} & seen
    assert stopped
    assert not WindowServiceActivity.objects.filter(account_id__in=stopped).exists()


@pytest.mark.django_db
def test_sums_not_through_the_day_before_the_folded_days_are_rewritten_whole(rewrites):
    window_months(1, 1)
    night = Night(4)
    start = date(2026, 5, 1)
    for offset in range(40):
        night.fold(start + timedelta(days=offset))
    through = start + timedelta(days=30)
    refresh_windows(through, through + timedelta(days=1))
    # The job says it folded the days after the 33rd, but the sums stop at the 31st: two days would be missed.
    later = start + timedelta(days=35)
    assert slide_windows(later, later + timedelta(days=1), start + timedelta(days=33)) is None
    refresh_windows(later, later + timedelta(days=1), added_after=start + timedelta(days=33))
    assert rewrites[0] == 2
    check(later, later + timedelta(days=1))


@pytest.mark.django_db
def test_daily_rows_changed_under_the_sums_roll_the_difference_back_and_rewrite(rewrites):
    window_months(1, 1)
    night = Night(5)
    start = date(2026, 6, 1)
    for offset in range(45):
        night.fold(start + timedelta(days=offset))
    through = start + timedelta(days=40)
    refresh_windows(through, through + timedelta(days=1))
    # A leaving day's rows corrected behind the job's back (no `since` backfill): subtracting them would take
    # sums below zero. The difference is rolled back and the sums rewritten.
    since = min(aggregation.window_starts(through + timedelta(days=1)))
    leaving = DailyServiceActivity.objects.filter(day=since)
    assert leaving.exists()
    leaving.update(actions=10_000)
    assert slide_windows(through + timedelta(days=1), through + timedelta(days=2), through) is None
    assert windows() == [(since, through)]
    refresh_windows(through + timedelta(days=1), through + timedelta(days=2), added_after=through)
    assert rewrites[0] == 2
    check(through + timedelta(days=1), through + timedelta(days=2))


def test_the_job_moves_the_sums_by_difference_only_after_its_own_position(net, monkeypatch):
    calls = []
    monkeypatch.setattr(aggregation, "refresh_windows", lambda through, **kw: calls.append(kw) or 0)
    consult(net.user_a)
    aggregate(until=today())
    aggregate(today(), since=today())
    AggregationState.objects.update(last_day=today() - timedelta(days=2))
    aggregate(until=today())
    assert calls == [{"added_after": None}, {"added_after": None}, {"added_after": today() - timedelta(days=2)}]


def test_the_dashboards_read_the_sums_of_a_window_moved_by_difference(net):
    """SUP-2 and SUP-7 read a moved window under its rows' key (``rows_since``, no longer its start) and answer
    what summing the daily rows answers."""
    from habpps.directory.models import GroupMembership, GroupRoleAssignment
    from habpps.supervision.dashboards.activity import top_business_actions
    from habpps.supervision.dashboards.least_privilege import unused_habilitations
    from habpps.supervision.periods import months_before
    from supervision.test_dashboards import _random_activity, scopes

    long_ago = timezone.now() - timedelta(days=400)
    GroupMembership.objects.update(started_at=long_ago)
    GroupRoleAssignment.objects.update(started_at=long_ago)
    through, since = today() - timedelta(days=1), months_before(today(), 6)
    _random_activity(net, 7, through)
    members = sorted(set(GroupMembership.objects.current().values_list("account_id", flat=True)))
    DailyServiceActivity.objects.filter(account_id__in=members[:2], day__gte=since - timedelta(days=3)).delete()

    def figures():
        return [
            (
                [(row.account.pk, row.total, row.days, row.last_day) for row in top_business_actions(scope, s, since, 5)],
                list(unused_habilitations(scope, since)),
            )
            for scope in scopes(net).values()
            for s in ("cdap", "cafpro")
        ]

    from_days = figures()
    refresh_windows(through - timedelta(days=1), today() - timedelta(days=1))
    refresh_windows(through, today(), added_after=through - timedelta(days=1))
    window = ActivityWindow.objects.get()
    assert (window.since, window.through) == (since, through) and window.rows_since < since  # moved, not rewritten
    assert figures() == from_days
    assert any(ranked for ranked, _unused in from_days) and any(unused for _ranked, unused in from_days)
