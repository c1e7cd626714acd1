"""ADM-8: a campaign from its opening to its flagged unanswered items, reminders and journalled outcome."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from habpps.authorization.decisions import AccessRefused
from habpps.directory.models import GroupMembership
from habpps.journal.models import JournalEntry
from habpps.supervision import recertification
from habpps.supervision.alerts import run_alerts
from habpps.supervision.models import (
    CampaignPartner,
    Finding,
    FindingKind,
    ItemDecision,
    RecertificationCampaign,
)


def test_a_campaign_from_opening_to_flagged_unanswered_items(net):
    campaign = recertification.open_campaign(net.national_admin, name="Revue annuelle")
    items = {item.account: item for item in campaign.items.all()}
    assert set(items) == {net.user_a, net.user_b}
    assert items[net.user_a].roles == ["cdap-ass-cesf"]
    assert JournalEntry.objects.filter(kind="supervision.recertification.open").get().data["items"] == 2

    recertification.revoke(net.partner_admin_a, items[net.user_a])
    assert not GroupMembership.objects.current().filter(account=net.user_a).exists()
    assert JournalEntry.objects.filter(kind="admin.group.member.remove").exists()

    # Partner B never answers: the deadline passes, its item is flagged on the dashboards and by an alert.
    RecertificationCampaign.objects.filter(pk=campaign.pk).update(due_at=timezone.now() - timedelta(hours=1))
    run_alerts()
    flagged = Finding.objects.get(kind=FindingKind.UNANSWERED_RECERTIFICATION)
    assert (flagged.partner, flagged.details["pending"]) == (net.partner_b, 1)
    assert net.partner_admin_b.email in {address for message in mail.outbox for address in message.to}

    recertification.close_campaign(net.national_admin, campaign)
    outcome = JournalEntry.objects.get(kind="supervision.recertification.close").data["outcome"]
    assert outcome == {"pending": 1, "confirmed": 0, "revoked": 1, "lapsed": 0}


def test_a_fund_campaign_covers_only_the_fund_and_its_items_are_decided_by_their_partner(net):
    campaign = recertification.open_campaign(net.fund_admin_a, name="Revue de la caisse A")
    item = campaign.items.get()
    assert item.account == net.user_a
    with pytest.raises(AccessRefused):
        recertification.confirm(net.partner_admin_b, item)
    confirmed = recertification.confirm(net.partner_admin_a, item)
    assert (confirmed.decision, confirmed.decided_by) == (ItemDecision.CONFIRMED, net.partner_admin_a)
    assert GroupMembership.objects.current().filter(account=net.user_a).exists()


def test_a_partner_administrator_may_not_open_a_campaign(net):
    with pytest.raises(AccessRefused):
        recertification.open_campaign(net.partner_admin_a, name="Interdite")


def test_silent_partners_are_reminded_once_per_interval(net):
    campaign = recertification.open_campaign(net.national_admin, name="Revue")
    RecertificationCampaign.objects.filter(pk=campaign.pk).update(
        opened_at=timezone.now() - timedelta(days=8)
    )
    assert recertification.send_reminders() == 2  # one administrator in each partner
    assert recertification.send_reminders() == 0  # reminded already this week
    assert CampaignPartner.objects.filter(reminders=1).count() == 2
    later = timezone.now() + timedelta(days=8)
    recertification.confirm(net.partner_admin_a, campaign.items.get(account=net.user_a))
    assert recertification.send_reminders(later) == 1  # partner A has answered everything
