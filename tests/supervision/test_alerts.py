"""Findings and alerts: each new finding is mailed once to the right administrators; an acknowledged finding
stays quiet until it changes (SUP-1, SUP-2)."""

from __future__ import annotations

from datetime import timedelta

from django.core import mail
from django.utils import timezone

from habpps.accounts.models import Account
from habpps.journal.models import JournalEntry
from habpps.supervision.aggregation import aggregate
from habpps.supervision.alerts import run_alerts
from habpps.supervision.findings import acknowledge
from habpps.supervision.models import Finding, FindingKind, SupervisionSettings
from supervision.conftest import consult, today


def make_user_a_the_only_silent_account(net) -> None:
    Account.objects.update(last_login=timezone.now())
    Account.objects.filter(pk=net.user_a.pk).update(last_login=timezone.now() - timedelta(days=250))


def recipients() -> set[str]:
    return {address for message in mail.outbox for address in message.to}


def test_a_new_finding_is_mailed_once_to_the_administrators_of_its_partner_and_fund(net):
    make_user_a_the_only_silent_account(net)
    run_alerts()
    finding = Finding.objects.get(kind=FindingKind.INACTIVE_USER)
    assert (finding.account, finding.partner, finding.fund) == (net.user_a, net.partner_a, net.fund_a)
    assert recipients() == {net.partner_admin_a.email, net.fund_admin_a.email}
    assert net.user_a.login in mail.outbox[0].body
    mail.outbox.clear()
    run_alerts()
    assert mail.outbox == []  # once only
    assert Finding.objects.get(kind=FindingKind.INACTIVE_USER).pk == finding.pk


def test_an_acknowledged_finding_stays_quiet_until_it_changes(net):
    make_user_a_the_only_silent_account(net)
    SupervisionSettings.objects.update_or_create(pk=1, defaults={"business_actions_alert_threshold": 2})
    consult(net.user_b, times=2)
    aggregate(until=today())
    run_alerts()
    finding = Finding.objects.get(kind=FindingKind.BUSINESS_ACTIONS)
    assert finding.state == "palier 1"
    acknowledge(net.partner_admin_b, finding, "Pic expliqué par une permanence.")
    assert JournalEntry.objects.filter(kind="supervision.finding.acknowledge").exists()
    mail.outbox.clear()
    consult(net.user_b, times=1)  # three actions: still the first tier, nothing new to say
    aggregate(until=today(), since=today())
    run_alerts()
    assert mail.outbox == []
    assert Finding.objects.get(pk=finding.pk).is_acknowledged
    consult(net.user_b, times=1)  # four actions: a new tier, the finding changed
    aggregate(until=today(), since=today())
    run_alerts()
    changed = Finding.objects.get(pk=finding.pk)
    assert (changed.state, changed.is_acknowledged) == ("palier 2", False)
    assert recipients() == {net.partner_admin_b.email, net.fund_admin_b.email}


def test_a_finding_that_disappears_is_closed_and_a_new_silence_is_a_new_finding(net):
    make_user_a_the_only_silent_account(net)
    run_alerts()
    Account.objects.filter(pk=net.user_a.pk).update(last_login=timezone.now())
    run_alerts()
    assert Finding.objects.get(kind=FindingKind.INACTIVE_USER).resolved_at is not None
    Account.objects.filter(pk=net.user_a.pk).update(last_login=timezone.now() - timedelta(days=300))
    mail.outbox.clear()
    run_alerts()
    assert Finding.objects.filter(kind=FindingKind.INACTIVE_USER).count() == 2
    assert len(mail.outbox) == 2


def test_an_administrator_may_not_acknowledge_a_finding_of_another_fund(net):
    make_user_a_the_only_silent_account(net)
    run_alerts()
    finding = Finding.objects.get(kind=FindingKind.INACTIVE_USER)
    from habpps.authorization.decisions import AccessRefused

    try:
        acknowledge(net.fund_admin_b, finding)
    except AccessRefused:
        pass
    else:  # pragma: no cover - the assertion below explains the failure
        raise AssertionError("un administrateur de la caisse B a acquitté un constat de la caisse A")
    assert not Finding.objects.get(pk=finding.pk).is_acknowledged
