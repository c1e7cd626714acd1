"""``habpps alerts run``: observe what the dashboards flag, update the findings, e-mail each new one once.

Observed kinds: SUP-1 inactive users, SUP-2 users over the business-action threshold (one alert per new
multiple of the threshold), SUP-7 reported exclusion violations, and ADM-8 partners that let a campaign's
deadline pass with unanswered items. Each open finding not yet mailed and not acknowledged goes, in one digest
per recipient, to the administrators of its partner and of its fund whom the engine lets ``recevoir
alertes-supervision``; then it is marked as mailed and never mailed again until its state changes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.core.mail import send_mail
from django.db.models import Count, Q, Sum
from django.template.loader import render_to_string
from django.utils import timezone

from habpps.accounts.models import Account, AccountStatus
from habpps.authorization.decisions import is_allowed
from habpps.authorization.policy_build import accounts_in_force
from habpps.authorization.policy_cache import current_policy
from habpps.journal.services import record_event
from habpps.supervision import events
from habpps.supervision.dashboards.inactivity import inactivity_cutoff
from habpps.supervision.dashboards.least_privilege import reported_violations
from habpps.supervision.findings import Observation, SyncReport, synchronise
from habpps.supervision.models import (
    DailyServiceActivity,
    Finding,
    FindingKind,
    ItemDecision,
    RecertificationItem,
    SupervisionSettings,
)
from habpps.supervision.periods import months_before
from habpps.supervision.permissions import RECEIVE_ALERTS
from habpps.supervision.recertification import send_reminders
from habpps.supervision.supervised import Supervised


@dataclass
class AlertRun:
    """What a run found and sent, for the command's output and the journal."""

    findings: dict[str, SyncReport] = field(default_factory=dict)
    mails: int = 0
    notified: int = 0
    reminders: int = 0


def run_alerts(now: datetime | None = None) -> AlertRun:
    """Observe, synchronise the findings, mail the new ones, send the recertification reminders."""
    now = now or timezone.now()
    settings_row = SupervisionSettings.current()
    run = AlertRun()
    observers = {
        FindingKind.INACTIVE_USER: lambda: observe_inactive_users(settings_row, now),
        FindingKind.BUSINESS_ACTIONS: lambda: observe_business_actions(settings_row, now),
        FindingKind.EXCLUSION_VIOLATION: observe_violations,
        FindingKind.UNANSWERED_RECERTIFICATION: lambda: observe_unanswered_recertification(now),
    }
    for kind, observe in observers.items():
        run.findings[kind] = synchronise(kind, observe(), now)
    run.mails, run.notified = notify_new_findings(now)
    run.reminders = send_reminders(now)
    record_event(
        events.ALERTS_SENT,
        org_scope="national",
        target="supervision",
        data={
            "findings": {kind: vars(report) for kind, report in run.findings.items()},
            "mails": run.mails,
            "notified": run.notified,
            "reminders": run.reminders,
        },
    )
    return run


def _organisation(account: Account) -> dict:
    fund_id = account.partner.fund_id if account.partner_id else account.fund_id
    return {"account_id": account.pk, "fund_id": fund_id, "partner_id": account.partner_id}


def observe_inactive_users(settings_row: SupervisionSettings, now: datetime) -> list[Observation]:
    """SUP-1: the state is the last login, so a later login followed by a new silence is a new finding."""
    cutoff = inactivity_cutoff(now, settings_row.inactivity_months)
    accounts = (
        accounts_in_force()
        .filter(Q(last_login__lt=cutoff) | Q(last_login__isnull=True, created_at__lt=cutoff))
        .values_list("id", "login", "fund_id", "partner_id", "partner__fund_id", "last_login")
    )
    return [
        Observation(
            subject=f"account:{pk}",
            state=last_login.isoformat() if last_login else "jamais",
            account_id=pk,
            fund_id=partner_fund_id if partner_id else fund_id,
            partner_id=partner_id,
            details={"login": login, "last_login": last_login, "months": settings_row.inactivity_months},
        )
        for pk, login, fund_id, partner_id, partner_fund_id, last_login in accounts.iterator(chunk_size=5000)
    ]


