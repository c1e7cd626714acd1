"""Warning before a time-bound access ends (ENG-5): a mail to the partner's administrators some days before.

The access itself needs no job — the engine refuses it after its last day. This job only warns, so that an
administrator who still needs the access can extend it in time: every window whose last day falls within
``HABPPS_ACCESS_EXPIRY_NOTICE_DAYS`` days (7 by default) is announced once (``expiry_notice_sent_on``, cleared
when the window changes so that a new end is announced again):

- a grant (a group's profile, an account's role) and a whole account's window (``AccountWindow``) to the accounts
  the engine lets manage the groups of the partner concerned, or to the account itself (a fund or national
  account);
- a whole profile's window (``RoleWindow``: nobody may use the profile after its end) to the national accounts the
  engine lets administer the model — who alone may extend it.

It runs by itself in every server process (``start_expiry_notices``: a daemon thread, every
``HABPPS_ACCESS_EXPIRY_CHECK_SECONDS``), and on demand with ``habpps access notify``. Several processes may run
it at once: each grant is *claimed* by one conditional update before its mail is written, so it is announced
exactly once.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone

from habpps.authorization import clock
from habpps.authorization import permissions as perms
from habpps.authorization.decisions import is_allowed
from habpps.authorization.model_permissions import MANAGE_MODEL
from habpps.authorization.models import AccountWindow, RoleWindow
from habpps.authorization.orgs import NATIONAL_UNIT, partner_unit, scope_path
from habpps.authorization.stored import (
    Account,
    AccountRoleAssignment,
    AccountStatus,
    GroupRoleAssignment,
    OrgLevel,
    Status,
)
from habpps.journal.services import record_event


@dataclass
class NoticeReport:
    grants: int = 0
    mails: int = 0
    recipients: list[str] = field(default_factory=list)


def notice_days() -> int:
    return int(getattr(settings, "HABPPS_ACCESS_EXPIRY_NOTICE_DAYS", 7))


def partner_administrators(partner) -> list[Account]:
    """Who manages the partner's groups, as the engine decides it."""
    unit = partner_unit(partner.pk)
    candidates = Account.objects.filter(partner=partner, status=AccountStatus.ACTIVE).order_by("login")
    return [account for account in candidates if is_allowed(account, *perms.MANAGE_GROUPS, unit)]


def model_administrators() -> list[Account]:
    """Who may change a whole profile's window: the national accounts the engine lets administer the model."""
    candidates = Account.objects.filter(org_level=OrgLevel.NATIONAL, status=AccountStatus.ACTIVE).order_by("login")
    return [account for account in candidates if is_allowed(account, *MANAGE_MODEL, NATIONAL_UNIT)]


def _account_recipients(account) -> list[Account]:
    """Who hears of the end of one account's access: its partner's administrators, else the account itself."""
    recipients = partner_administrators(account.partner) if account.partner_id else []
    return recipients or [account]


def _claim(model, pk: int, today: date) -> bool:
    return bool(model.objects.filter(pk=pk, expiry_notice_sent_on__isnull=True).update(expiry_notice_sent_on=today))


def notify_expiring(today: date | None = None) -> NoticeReport:
    """Announce every grant ending within the notice period and not yet announced; returns what was sent."""
    today = today or timezone.localdate(clock.now())
    horizon = today + timedelta(days=notice_days())
    report = NoticeReport()
    due = {"valid_until__gte": today, "valid_until__lte": horizon, "expiry_notice_sent_on__isnull": True}
    by_recipients: dict[tuple[int, ...], list[dict]] = {}
    scopes: dict[tuple[int, ...], str] = {}

    def announce(recipients: list[Account], what: str, until: date, organisation: str, scope: str) -> None:
        """One item of the mail of these recipients (grouped: one mail lists all they must hear of)."""
        key = tuple(a.pk for a in recipients)
        by_recipients.setdefault(key, []).append({"what": what, "until": until, "organisation": organisation})
        scopes[key] = scope

    groups = GroupRoleAssignment.objects.current().filter(
        group__status=Status.ACTIVE, **due
    ).select_related("group__partner", "role")
    for grant in groups:
        partner = grant.group.partner
        recipients = partner_administrators(partner)
        if recipients and _claim(GroupRoleAssignment, grant.pk, today):
            announce(recipients, f"le profil « {grant.role.name} » du groupe « {grant.group.name} »",
                     grant.valid_until, partner.name, scope_path(partner.fund_id, partner.pk))
    accounts = AccountRoleAssignment.objects.current().filter(
        account__status=AccountStatus.ACTIVE, **due
    ).select_related("account__partner", "account__fund", "role")
    for grant in accounts:
        account = grant.account
        recipients = _account_recipients(account)
        if _claim(AccountRoleAssignment, grant.pk, today):
            announce(recipients, f"le rôle « {grant.role.name} » de {account.full_name}", grant.valid_until,
                     _organisation_name(account), account.org_scope)
    for row in AccountWindow.objects.filter(account__status=AccountStatus.ACTIVE, **due).select_related(
            "account__partner", "account__fund"):
        account = row.account
        recipients = _account_recipients(account)
        if _claim(AccountWindow, row.pk, today):
            announce(recipients, f"tout accès du compte de {account.full_name} (période d'accès du compte)",
                     row.valid_until, _organisation_name(account), account.org_scope)
    administrators = None
    for row in RoleWindow.objects.filter(role__status=Status.ACTIVE, **due).select_related("role"):
        administrators = model_administrators() if administrators is None else administrators
        if administrators and _claim(RoleWindow, row.pk, today):
            announce(administrators,
                     f"l'usage du profil « {row.role.name} » par tous ses titulaires (période d'usage du profil)",
                     row.valid_until, "Organisme national", scope_path())
    for key, items in by_recipients.items():
        recipients = list(Account.objects.filter(pk__in=key).order_by("login"))
        context = {"items": sorted(items, key=lambda i: (i["until"], i["what"])), "days": notice_days()}
        subject = render_to_string("authorization/mail/expiry_notice_subject.txt", context).strip()
        body = render_to_string("authorization/mail/expiry_notice.txt", context)
        for recipient in recipients:
            send_mail(subject, body, None, [recipient.email])
            report.mails += 1
            report.recipients.append(recipient.login)
        report.grants += len(items)
        record_event(
            "admin.access.expiry_notice",
            org_scope=scopes[key],
            target="access-windows",
            data={"recipients": [r.login for r in recipients],
                  "grants": [f"{i['what']} jusqu'au {i['until']:%d/%m/%Y}" for i in items]},
        )
    return report


def _organisation_name(account) -> str:
    return account.organisation.name if account.organisation else "Organisme national"


# -- the periodic job in the server process ------------------------------------------------------------------
_started = False
_lock = threading.Lock()


def start_expiry_notices() -> threading.Event | None:
    """Start the periodic job once per process (``HABPPS_ACCESS_EXPIRY_CHECK_SECONDS``, 0 disables it)."""
    global _started
    interval = float(getattr(settings, "HABPPS_ACCESS_EXPIRY_CHECK_SECONDS", 3600))
    with _lock:
        if _started or interval <= 0:
            return None
        _started = True
    from habpps.periodic import start_periodic

    return start_periodic(
        "habpps-expiry-notices",
        interval,
        notify_expiring,
        "Préavis de fin d'accès : échec de cette tournée, nouvel essai à la suivante.",
    )
