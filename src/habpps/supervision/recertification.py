"""Recertification campaigns (ADM-8): partner administrators confirm or revoke each of their users'
habilitations; the silent ones are reminded, then flagged; the outcome is journalled.

A campaign is opened by a national administrator or a fund administrator, over the partners of the part of the
network they supervise (the engine's population of « supervision », `habpps.supervision.supervised`: by
default every partner, or the partners of their fund); it belongs to the level that opened it, the nation or that
fund, which alone closes it. It takes a picture of the habilitations then in force — one item per user and group holding at least one
profile, listing the profiles — so that what is asked does not move under the administrator's feet. Revoking an
item takes the user out of the group through the directory's own service, which checks the actor's permission
with the engine and journals the change like any other.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, F, Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from habpps.accounts.models import Account, AccountStatus, OrgLevel
from habpps.authorization.decisions import authorize, is_allowed
from habpps.authorization.orgs import partner_unit
from habpps.authorization.policy_build import accounts_in_force
from habpps.authorization.scoping import SUPERVISION, Population
from habpps.directory import services as directory
from habpps.directory.models import GroupMembership, GroupRoleAssignment, Partner, Status
from habpps.journal.services import record_event
from habpps.supervision import events
from habpps.supervision.models import (
    CampaignPartner,
    CampaignStatus,
    ItemDecision,
    RecertificationCampaign,
    RecertificationItem,
    SupervisionSettings,
)
from habpps.supervision.permissions import CERTIFY_HABILITATIONS, RUN_RECERTIFICATION
from habpps.supervision.supervised import Supervised


def owning_fund(actor) -> int | None:
    """The fund a campaign opened by ``actor`` belongs to (None: the nation's); a partner's account owns none."""
    return actor.fund_id if actor.org_level == OrgLevel.FUND else None


def owns(actor, campaign: RecertificationCampaign) -> bool:
    """Whether ``campaign`` belongs to ``actor``'s level (the one that opened it and alone closes it)."""
    return actor.org_level != OrgLevel.PARTNER and campaign.fund_id == owning_fund(actor)


def open_campaign(actor, *, name: str, due_at: datetime | None = None) -> RecertificationCampaign:
    """Open a campaign over the partners ``actor`` supervises and list the habilitations to review."""
    authorize(actor, *RUN_RECERTIFICATION)
    if actor.org_level == OrgLevel.PARTNER:
        raise ValidationError(_("Une campagne couvre une caisse ou tout le réseau."), code="partner_scope")
    now = timezone.now()
    due_at = due_at or now + timedelta(days=SupervisionSettings.current().recertification_days)
    if due_at <= now:
        raise ValidationError({"due_at": _("L'échéance doit être dans le futur.")}, code="due_in_past")
    with transaction.atomic():
        campaign = RecertificationCampaign.objects.create(
            name=name, fund_id=owning_fund(actor), opened_by=actor, opened_at=now, due_at=due_at
        )
        items = list(_habilitations_in_force(campaign, Supervised(Population.of(actor, SUPERVISION))))
        RecertificationItem.objects.bulk_create(items, batch_size=2000)
        partners = {(item.partner_id, item.fund_id) for item in items}
        CampaignPartner.objects.bulk_create(
            [CampaignPartner(campaign=campaign, partner_id=p, fund_id=f) for p, f in sorted(partners)],
            batch_size=2000,
        )
        record_event(
            events.CAMPAIGN_OPENED,
            actor=actor,
            org_scope=actor.org_scope,
            target=f"campagne:{campaign.pk}",
            data={"name": name, "due_at": due_at, "items": len(items), "partners": len(partners)},
        )
    return campaign


def _habilitations_in_force(campaign: RecertificationCampaign, scope: Supervised):
    """One item per current membership of an account in force in a group in force holding a profile."""
    profiles: dict[int, list[str]] = defaultdict(list)
    for group_id, code in (
        GroupRoleAssignment.objects.current()
        .filter(role__status=Status.ACTIVE, group__status=Status.ACTIVE)
        .filter(scope.rows("group__partner__fund", "group__partner"))
        .values_list("group_id", "role__code")
        .order_by("role__code")
    ):
        profiles[group_id].append(code)
    memberships = (
        GroupMembership.objects.current()
        .filter(group_id__in=list(profiles), account_id__in=accounts_in_force().values("id"))
        .values_list("group_id", "account_id", "group__partner_id", "group__partner__fund_id")
    )
    for group_id, account_id, partner_id, fund_id in memberships.iterator(chunk_size=5000):
        yield RecertificationItem(
            campaign=campaign,
            partner_id=partner_id,
            fund_id=fund_id,
            account_id=account_id,
            group_id=group_id,
            roles=profiles[group_id],
        )


def certifiable_by(actor):
    """The items ``actor`` answers for: those of the partners of its population of « supervision » (ENG-8; by
    default a partner administrator's own partner) — whether it may decide is the engine's ``certifier
    habilitations`` in the item's partner, asked when it does."""
    return RecertificationItem.objects.filter(Supervised(Population.of(actor, SUPERVISION)).rows())


def items_to_certify(actor, campaign: RecertificationCampaign | None = None):
    """The items ``actor`` answers for in open campaigns (all of them when ``campaign`` is None)."""
    items = certifiable_by(actor).filter(campaign__status=CampaignStatus.OPEN).select_related(
        "account", "group", "campaign")
    return items.filter(campaign=campaign) if campaign is not None else items


def confirm(actor, item: RecertificationItem) -> RecertificationItem:
    """The partner administrator confirms the user still needs these profiles."""
    return _decide(actor, item, ItemDecision.CONFIRMED)


def revoke(actor, item: RecertificationItem) -> RecertificationItem:
    """The partner administrator withdraws the habilitation: the user leaves the group at once."""
    return _decide(actor, item, ItemDecision.REVOKED)


def _decide(actor, item: RecertificationItem, decision: str) -> RecertificationItem:
    authorize(actor, *CERTIFY_HABILITATIONS, partner_unit(item.partner_id))
    with transaction.atomic():
        item = (
            RecertificationItem.objects.select_for_update()
            .select_related("campaign", "account", "group")
            .get(pk=item.pk)
        )
        if not item.campaign.is_open:
            raise ValidationError(_("Cette campagne est clôturée."), code="campaign_closed")
        if item.decision != ItemDecision.PENDING:
            raise ValidationError(_("Cette habilitation a déjà été traitée."), code="already_decided")
        still_member = (
            GroupMembership.objects.current().filter(group=item.group, account=item.account).exists()
        )
        if not still_member:
            decision = ItemDecision.LAPSED
        elif decision == ItemDecision.REVOKED:
            directory.remove_group_member(actor, item.group, item.account)
        item.decision, item.decided_by, item.decided_at = decision, actor, timezone.now()
        item.save(update_fields=["decision", "decided_by", "decided_at"])
        record_event(
            events.ITEM_REVOKED if decision == ItemDecision.REVOKED else events.ITEM_CONFIRMED,
            actor=actor,
            org_scope=item.account.org_scope,
            target=f"compte:{item.account.login}",
            data={
                "campaign": item.campaign_id,
                "group": item.group.name,
                "roles": item.roles,
                "decision": decision,
            },
        )
    return item


def campaigns_in_scope(scope: Supervised):
    """Campaigns concerning the viewer's population (`Supervised.campaigns`); counts are the population's."""
    return RecertificationCampaign.objects.filter(scope.campaigns())


def outcome(campaign: RecertificationCampaign, scope: Supervised | None = None) -> dict[str, int]:
    """Items per decision (pending ones are the unanswered), within ``scope`` when given."""
    items = campaign.items.all()
    if scope is not None:
        items = items.filter(scope.rows())
    counts = dict(items.values_list("decision").annotate(n=Count("id")).order_by())
    return {decision: counts.get(decision, 0) for decision in ItemDecision.values}


def close_campaign(actor, campaign: RecertificationCampaign) -> RecertificationCampaign:
    """Close the campaign and journal its outcome; unanswered items stay flagged as such."""
    authorize(actor, *RUN_RECERTIFICATION)
    if not owns(actor, campaign):
        raise ValidationError(_("Seul le niveau qui a ouvert la campagne la clôture."), code="not_owner")
    with transaction.atomic():
        campaign = RecertificationCampaign.objects.select_for_update().get(pk=campaign.pk)
        if not campaign.is_open:
            raise ValidationError(_("Cette campagne est déjà clôturée."), code="campaign_closed")
        campaign.status, campaign.closed_at, campaign.closed_by = CampaignStatus.CLOSED, timezone.now(), actor
        campaign.save(update_fields=["status", "closed_at", "closed_by"])
        counts = outcome(campaign)
        unanswered_partners = sorted(
            campaign.items.filter(decision=ItemDecision.PENDING)
            .values_list("partner_id", flat=True)
            .distinct()
        )
        record_event(
            events.CAMPAIGN_CLOSED,
            actor=actor,
            org_scope=actor.org_scope,
            target=f"campagne:{campaign.pk}",
            data={"name": campaign.name, "outcome": counts, "unanswered_partners": unanswered_partners},
        )
    return campaign


def send_reminders(now: datetime | None = None) -> int:
    """Remind the certifiers of each partner with unanswered items, at most once per reminder interval."""
    now = now or timezone.now()
    interval = timedelta(days=SupervisionSettings.current().reminder_days)
    waiting = (
        CampaignPartner.objects.filter(campaign__status=CampaignStatus.OPEN)
        .filter(Q(reminded_at__isnull=True) | Q(reminded_at__lte=now - interval))
        .filter(campaign__opened_at__lte=now - interval)
        .annotate(
            pending=Count(
                "campaign__items",
                filter=Q(
                    campaign__items__partner_id=F("partner_id"),
                    campaign__items__decision=ItemDecision.PENDING,
                ),
            )
        )
        .filter(pending__gt=0)
        .select_related("campaign", "partner")
    )
    sent = 0
    for entry in waiting:
        recipients = certifiers_of(entry.partner)
        context = {"campaign": entry.campaign, "partner": entry.partner, "pending": entry.pending, "now": now}
        subject = render_to_string("supervision/mail/reminder_subject.txt", context).strip()
        body = render_to_string("supervision/mail/reminder.txt", context)
        for recipient in recipients:
            send_mail(subject, body, None, [recipient.email])
        entry.reminded_at, entry.reminders = now, entry.reminders + 1
        entry.save(update_fields=["reminded_at", "reminders"])
        record_event(
            events.CAMPAIGN_REMINDER,
            org_scope=f"national/fund:{entry.fund_id}/partner:{entry.partner_id}",
            target=f"campagne:{entry.campaign_id}",
            data={"pending": entry.pending, "recipients": [r.login for r in recipients]},
        )
        sent += len(recipients)
    return sent


def certifiers_of(partner: Partner) -> list[Account]:
    """The partner's accounts the engine lets certify habilitations (its administrators, by default)."""
    candidates = (
        Account.objects.filter(partner=partner, status=AccountStatus.ACTIVE)
        .exclude(email="")
        .select_related("partner__fund")
        .order_by("login")
    )
    return [account for account in candidates if is_allowed(account, *CERTIFY_HABILITATIONS)]
