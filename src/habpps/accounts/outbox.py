"""A new account's two mails survive a mail server that is down (AUT-3, issue 13).

Both mails are sent as soon as the account is committed. When the server refuses one, the account stays as it
is and an ``OutgoingMail`` row remembers what is owed; ``habpps mail retry`` (cron, every few minutes) sends what
is due, backing off after each failure. The temporary password never waits anywhere: the one drawn at creation
is forgotten when its mail fails, and the retry draws a new one, sets it (a new 24-hour validity) and sends it —
so the only password that works is one that was delivered, and neither the creator, the database nor the logs
ever hold it in clear. A retry is abandoned once the account no longer needs it (its holder changed the password
after a reset, or the account was suspended or removed).

« Mot de passe oublié » requests are queued here for any login typed (``password_reset``) and sent by the
background sender (``mail_sender``), never in the request: the sender finds the active account the login names
(none: the row is abandoned, nothing is sent), draws the link's token, stores its digest and sends the link; a
mail the server refuses rolls the token back and is tried again later with a new one. A request older than
``RESET_ABANDON_AFTER`` is abandoned.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from habpps.accounts.models import Account, AccountStatus, OutgoingMail, OutgoingMailKind
from habpps.accounts.passwords import generate_temporary_password, temporary_password_length

logger = logging.getLogger(__name__)

# Waits after the 1st, 2nd, … failure; the last one repeats.
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1))
RESET_ABANDON_AFTER = timedelta(hours=24)
MAIL_ERRORS = (OSError, smtplib.SMTPException)


def backoff(attempts: int) -> timedelta:
    return BACKOFF[max(1, min(attempts, len(BACKOFF))) - 1]


def deliver_new_account_mails(account: Account, temporary_password: str) -> None:
    """Send the login, then the temporary password; queue whichever the mail server refuses."""
    from habpps.accounts import notifications

    _send_or_queue(
        account, OutgoingMailKind.NEW_ACCOUNT_LOGIN, lambda: notifications.send_login_mail(account)
    )
    _send_or_queue(
        account,
        OutgoingMailKind.NEW_ACCOUNT_PASSWORD,
        lambda: notifications.send_temporary_password_mail(account, temporary_password),
    )


def _send_or_queue(account: Account, kind: str, send) -> None:
    try:
        send()
    except MAIL_ERRORS as error:
        now = timezone.now()
        OutgoingMail.objects.create(
            account=account,
            kind=kind,
            created_at=now,
            next_attempt_at=now + backoff(1),
            last_error=_describe(error),
        )
        logger.warning(
            "Courriel « %s » du compte %s mis en attente : %s", kind, account.login, _describe(error)
        )


def queue_notice(account: Account, subject: str, body: str) -> OutgoingMail:
    """Queue a notice to ``account`` in the caller's transaction; the background sender sends it once that
    transaction commits (never if it rolls back), and tries again while the mail server refuses it."""
    from habpps.accounts.mail_sender import wake_sender

    now = timezone.now()
    mail = OutgoingMail.objects.create(
        account=account,
        kind=OutgoingMailKind.NOTICE,
        subject=subject[:200],
        body=body,
        created_at=now,
        next_attempt_at=now,
        attempts=0,
    )
    transaction.on_commit(wake_sender)
    return mail


@dataclass
class RetryReport:
    sent: int = 0
    failed: int = 0
    abandoned: int = 0
    pending: int = 0


def retry_due(now: datetime | None = None) -> RetryReport:
    """Send every queued mail whose time has come; the report says what happened and what still waits."""
    now = now or timezone.now()
    report = RetryReport()
    due = OutgoingMail.objects.filter(
        sent_at__isnull=True, cancelled_at__isnull=True, next_attempt_at__lte=now
    )
    for mail_id in list(due.values_list("pk", flat=True)):
        outcome = _retry(mail_id, now)
        setattr(report, outcome, getattr(report, outcome) + 1)
    report.pending = OutgoingMail.objects.filter(sent_at__isnull=True, cancelled_at__isnull=True).count()
    return report


def _retry(mail_id: int, now: datetime) -> str:
    with transaction.atomic():
        # Locked so that two senders (threads, processes, cron) never send the same mail twice.
        # Lock the mail row only: its account is nullable (a reset asked for an unknown login is queued too),
        # and PostgreSQL refuses FOR UPDATE on the nullable side of the outer join.
        mail = OutgoingMail.objects.select_for_update(of=("self",)).select_related("account").filter(pk=mail_id).first()
        if mail is None or mail.sent_at or mail.cancelled_at:
            return "sent"
        account = _recipient(mail, now)
        if account is None:
            mail.cancelled_at = now
            mail.save(update_fields=["cancelled_at"])
            return "abandoned"
        try:
            # A savepoint: a mail the server refuses takes its new password or reset token with it.
            with transaction.atomic():
                _send(mail, account)
                mail.account, mail.sent_at = account, now
                mail.save(update_fields=["account", "sent_at"])
        except MAIL_ERRORS as error:
            message = _describe(error)
        else:
            return "sent"
        OutgoingMail.objects.filter(pk=mail_id).update(
            attempts=mail.attempts + 1, next_attempt_at=now + backoff(mail.attempts + 1), last_error=message
        )
    logger.warning("Nouvel échec du courriel en attente n° %s : %s", mail_id, message)
    return "failed"


def _recipient(mail: OutgoingMail, now: datetime) -> Account | None:
    """The account the queued mail is still owed to, or None when it is no longer needed."""
    if mail.kind == OutgoingMailKind.PASSWORD_RESET:
        if now - mail.created_at > RESET_ABANDON_AFTER:
            return None
        # Unknown or inactive: nothing is sent, and the requester was told the same thing anyway.
        return Account.objects.filter(login=mail.requested_login, status=AccountStatus.ACTIVE).first()
    account = mail.account
    if account is None or account.status != AccountStatus.ACTIVE:
        return None
    if mail.kind == OutgoingMailKind.NEW_ACCOUNT_PASSWORD and not account.must_change_password:
        return None
    return account


def _send(mail: OutgoingMail, account: Account) -> None:
    from habpps.accounts import notifications
    from habpps.accounts.password_reset import issue_link

    if mail.kind == OutgoingMailKind.NOTICE:
        notifications.send_notice(account, mail.subject, mail.body)
    elif mail.kind == OutgoingMailKind.PASSWORD_RESET:
        link, minutes = issue_link(account, mail.link_template, mail.client_address)
        notifications.send_password_reset_link(account, link, minutes)
    elif mail.kind == OutgoingMailKind.NEW_ACCOUNT_PASSWORD:
        password = generate_temporary_password(temporary_password_length())
        account.set_password(password)
        account.save(update_fields=["password", "password_changed_at"])
        notifications.send_temporary_password_mail(account, password)
    else:
        notifications.send_login_mail(account)


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:500]
