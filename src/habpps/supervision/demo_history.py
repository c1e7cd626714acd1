"""A year of plausible history for the demo network, so that every dashboard has something to show on first start.

A fresh demo has no past: the dashboards, findings, acknowledgements and alert mails of the supervision would
all be empty. This module gives the demo network a past of ``days`` days, deterministic (seeded):

* habilitations over time: the groups received their CDAP profile near the start of the year and their members
  joined one after another over the year (the directory's own periods, which the aggregation reads);
* logins and CDAP consultations on working days (fewer on Fridays and in August, almost none at weekends),
  journalled in the very shape the authentication and CDAP write them, with the sections each profile sees;
* a few freezes after wrong passwords; one account of each partner never logs in (a « comptes non connectés »
  finding to act upon).

The journal stays a valid chain: entries are appended by the journal's own ``record_event`` (backdated through
Django's clock while they are written), so ``habpps journal verify`` still passes. Then the aggregation folds the
year into the daily aggregates, as its daily run would have done.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from unittest import mock

from django.db import transaction
from django.utils import timezone

from habpps.accounts.models import Account, OrgLevel
from habpps.directory.models import GroupMembership, GroupRoleAssignment
from habpps.journal.services import record_event
from habpps.supervision import events

HISTORY_SEED = 2025


@contextmanager
def _clock_at(moment: datetime) -> Iterator[None]:
    """Django's clock reads ``moment`` while the block runs (the journal stamps entries with it)."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def _activity(day: date) -> float:
    """How likely a user is to work in CDAP on ``day``: the French working year."""
    if day.weekday() >= 5:
        return 0.02
    rate = 0.45
    if day.month == 8:
        rate = 0.15
    elif day.month == 12 and day.day > 20:
        rate = 0.2
    if day.weekday() == 4:
        rate *= 0.7
    return rate


def seed_demo_history(days: int = 365, *, today: date | None = None) -> int:
    """Give the demo network ``days`` days of past; returns the number of journal entries written."""
    from habpps.cdap.doctrine import section_grants
    from habpps.supervision.aggregation import aggregate
    from habpps.supervision.alerts import run_alerts

    today = today or timezone.localdate()
    first_day = today - timedelta(days=days)
    rng = random.Random(HISTORY_SEED)
    tz = timezone.get_current_timezone()

    def at(day: date, hour: int, minute: int) -> datetime:
        return datetime.combine(day, time(hour, minute), tz)

    users = list(
        Account.objects.filter(org_level=OrgLevel.PARTNER, status="active", role_assignments__isnull=True)
        .select_related("partner__fund")
        .order_by("id")
    )
    memberships = list(GroupMembership.objects.filter(ended_at__isnull=True).select_related("group"))
    # Habilitations over time: profiles granted at the start of the year, members joining along it.
    with transaction.atomic():
        GroupRoleAssignment.objects.filter(ended_at__isnull=True).update(started_at=at(first_day, 9, 0))
        for membership in memberships:
            joined = first_day + timedelta(days=rng.randint(1, max(2, days * 3 // 4)))
            GroupMembership.objects.filter(pk=membership.pk).update(started_at=at(joined, 10, 0))
    joined_on = {
        account_id: started.date()
        for account_id, started in GroupMembership.objects.filter(ended_at__isnull=True).values_list(
            "account_id", "started_at"
        )
    }
    grants = section_grants()
    profiles_of: dict[int, list[str]] = {}
    sections_of: dict[int, list[str]] = {}
    for assignment in GroupRoleAssignment.objects.filter(ended_at__isnull=True).select_related("role"):
        for account_id in GroupMembership.objects.filter(
            group_id=assignment.group_id, ended_at__isnull=True
        ).values_list("account_id", flat=True):
            profiles_of.setdefault(account_id, []).append(assignment.role.code)
            sections_of.setdefault(account_id, []).extend(sorted(grants.get(assignment.role_id, ())))
    # One user per partner never logs in; the others work at their own pace.
    silent = {}
    for user in users:
        silent.setdefault(user.partner_id, user.pk)
    silent_ids = set(silent.values())
    pace = {user.pk: rng.uniform(0.4, 1.3) for user in users}
    written = 0
    day = first_day
    # One transaction for the whole year: a commit per day would cost more than the writing itself.
    with transaction.atomic():
        while day < today:
            rate = _activity(day)
            for user in users:
                if user.pk in silent_ids or joined_on.get(user.pk, today) > day:
                    continue
                if rng.random() > rate * pace[user.pk]:
                    continue
                if rng.random() < 0.004:
                    with _clock_at(at(day, 8, rng.randint(0, 59))):
                        record_event(
                            events.FREEZE,
                            org_scope=user.org_scope,
                            target=user.login,
                            data={"failures": 5, "frozen_until": at(day, 8, 59)},
                        )
                    written += 1
                    continue
                hour = rng.choice((8, 9, 10, 11, 13, 14, 15, 16))
                with _clock_at(at(day, hour, rng.randint(0, 20))):
                    record_event(events.LOGIN, actor=user, org_scope=user.org_scope, target=user.login)
                written += 1
                sections = sections_of.get(user.pk)
                if not sections:
                    continue
                for index in range(rng.randint(1, 4)):
                    shown = rng.sample(sections, k=min(len(sections), rng.randint(1, 3)))
                    with _clock_at(at(day, hour, 21 + index * 9)):
                        record_event(
                            events.CDAP_CONSULTATION,
                            actor=user,
                            org_scope=user.org_scope,
                            target=f"dossier:{user.partner.fund.code}:{rng.randint(1000000, 9999999)}",
                            data={
                                "beneficiary_number": "",
                                "fund": user.partner.fund.code,
                                "partner": user.partner_id,
                                "partner_name": user.partner.name,
                                "view": "section",
                                "sections": shown,
                                "profiles": sorted(profiles_of.get(user.pk, [])),
                            },
                        )
                    written += 1
            day += timedelta(days=1)
    aggregate(since=first_day)
    run_alerts()  # findings to examine and acknowledge, and their mails in the outbox
    return written
