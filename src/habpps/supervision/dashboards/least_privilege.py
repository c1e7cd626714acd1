"""SUP-7 — what breaks least privilege: exclusions reported (not blocked) by the engine, and habilitations
unused for N months (RE-6, the unused-rights part).

Violations are the engine's own conflict report (ENG-7) restricted to ``report`` rules the policy breaks now;
the accounts they name are then selected with the scope in the query. Unused habilitations are one anti-join
in the database: current memberships of groups holding a service profile since before the cutoff, whose member
has no business action of that service in the aggregates since then — read from the job's sums of the window
(``WindowServiceActivity``) and the days after it when the job has summed that window, else from the daily rows.

The page reads them by key (`unused_habilitations_page`): the rows after (or before) a cursor in the list's order,
and no count — counting the national list meant running the whole join a second time (issue 19). The CSV export
reads the whole list (`unused_habilitations`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from habpps.accounts.models import Account
from habpps.authorization.labels import in_french
from habpps.authorization.policy_build import in_force
from habpps.directory.models import GroupMembership, GroupRoleAssignment, Partner, Status
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
    partner's candidates read together, then by membership and profile (`SORT_KEY`: the order is total, so a page
    read by key after any row goes on exactly where the page of that row ended).
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
            "used": Exists(
                WindowServiceActivity.objects.filter(since=window.rows_since, account_id=account, service=service)
            ),
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
            "group__role_assignments__id",
            "group__role_assignments__role__service__code",
            "started_at",
        )
        .order_by(*(field for field, _column in SORT_KEY))
    )


SORT_KEY = (
    ("group__partner__name", "sort_partner"),
    ("account__last_name", "sort_last_name"),
    ("account__first_name", "sort_first_name"),
    ("id", "sort_membership"),
    ("group__role_assignments__id", "sort_assignment"),
)
"""The list's order, field by field, and the name of each field's alias in the keyed query. The membership and
its profile assignment (the row's identity) end it; the rest is the order the page has always shown."""

BATCHES = (64, 512, 4096, None)
"""How many partners, taken in the order of their names, each round of a page reads: most pages are filled by
the first few dozen partners after the cursor (every partner has only its handful of unused rights), read through
the indexes; a scope with few of them widens the range, and the last round reads everything left."""


@dataclass(frozen=True)
class UnusedPage:
    """One page of `unused_habilitations`, read by key: its rows, and whether rows come before and after it."""

    rows: list[dict]
    has_previous: bool
    has_next: bool

    @property
    def first_cursor(self) -> str | None:
        return cursor_of(self.rows[0]) if self.rows else None

    @property
    def last_cursor(self) -> str | None:
        return cursor_of(self.rows[-1]) if self.rows else None


def cursor_of(row: dict) -> str:
    """The position of a row in the URL: its membership and its group's profile assignment (« 812-77 »)."""
    return f"{row['id']}-{row['group__role_assignments__id']}"


def key_of(cursor: str | None) -> tuple | None:
    """The sort key of the row a cursor names, read afresh (None for a malformed cursor or a vanished row)."""
    if not cursor:
        return None
    membership, _dash, assignment = cursor.partition("-")
    if not all(part.isdigit() and len(part) <= 18 for part in (membership, assignment)):
        return None
    names = (
        GroupMembership.objects.filter(pk=int(membership))
        .values_list("group__partner__name", "account__last_name", "account__first_name")
        .first()
    )
    return None if names is None else (*names, int(membership), int(assignment))


def _beyond(key: tuple, forward: bool) -> Q:
    """Rows strictly after ``key`` in the list's order (before it when not ``forward``): the row comparison
    written out field by field, so that it reads the same on every database."""
    lookup = "gt" if forward else "lt"
    aliases = [alias for _field, alias in SORT_KEY]
    condition = Q()
    for depth in range(len(aliases)):
        equal = {aliases[index]: key[index] for index in range(depth)}
        condition |= Q(**equal, **{f"{aliases[depth]}__{lookup}": key[depth]})
    return condition


def unused_habilitations_page(
    scope: Supervised,
    cutoff: date,
    *,
    after: tuple | None = None,
    before: tuple | None = None,
    last: bool = False,
    size: int = 50,
    batches: tuple = BATCHES,
) -> UnusedPage:
    """The ``size`` rows of `unused_habilitations` that follow the sort key ``after`` (the first ones without a
    key), or precede ``before`` (the ``last`` ones: before the end); never counted.

    Each round reads the rows of a range of partner names — the next ``batches[i]`` partners of the scope in the
    order of their names, the last round everything left — until the page is full: the same rows, in the same
    order, as the whole list cut at the key (the ranges only bound the query; which partners bound them does not
    change what it finds)."""
    forward = before is None and not last
    key = after if forward else before
    if batches[-1] is not None:
        batches = (*batches, None)
    keyed = unused_habilitations(scope, cutoff).alias(**{alias: F(field) for field, alias in SORT_KEY})
    if not forward:
        keyed = keyed.order_by(*(f"-{field}" for field, _alias in SORT_KEY))
    partners = Partner.objects.filter(scope.partners(), status=Status.ACTIVE, fund__status=Status.ACTIVE)
    partners = partners.order_by("name" if forward else "-name").values_list("name", flat=True)
    name = "sort_partner"
    inside, outside = ("lte", "gt") if forward else ("gte", "lt")
    rows: list[dict] = []
    query = keyed.filter(_beyond(key, forward)) if key is not None else keyed
    bounded = partners
    if key is not None:  # the first round starts at the cursor's partner (the key says where in it)
        reached = "gte" if forward else "lte"
        query = query.filter(**{f"{name}__{reached}": key[0]})
        bounded = partners.filter(**{f"name__{reached}": key[0]})
    for batch in batches:
        end = next(iter(bounded[batch - 1 : batch]), None) if batch is not None else None
        if end is not None:
            query = query.filter(**{f"{name}__{inside}": end})
        rows += query[: size + 1 - len(rows)]
        if len(rows) > size or end is None:
            break
        # The next round: the partners beyond the last name read.
        query = keyed.filter(**{f"{name}__{outside}": end})
        bounded = partners.filter(**{f"name__{outside}": end})
    more = len(rows) > size
    rows = rows[:size]
    if not forward:
        rows.reverse()
    return UnusedPage(
        rows=rows,
        has_previous=more if not forward else key is not None,
        has_next=more if forward else key is not None,
    )


def _start_of(day: date):
    from habpps.supervision.aggregation import day_start

    return day_start(day)
