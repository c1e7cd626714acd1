"""Password policy, forced change on first login and on expiry (AUT-1, AUT-4, AUT-7)."""

import re
from datetime import datetime, timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from habpps.accounts.models import Account
from habpps.accounts.password_change import change_password
from habpps.accounts.policy import add_months
from habpps.directory import services
from habpps.journal.models import JournalEntry

from .conftest import PASSWORD, log_in

CHANGE = reverse("accounts:password-change")


def codes(password: str, account=None) -> set[str]:
    try:
        validate_password(password, account)
    except ValidationError as error:
        return {e.code for e in error.error_list}
    return set()


@pytest.mark.parametrize(
    ("password", "refused"),
    [
        ("Ab1#efg", {"password_length"}),  # 7
        ("Ab1#efgh", set()),  # 8
        ("Ab1#efghijklmnopqrst", set()),  # 20
        ("Ab1#efghijklmnopqrstu", {"password_length"}),  # 21
        ("ab1#efghij", {"password_classes"}),
        ("AB1#EFGHIJ", {"password_classes"}),
        ("Abc#efghij", {"password_classes"}),
        ("Ab12efghij", {"password_classes"}),
        ("Élan#2025x", set()),  # accented capitals count as capitals
    ],
)
def test_length_and_the_four_classes(db, password, refused):
    assert codes(password) == refused


def test_the_password_must_not_contain_the_login_whatever_the_case(network):
    login = network.user_a.login
    assert "password_contains_login" in codes(f"#1{login.upper()}", network.user_a)
    assert "password_contains_login" not in codes("Zz#1" + login[:-1], network.user_a)


def test_an_administrators_figures_apply_to_the_next_password(network, policy):
    policy.password_min_length, policy.password_max_length, policy.require_special = 12, 64, False
    policy.save()
    assert codes("Abcdef1234") == {"password_length"}
    assert codes("Abcdef123456") == set()


def test_the_last_three_passwords_cannot_be_reused(network):
    account = Account.objects.get(pk=network.user_a.pk)
    passwords = ["Premier#Mot1", "Deuxieme#Mot2", "Troisieme#Mot3"]
    for password in passwords:
        change_password(account, password, kind="change")
    for reused in [PASSWORD, *passwords]:
        expected = {"password_reused"} if reused in passwords else set()
        assert codes(reused, account) == expected, reused
    assert account.password_history.count() == 2  # with the current one: the last three


def test_the_history_depth_is_a_setting(network, policy):
    policy.password_history_depth = 1
    policy.save()
    account = Account.objects.get(pk=network.user_a.pk)
    change_password(account, "Premier#Mot1", kind="change")
    assert codes(PASSWORD, account) == set()
    assert codes("Premier#Mot1", account) == {"password_reused"}


def new_account(network, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        account = services.create_account(
            network.fund_admin_a,
            network.partner_a,
            first_name="Inès",
            last_name="Nouvelle",
            email="i@exemple.fr",
        )
    password = re.search(r"provisoire pour .* : (\S+)", mail.outbox[-1].body).group(1)
    mail.outbox.clear()
    return account, password


def test_first_login_forces_a_change_before_anything_else(
    client, network, django_capture_on_commit_callbacks
):
    account, temporary = new_account(network, django_capture_on_commit_callbacks)
    assert log_in(client, account.login, temporary).status_code == 302
    for path in (reverse("home"), reverse("directory:my-habilitations"), reverse("accounts:security")):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"] == CHANGE, path
    assert client.post(reverse("directory:my-habilitations")).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            CHANGE,
            {
                "old_password": temporary,
                "new_password1": "Nouveau#Secret9",
                "new_password2": "Nouveau#Secret9",
            },
        )
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200  # the same session goes on
    account.refresh_from_db()
    assert not account.must_change_password and account.check_password("Nouveau#Secret9")
    assert JournalEntry.objects.filter(kind="auth.password.change", target=account.login).exists()
    assert [m.subject for m in mail.outbox] == ["Mon Compte Partenaire — mot de passe modifié"]


def test_logout_stays_reachable_during_the_forced_change(client, network, django_capture_on_commit_callbacks):
    account, temporary = new_account(network, django_capture_on_commit_callbacks)
    log_in(client, account.login, temporary)
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_change_form_answers_in_french_next_to_the_field(client, network):
    client.force_login(network.user_a)
    response = client.post(
        CHANGE, {"old_password": "faux", "new_password1": "court", "new_password2": "autre"}
    )
    form = response.context["form"]
    assert form.errors["old_password"] == ["Le mot de passe actuel est incorrect."]
    assert form.errors["new_password2"] == ["Les deux mots de passe ne sont pas identiques."]
    response = client.post(
        CHANGE, {"old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD}
    )
    assert "différent des 3 précédents" in response.context["form"].errors["new_password1"][0]


def test_a_temporary_password_expires_after_24_hours(
    client, network, clock, django_capture_on_commit_callbacks
):
    account, temporary = new_account(network, django_capture_on_commit_callbacks)
    clock.advance(hours=24, seconds=1)
    response = log_in(client, account.login, temporary)
    assert response.status_code == 200
    assert "mot de passe provisoire a expiré" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_personal_password_expires_after_six_months_and_must_be_changed(client, network, clock):
    account = network.user_a
    expiry = add_months(account.password_changed_at, 6)
    # Five minutes before the expiry, whenever the network was built and however slow the machine is.
    clock.offset = expiry - timezone.now() - timedelta(minutes=5)
    log_in(client, account.login)
    assert client.get(reverse("home")).status_code == 200
    clock.advance(minutes=10)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == CHANGE


def test_calendar_months():
    assert add_months(datetime(2025, 8, 31), 6) == datetime(2026, 2, 28)
    assert add_months(datetime(2025, 1, 15), 6) == datetime(2025, 7, 15)


def test_common_breached_passwords_are_refused_even_with_the_four_classes(db):
    assert codes("P@ssw0rd") == {"password_too_common"}


def test_long_passwords_are_not_truncated(network, policy):
    policy.password_max_length = 128
    policy.save()
    account = Account.objects.get(pk=network.user_a.pk)
    change_password(account, "Long#1" + "x" * 100, kind="change")
    assert account.check_password("Long#1" + "x" * 100)
    assert not account.check_password("Long#1" + "x" * 99)


def test_password_fields_let_password_managers_work(client, db):
    page = client.get(reverse("accounts:login")).content.decode()
    assert 'autocomplete="username"' in page and 'autocomplete="current-password"' in page
    assert "onpaste" not in page
