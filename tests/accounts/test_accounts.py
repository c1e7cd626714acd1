"""Accounts: one organisation each, generated unique logins, Argon2id, plain login/logout (ADM-5, AUT-1, AUT-3)."""

import re

import pytest
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from habpps import settings as project_settings
from habpps.accounts.identifiers import generate_login, login_stem
from habpps.accounts.models import Account, OrgLevel
from habpps.accounts.passwords import generate_temporary_password
from habpps.directory import services
from habpps.journal.models import JournalEntry


def test_login_reads_like_the_name_without_accents():
    assert login_stem("Éloïse", "Dupont-Lefèvre") == "edupontlefevre"
    assert re.fullmatch(
        r"edupontlefevre\.\d{4}", generate_login("Éloïse", "Dupont-Lefèvre", exists=lambda _: False)
    )


def test_login_generation_widens_when_crowded():
    taken = set()
    for _ in range(200):
        login = generate_login("Jean", "Martin", exists=taken.__contains__)
        assert login not in taken
        taken.add(login)


def test_the_same_person_for_another_organisation_gets_another_account(network):
    other = services.create_account(
        None,
        network.partner_b,
        first_name="Ulysse",
        last_name="UsagerA",
        email=network.user_a.email,
        password="x",
    )
    assert other.login != network.user_a.login
    assert other.partner == network.partner_b


@pytest.mark.parametrize(
    ("level", "with_fund", "with_partner"),
    [(OrgLevel.NATIONAL, True, False), (OrgLevel.FUND, False, False), (OrgLevel.PARTNER, True, True)],
)
def test_an_account_belongs_to_exactly_one_organisation(network, level, with_fund, with_partner):
    account = Account(
        login=f"x.{level}",
        first_name="X",
        last_name="Y",
        email="x@exemple.fr",
        org_level=level,
        fund=network.fund_a if with_fund else None,
        partner=network.partner_a if with_partner else None,
    )
    with pytest.raises(ValidationError, match="exactement une organisation"):
        account.full_clean(exclude=["password"])
    with pytest.raises(IntegrityError), transaction.atomic():
        account.save()


def test_argon2id_is_the_first_password_hasher(settings):
    assert project_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    assert make_password("Motdepasse#2025").startswith("argon2$argon2id$")


def test_temporary_passwords_have_the_four_classes():
    for _ in range(50):
        password = generate_temporary_password()
        assert 8 <= len(password) <= 20
        assert re.search("[A-Z]", password) and re.search("[a-z]", password) and re.search("[0-9]", password)
        assert re.search(r"[^A-Za-z0-9]", password)


def test_a_new_account_gets_two_separate_mails(network, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        account = services.create_account(
            network.partner_admin_a,
            network.partner_a,
            first_name="Inès",
            last_name="Nouvelle",
            email="ines@exemple.fr",
        )
    assert account.must_change_password
    login_mail, password_mail = mail.outbox
    assert account.login in login_mail.body
    password = re.search(r"provisoire pour .* : (\S+)", password_mail.body).group(1)
    assert account.login not in password_mail.body and password not in login_mail.body
    assert Account.objects.get(pk=account.pk).check_password(password)


@pytest.mark.parametrize("kind", ["login", "password"])
def test_both_mails_of_a_new_account_say_where_to_log_in(
    network, django_capture_on_commit_callbacks, settings, kind
):
    """A person who receives a login must know the portal's address without asking for it."""
    settings.HABPPS_PORTAL_URL = "https://partenaires.caf.example/"
    with django_capture_on_commit_callbacks(execute=True):
        services.create_account(
            network.partner_admin_a, network.partner_a, first_name="Léa", last_name="Adresse", email="lea@exemple.fr"
        )
    login_mail, password_mail = mail.outbox
    body = login_mail.body if kind == "login" else password_mail.body
    assert "Adresse du portail, où vous connecter : https://partenaires.caf.example/" in body


def test_a_served_portal_names_its_own_address_in_mails():
    from habpps.cli.serve import portal_url

    assert portal_url("127.0.0.1", 8000) == "http://127.0.0.1:8000/"
    assert portal_url("0.0.0.0", 8080) == "http://localhost:8080/"
    assert portal_url("::1", 8000) == "http://[::1]:8000/"


def test_login_and_logout_are_journalled(client, network):
    response = client.post(
        reverse("accounts:login"), {"username": network.user_a.login, "password": "Motdepasse#2025"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("accounts:logout"))
    kinds = list(JournalEntry.objects.filter(target=network.user_a.login).values_list("kind", flat=True))
    assert "auth.login.success" in kinds and "auth.logout" in kinds


def test_a_failed_login_says_the_same_thing_whatever_failed(client, network):
    services.set_account_status(network.partner_admin_a, network.user_a, "suspended")
    answers = {
        client.post(reverse("accounts:login"), {"username": username, "password": password})
        .content.decode()
        .count("Identifiant ou mot de passe incorrect")
        for username, password in [
            (network.user_b.login, "mauvais"),
            ("inconnu.0000", "Motdepasse#2025"),
            (network.user_a.login, "Motdepasse#2025"),
        ]
    }
    assert answers == {1}
    assert JournalEntry.objects.filter(kind="auth.login.failure").count() == 3
