"""Account creation and reset mails go through Django's SMTP backend to a real SMTP server (AUT-3, AUT-5)."""

import re

from django.urls import reverse

from habpps.accounts.models import Account
from habpps.accounts.outbox import retry_due
from habpps.directory import services


def test_a_new_account_gets_its_login_and_its_temporary_password_in_two_separate_mails(
    network, smtp_inbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        account = services.create_account(
            network.fund_admin_a,
            network.partner_a,
            first_name="Inès",
            last_name="Nouvelle",
            email="ines.nouvelle@exemple.fr",
        )
    login_mail, password_mail = smtp_inbox.wait_for(2)
    assert {login_mail["To"], password_mail["To"]} == {"ines.nouvelle@exemple.fr"}
    login_body, password_body = smtp_inbox.body(login_mail), smtp_inbox.body(password_mail)
    password = re.search(r"provisoire pour .* : (\S+)", password_body).group(1)
    assert account.login in login_body and password not in login_body
    assert account.login not in password_body
    assert "valable 24 heures" in password_body
    assert Account.objects.get(pk=account.pk).check_password(password)


def test_the_creator_never_sees_the_temporary_password(
    client, network, smtp_inbox, django_capture_on_commit_callbacks
):
    client.force_login(network.fund_admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("directory:partner-detail", args=[network.partner_a.pk]),
            {"first_name": "Inès", "last_name": "Nouvelle", "email": "ines@exemple.fr"},
            follow=True,
        )
    assert response.status_code == 200
    password_mail = smtp_inbox.wait_for(2)[1]
    password = re.search(r"provisoire pour .* : (\S+)", smtp_inbox.body(password_mail)).group(1)
    assert password not in response.content.decode()


def test_the_reset_link_arrives_by_smtp(client, network, smtp_inbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password-reset"), {"username": network.user_a.login})
    retry_due()  # the outbox's sender, which runs in the background in a server process (issue 18)
    (message,) = smtp_inbox.wait_for(1)
    assert message["To"] == network.user_a.email
    assert re.search(r"http://testserver/compte/mot-de-passe-oublie/[\w-]+/", smtp_inbox.body(message))
