"""The e-mails of the authentication side, all through Django's mail layer (SMTP, outbox folder, test server).

- A new account gets two (AUT-3): the login in one, the temporary password in the other, so an intercepted
  message never holds both halves; the administrator who created the account sees neither.
- « Mot de passe oublié » sends a single-use link (AUT-5).
- A freeze, a password change and a change of second factor are notified to the holder (OWASP ASVS 2.2.3), so that someone else's
  attempt does not go unnoticed. Those notices never block the login flow when the mail server is down.

Every mail gives the portal's address (``HABPPS_PORTAL_URL``): a person who receives a login must know where to
use it, and one warned of a freeze or a change must be able to go and look without searching for the site.
"""

from __future__ import annotations

import logging
import smtplib

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

from habpps.accounts.models import Account, AccountFreeze

logger = logging.getLogger(__name__)


def _send(account: Account, subject: str, template: str, context: dict) -> None:
    site_title = settings.HABPPS_SITE_TITLE
    send_mail(
        subject=f"{site_title} — {subject}",
        message=render_to_string(
            template,
            {"account": account, "site_title": site_title, "portal_url": settings.HABPPS_PORTAL_URL, **context},
        ),
        from_email=None,
        recipient_list=[account.email],
    )


def _notify(account: Account, subject: str, template: str, context: dict) -> None:
    """Send a notice, logging instead of failing when the mail server refuses it."""
    try:
        _send(account, subject, template, context)
    except (OSError, smtplib.SMTPException):
        logger.exception("Avis « %s » non envoyé au compte %s", subject, account.login)


def send_new_account_mails(account: Account, temporary_password: str) -> None:
    """Both mails of a new account; one the mail server refuses waits in the outbox (``outbox.py``)."""
    from habpps.accounts.outbox import deliver_new_account_mails

    deliver_new_account_mails(account, temporary_password)


def send_login_mail(account: Account) -> None:
    _send(account, "votre identifiant", "accounts/mail/new_account_login.txt", {})


def send_temporary_password_mail(account: Account, temporary_password: str) -> None:
    from habpps.accounts.policy import current_policy

    validity_hours = current_policy().temporary_password_validity_hours
    _send(
        account,
        "votre mot de passe provisoire",
        "accounts/mail/new_account_password.txt",
        {"password": temporary_password, "validity_hours": validity_hours},
    )


def send_password_reset_link(account: Account, link: str, validity_minutes: int) -> None:
    """Sent by the background sender only (never in the request, so no answer depends on it); a refusal of the
    mail server raises, and the outbox tries again later with a new link (``outbox``)."""
    _send(
        account,
        "réinitialisation de votre mot de passe",
        "accounts/mail/password_reset_link.txt",
        {"link": link, "validity_minutes": validity_minutes},
    )


def send_notice(account: Account, subject: str, body: str) -> None:
    """A queued notice's text, written when its cause happened (``outbox.queue_notice``); raises when the mail
    server refuses it, so the outbox tries again."""
    send_mail(
        subject=f"{settings.HABPPS_SITE_TITLE} — {subject}",
        message=body,
        from_email=None,
        recipient_list=[account.email],
    )


def send_freeze_notice(account: Account, freeze: AccountFreeze) -> None:
    _notify(account, "compte gelé temporairement", "accounts/mail/account_frozen.txt", {"freeze": freeze})


def send_password_changed_notice(account: Account) -> None:
    _notify(account, "mot de passe modifié", "accounts/mail/password_changed.txt", {})


def send_second_factor_notice(account: Account, *, enrolled: bool) -> None:
    subject = "double authentification activée" if enrolled else "double authentification retirée"
    _notify(account, subject, "accounts/mail/second_factor_changed.txt", {"enrolled": enrolled})
