"""SUP-7 — what breaks least privilege: exclusions reported (not blocked) by the engine, and habilitations
unused for N months (RE-6, the unused-rights part).

Violations are the engine's own conflict report (ENG-7) restricted to ``report`` rules the policy breaks now;
the accounts they name are then selected with the scope in the query. Unused habilitations are one anti-join
in the database: current memberships of groups holding a service profile since before the cutoff, whose member
has no business action of that service in the aggregates since then — read from the job's sums of the window
(``WindowServiceActivity``) and the days after it when the job has summed that window, else from the daily rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, OuterRef, QuerySet

from habpps.accounts.models import Account
from habpps.authorization.labels import in_french
from habpps.authorization.policy_build import in_force
from habpps.directory.models import GroupMembership, GroupRoleAssignment, Status
from habpps.supervision.models import ActivityWindow, DailyServiceActivity, WindowServiceActivity
from habpps.supervision.supervised import Supervised

REPORT = "report"


@dataclass(frozen=True)
class ReportedViolation:
    """A ``report`` exclusion that an account of the scope breaks: the rule, the members held, the message."""

    rule: str
    account: Account
    held: tuple[str, ...]
    message: str

    @property
    def subject(self) -> str:
        return f"{self.rule}:{self.account.login}"


def reported_violations(scope: Supervised, rbac) -> list[ReportedViolation]:
    """Breaches of ``report`` exclusions by users of the scope, in ``rbac`` (the compiled policy's store)."""
    conflicts = [
        conflict
        for conflict in rbac.exclusion_conflicts()
        if conflict.get("risk") == REPORT
        and conflict.get("severity") == "broken"
        and conflict.get("subject_kind") == "user"
    ]
    if not conflicts:
        return []
    accounts = {
        account.login: account
        for account in Account.objects.filter(scope.accounts())
        .filter(login__in={conflict["subject"] for conflict in conflicts})
        .select_related("fund", "partner__fund")
    }
    return [
        ReportedViolation(
            conflict["rule"],
            accounts[conflict["subject"]],
            tuple(in_french(held) for held in conflict["held"]),
            in_french(conflict["message"]),
        )
        for conflict in conflicts
        if conflict["subject"] in accounts
    ]


def unused_habilitations(scope: Supervised, cutoff: date) -> QuerySet:
    """(membership, profile) rows held since before ``cutoff`` without any business action since then.

    Each row carries the account, the group, the profile and its service; ordered by partner and account so a
    partner's candidates read together.
    """
    profiles_held_since = GroupRoleAssignment.objects.current().filter(
        role__status=Status.ACTIVE,
        role__service__status=Status.ACTIVE,
        role__account_level="",
        started_at__lt=_start_of(cutoff),
    )
    account, service = OuterRef("account_id"), OuterRef("group__role_assignments__role__service__code")
    window = ActivityWindow.objects.filter(since=cutoff).first()
    if window is None:
        used = {"used": Exists(DailyServiceActivity.objects.filter(account_id=account, service=service, day__gte=cutoff))}
    else:
        # The job's sums of this window (a row per account and service with an action in it), and the days
        # after it (today's live rows): two anti-joins on small tables instead of one on the window's days.
        used = {
            "used": Exists(WindowServiceActivity.objects.filter(since=cutoff, account_id=account, service=service)),
            "used_later": Exists(
                DailyServiceActivity.objects.filter(account_id=account, service=service, day__gt=window.through)
            ),
        }
    return (
        GroupMembership.objects.current()
        .filter(scope.accounts("account__"), started_at__lt=_start_of(cutoff))
        .filter(
            group__status=Status.ACTIVE,
            group__partner__status=Status.ACTIVE,
            group__partner__fund__status=Status.ACTIVE,
            group__role_assignments__in=profiles_held_since,
        )
        .filter(in_force("account__"))
        .annotate(**used)
        .filter(**dict.fromkeys(used, False))
        .values(
            "id",
            "account_id",
            "account__login",
            "account__first_name",
            "account__last_name",
            "group_id",
            "group__name",
            "group__partner_id",
            "group__partner__name",
            "group__partner__fund_id",
            "group__role_assignments__role__code",
            "group__role_assignments__role__name",
            "group__role_assignments__role__service__code",
            "started_at",
        )
        .order_by("group__partner__name", "account__last_name", "account__first_name", "id")
    )


def _start_of(day: date):
    from habpps.supervision.aggregation import day_start

    return day_start(day)
