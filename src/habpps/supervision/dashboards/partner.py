"""SUP-6 — the key indicators of one partner organisation, read at any level that covers it.

Each figure is one small query on the partner's own rows (its accounts, its groups, its aggregates), so the page
costs the same for a partner of ten users as in a network of three hundred thousand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from habpps.accounts.models import AccountStatus
from habpps.authorization.orgs import partner_unit
from habpps.authorization.policy_build import accounts_in_force
from habpps.directory.models import Group, GroupMembership, GroupRoleAssignment, Partner, Status
from habpps.supervision.dashboards.inactivity import inactive_users
from habpps.supervision.models import (
    DailyAccountActivity,
    DailyServiceActivity,
    Finding,
    ItemDecision,
    RecertificationItem,
)
from habpps.supervision.supervised import Supervised


@dataclass(frozen=True)
class Indicator:
    label: str
    value: int | str
    hint: str = ""


def partner_indicators(
    partner: Partner, *, since: date, inactivity_cutoff: datetime, now: datetime
) -> list[Indicator]:
    """The figures of ``partner`` over the observed period starting ``since``."""
    accounts = partner.accounts.exclude(status=AccountStatus.REMOVED)
    activity = DailyAccountActivity.objects.filter(partner=partner, day__gte=since).aggregate(
        login_count=Sum("logins"),
        freeze_count=Sum("freezes"),
        connected=Count("account", distinct=True, filter=Q(logins__gt=0)),
    )
    actions = DailyServiceActivity.objects.filter(partner=partner, day__gte=since).aggregate(
        total=Sum("actions"), users=Count("account", distinct=True)
    )
    pending = RecertificationItem.objects.filter(
        partner=partner, decision=ItemDecision.PENDING, campaign__status="open"
    )
    findings = Finding.objects.open().filter(partner=partner)
    return [
        Indicator(_("Comptes actifs"), accounts_in_force().filter(partner=partner).count()),
        Indicator(_("Comptes suspendus"), accounts.filter(status=AccountStatus.SUSPENDED).count()),
        Indicator(_("Groupes"), Group.objects.filter(partner=partner, status=Status.ACTIVE).count()),
        Indicator(
            _("Habilitations en cours"),
            GroupMembership.objects.current()
            .filter(group__partner=partner, group__status=Status.ACTIVE)
            .filter(group__role_assignments__in=GroupRoleAssignment.objects.current())
            .count(),
            _("un utilisateur détenant un profil par un groupe compte pour une habilitation"),
        ),
        Indicator(_("Utilisateurs connectés sur la période"), activity["connected"] or 0),
        Indicator(_("Connexions sur la période"), activity["login_count"] or 0),
        Indicator(
            _("Utilisateurs non connectés depuis le seuil d'inactivité"),
            inactive_users(Supervised.units(partner_unit(partner.pk)), inactivity_cutoff).count(),
        ),
        Indicator(_("Gels de compte sur la période"), activity["freeze_count"] or 0),
        Indicator(_("Actions métier sur la période"), actions["total"] or 0),
        Indicator(_("Utilisateurs ayant effectué une action métier"), actions["users"] or 0),
        Indicator(_("Constats ouverts"), findings.count()),
        Indicator(_("Constats non acquittés"), findings.filter(acknowledged_at__isnull=True).count()),
        Indicator(_("Habilitations à recertifier"), pending.count()),
        Indicator(
            _("Habilitations à recertifier, échéance dépassée"),
            pending.filter(campaign__due_at__lte=now).count(),
        ),
    ]