def observe_business_actions(settings_row: SupervisionSettings, now: datetime) -> list[Observation]:
    """SUP-2: users whose actions of a service over the period reach the threshold; the state is the tier."""
    since = months_before(timezone.localdate(now), settings_row.activity_window_months)
    threshold = settings_row.business_actions_alert_threshold
    totals = (
        DailyServiceActivity.objects.filter(day__gte=since)
        .filter(account_id__in=accounts_in_force().values("id"))
        .values("account_id", "service", "fund_id", "partner_id")
        .annotate(total=Sum("actions"))
        .filter(total__gte=threshold)
        .order_by()
    )
    logins = dict(Account.objects.filter(pk__in=totals.values("account_id")).values_list("id", "login"))
    return [
        Observation(
            subject=f"account:{row['account_id']}:{row['service']}",
            state=f"palier {row['total'] // threshold}",
            account_id=row["account_id"],
            fund_id=row["fund_id"],
            partner_id=row["partner_id"],
            details={
                "login": logins.get(row["account_id"], ""),
                "service": row["service"],
                "actions": row["total"],
                "threshold": threshold,
                "since": since,
            },
        )
        for row in totals
    ]


def observe_violations() -> list[Observation]:
    """SUP-7: ``report`` exclusions broken now; the state is the members held."""
    violations = reported_violations(Supervised.everything(), current_policy().rbac)
    return [
        Observation(
            subject=violation.subject,
            state=_digest(violation.held),
            **_organisation(violation.account),
            details={
                "rule": violation.rule,
                "login": violation.account.login,
                "held": list(violation.held),
                "message": violation.message,
            },
        )
        for violation in violations
    ]


def observe_unanswered_recertification(now: datetime) -> list[Observation]:
    """ADM-8: per partner and open campaign past its deadline, the items still unanswered."""
    overdue = (
        RecertificationItem.objects.filter(
            decision=ItemDecision.PENDING, campaign__status="open", campaign__due_at__lte=now
        )
        .values("campaign_id", "campaign__name", "partner_id", "fund_id")
        .annotate(pending=Count("id"))
        .order_by()
    )
    return [
        Observation(
            subject=f"campaign:{row['campaign_id']}:partner:{row['partner_id']}",
            state="échéance dépassée",
            fund_id=row["fund_id"],
            partner_id=row["partner_id"],
            details={
                "campaign": row["campaign__name"],
                "campaign_id": row["campaign_id"],
                "pending": row["pending"],
            },
        )
        for row in overdue
    ]


def _digest(values) -> str:
    import hashlib

    return hashlib.sha256("\n".join(sorted(values)).encode()).hexdigest()[:32]


def notify_new_findings(now: datetime) -> tuple[int, int]:
    """Mail each recipient one digest of the open findings not yet mailed nor acknowledged; returns
    (mails sent, findings marked as mailed)."""
    pending = list(
        Finding.objects.open()
        .filter(notified_at__isnull=True, acknowledged_at__isnull=True)
        .select_related("account", "partner", "fund")
        .order_by("kind", "fund_id", "partner_id", "id")
    )
    if not pending:
        return 0, 0
    by_recipient: dict[int, list[Finding]] = defaultdict(list)
    recipients: dict[int, Account] = {}
    for (fund_id, partner_id), findings in _grouped_by_organisation(pending).items():
        for recipient in alert_recipients(fund_id, partner_id):
            recipients[recipient.pk] = recipient
            by_recipient[recipient.pk].extend(findings)
    for pk, findings in by_recipient.items():
        recipient = recipients[pk]
        context = {"recipient": recipient, "findings": findings, "now": now}
        subject = render_to_string("supervision/mail/findings_subject.txt", context).strip()
        body = render_to_string("supervision/mail/findings.txt", context)
        send_mail(subject, body, None, [recipient.email])
    # Findings nobody may receive (no administrator in their organisation) stay on the dashboards all the same;
    # marking them mailed keeps every run from scanning them again.
    Finding.objects.filter(pk__in=[finding.pk for finding in pending]).update(notified_at=now)
    return len(by_recipient), len(pending)


def _grouped_by_organisation(findings: list[Finding]) -> dict[tuple[int | None, int | None], list[Finding]]:
    grouped: dict[tuple[int | None, int | None], list[Finding]] = defaultdict(list)
    for finding in findings:
        grouped[(finding.fund_id, finding.partner_id)].append(finding)
    return grouped


def alert_recipients(fund_id: int | None, partner_id: int | None) -> list[Account]:
    """Accounts of the partner and of its fund that the engine lets receive supervision alerts."""
    if fund_id is None and partner_id is None:
        return []
    where = Q(pk__in=[])
    if fund_id is not None:
        where |= Q(fund_id=fund_id)
    if partner_id is not None:
        where |= Q(partner_id=partner_id)
    candidates = (
        Account.objects.filter(status=AccountStatus.ACTIVE)
        .filter(where)
        .exclude(email="")
        .select_related("fund", "partner__fund")
        .order_by("org_level", "login")
    )
    return [candidate for candidate in candidates if is_allowed(candidate, *RECEIVE_ALERTS)]
