"""The two e-mails of a new account (AUT-3): the login in one, the temporary password in the other.

Sending them separately means an intercepted message never holds both halves; the administrator who created
the account sees neither.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

from habpps.accounts.models import Account


def send_new_account_mails(account: Account, temporary_password: str) -> None:
    context = {"account": account, "site_title": settings.HABPPS_SITE_TITLE}
    send_mail(
        subject=f"{settings.HABPPS_SITE_TITLE} — votre identifiant",
        message=render_to_string("accounts/mail/new_account_login.txt", context),
        from_email=None,
        recipient_list=[account.email],
    )
    send_mail(
        subject=f"{settings.HABPPS_SITE_TITLE} — votre mot de passe provisoire",
        message=render_to_string(
            "accounts/mail/new_account_password.txt", {**context, "password": temporary_password}
        ),
        from_email=None,
        recipient_list=[account.email],
    )
