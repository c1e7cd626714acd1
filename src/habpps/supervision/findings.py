"""Findings: what the dashboards flag, followed from first sight to disappearance, with acknowledgements.

``synchronise`` is given, for one kind, every finding that holds now: a new subject opens a finding, a known one
whose state changed is re-opened for attention (its acknowledgement no longer applies and it will be mailed
again), one that is unchanged only gets its ``last_seen_at`` moved, and open findings no longer present are
closed. So an acknowledged finding stays quiet until it changes (issue 9).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from habpps.authorization.decisions import authorize
from habpps.authorization.orgs import fund_unit, partner_unit, scope_path
from habpps.journal.services import record_event
from habpps.supervision import events
from habpps.supervision.models import Finding
from habpps.supervision.permissions import ACKNOWLEDGE_FINDINGS


@dataclass(frozen=True)
class Observation:
    """A finding as a dashboard sees it now: its subject, whom it concerns, and a summary of its state."""

    subject: str
    state: str
    account_id: int | None = None
    fund_id: int | None = None
    partner_id: int | None = None
    details: dict = field(default_factory=dict)


@dataclass
class SyncReport:
    opened: int = 0
    changed: int = 0
    unchanged: int = 0
    resolved: int = 0


def synchronise(kind: str, observations: list[Observation], now: datetime | None = None) -> SyncReport:
    """Make the open findings of ``kind`` match ``observations`` (see the module)."""
    now = now or timezone.now()
    report = SyncReport()
    seen = {observation.subject: observation for observation in observations}
    with transaction.atomic():
        open_findings = {finding.subject: finding for finding in Finding.objects.open().filter(kind=kind)}
        for subject, finding in open_findings.items():
            observation = seen.get(subject)
            if observation is None:
                finding.resolved_at = now
                finding.save(update_fields=["resolved_at"])
                report.resolved += 1
            elif observation.state != finding.state:
                finding.state, finding.details = observation.state, observation.details
                finding.state_changed_at = finding.last_seen_at = now
                finding.notified_at = finding.acknowledged_at = finding.acknowledged_by = None
                finding.acknowledgement_note = ""
                finding.save()
                report.changed += 1
            else:
                finding.last_seen_at, finding.details = now, observation.details
                finding.save(update_fields=["last_seen_at", "details"])
                report.unchanged += 1
        Finding.objects.bulk_create(
            [
                Finding(
                    kind=kind,
                    subject=observation.subject,
                    state=observation.state,
                    account_id=observation.account_id,
                    fund_id=observation.fund_id,
                    partner_id=observation.partner_id,
                    details=observation.details,
                    first_seen_at=now,
                    last_seen_at=now,
                    state_changed_at=now,
                )
                for subject, observation in seen.items()
                if subject not in open_findings
            ],
            batch_size=2000,
        )
        report.opened = len(seen.keys() - open_findings.keys())
    return report


def finding_unit(finding: Finding) -> str:
    """The engine's unit a finding belongs to: its partner, else its fund, else the nation."""
    if finding.partner_id:
        return partner_unit(finding.partner_id)
    if finding.fund_id:
        return fund_unit(finding.fund_id)
    return "national"


def acknowledge(actor, finding: Finding, note: str = "") -> Finding:
    """Acknowledge ``finding`` for its current state; journalled. The actor must be allowed in its unit."""
    authorize(actor, *ACKNOWLEDGE_FINDINGS, finding_unit(finding))
    with transaction.atomic():
        finding = Finding.objects.select_for_update().get(pk=finding.pk)
        if finding.resolved_at is not None:
            raise ValidationError(
                _("Ce constat a disparu : il n'y a plus rien à acquitter."), code="resolved"
            )
        if finding.acknowledged_at is not None:
            raise ValidationError(_("Ce constat est déjà acquitté."), code="already_acknowledged")
        finding.acknowledged_at, finding.acknowledged_by = timezone.now(), actor
        finding.acknowledgement_note = note[:500]
        finding.save(update_fields=["acknowledged_at", "acknowledged_by", "acknowledgement_note"])
        record_event(
            events.FINDING_ACKNOWLEDGED,
            actor=actor,
            org_scope=scope_path(finding.fund_id, finding.partner_id if finding.fund_id else None),
            target=f"constat:{finding.pk}",
            data={
                "kind": finding.kind,
                "subject": finding.subject,
                "state": finding.state,
                "note": note[:500],
            },
        )
    return finding


def open_findings_by_subject(kind: str, subjects: list[str]) -> dict[str, Finding]:
    """The open findings of ``kind`` among ``subjects`` — for the rows of one dashboard page."""
    return {
        finding.subject: finding
        for finding in Finding.objects.open()
        .filter(kind=kind, subject__in=subjects)
        .select_related("acknowledged_by")
    }
