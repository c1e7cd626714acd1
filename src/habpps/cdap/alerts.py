"""The CDP-9 alert: a user reached the day's alert threshold; their partner's administrators and their fund's
are told by e-mail, and the journal keeps who was told.

Recipients are the accounts of the user's partner and of its fund that the engine allows to
``recevoir alertes-cdap`` — seeded for partner and fund administrators, editable like any permission.
"""

from __future__ import annotations

from django.core.mail import send_mail
from django.db.models import Q
from django.template.loader import render_to_string

from habpps.accounts.models import Account, AccountStatus
from habpps.authorization.decisions import is_allowed
from habpps.cdap import clock
from habpps.cdap.permissions import RECEIVE_ALERTS
from habpps.journal.services import record_event


def alert_recipients(account) -> list[Account]:
    """Who must hear about ``account``'s unusual activity: its partner's and its fund's alert recipients."""
    fund = account.home_fund
    if fund is None:
        return []
    candidates = Account.objects.filter(status=AccountStatus.ACTIVE).filter(
        Q(fund=fund) | (Q(partner_id=account.partner_id) if account.partner_id else Q(pk__in=[]))
    )
    return [
        candidate
        for candidate in candidates.select_related("fund", "partner").order_by("org_level", "login")
        if candidate.pk != account.pk and is_allowed(candidate, *RECEIVE_ALERTS)
    ]


def send_threshold_alert(account, count: int, threshold: int) -> list[str]:
    """Mail every recipient once and journal it; returns the recipients' logins."""
    recipients = alert_recipients(account)
    context = {
        "user_account": account,
        "organisation": account.organisation,
        "count": count,
        "threshold": threshold,
        "day": clock.today(),
    }
    subject = render_to_string("cdap/mail/threshold_alert_subject.txt", context).strip()
    body = render_to_string("cdap/mail/threshold_alert.txt", context)
    for recipient in recipients:
        send_mail(subject, body, None, [recipient.email])
    logins = [recipient.login for recipient in recipients]
    record_event(
        "cdap.alert.threshold",
        actor=None,
        org_scope=account.org_scope,
        target=f"account:{account.pk}",
        data={"user": account.login, "count": count, "threshold": threshold, "recipients": logins},
    )
    return logins
