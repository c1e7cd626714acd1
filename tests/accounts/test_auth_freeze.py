"""Freeze after consecutive failures, the same refusal for every failure, throttling per address (AUT-2, AUT-7)."""

from datetime import timedelta

from django.core import mail
from django.urls import reverse

from habpps.accounts.freezes import freeze_counts
from habpps.accounts.models import Account, AccountFreeze
from habpps.directory import services
from habpps.journal.models import JournalEntry

from .conftest import PASSWORD, log_in

REFUSAL = "Identifiant ou mot de passe incorrect."


def fail(client, login: str, times: int = 1, **extra):
    return [log_in(client, login, "Mauvais#Mot2passe", **extra) for _ in range(times)]


def test_five_consecutive_failures_freeze_the_account_even_for_the_right_password(client, network, clock):
    fail(client, network.user_a.login, 5)
    account = Account.objects.get(pk=network.user_a.pk)
    assert clock.now() + timedelta(minutes=9) < account.frozen_until <= clock.now() + timedelta(minutes=10)
    response = log_in(client, network.user_a.login)
    assert response.status_code == 200 and REFUSAL in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_freeze_ends_after_ten_minutes(client, network, clock):
    fail(client, network.user_a.login, 5)
    clock.advance(minutes=9, seconds=59)
    assert log_in(client, network.user_a.login).status_code == 200
    clock.advance(seconds=2)
    assert log_in(client, network.user_a.login).status_code == 302


def test_only_consecutive_failures_count(client, network, clock):
    fail(client, network.user_a.login, 4)
    assert log_in(client, network.user_a.login).status_code == 302
    client.post(reverse("accounts:logout"))
    fail(client, network.user_a.login, 4)
    assert Account.objects.get(pk=network.user_a.pk).frozen_until is None
    assert log_in(client, network.user_a.login).status_code == 302


def test_the_thresholds_are_the_administrators_settings(client, network, policy, clock):
    policy.freeze_failure_threshold, policy.freeze_duration_minutes = 3, 60
    policy.save()
    fail(client, network.user_a.login, 3)
    clock.advance(minutes=59)
    assert log_in(client, network.user_a.login).status_code == 200
    clock.advance(minutes=2)
    assert log_in(client, network.user_a.login).status_code == 302


def test_freezes_are_recorded_journalled_counted_and_notified(client, network, clock):
    for _ in range(2):
        fail(client, network.user_a.login, 5)
        clock.advance(minutes=11)
    freezes = AccountFreeze.objects.filter(account=network.user_a)
    assert freezes.count() == 2 and {f.failures for f in freezes} == {5}
    assert freezes.first().client_address == "127.0.0.1"
    assert JournalEntry.objects.filter(kind="auth.account.freeze", target=network.user_a.login).count() == 2
    assert JournalEntry.objects.filter(kind="auth.login.failure", target=network.user_a.login).count() == 10
    (row,) = freeze_counts(since=clock.now() - timedelta(days=183))
    assert row["account__login"] == network.user_a.login and row["freezes"] == 2
    notices = [m for m in mail.outbox if "gelé" in m.subject]
    assert len(notices) == 2 and notices[0].to == [network.user_a.email]


def test_unknown_login_wrong_password_frozen_and_suspended_get_the_same_answer(client, network, clock):
    fail(client, network.user_b.login, 5)  # frozen
    services.set_account_status(network.partner_admin_a, network.user_a, "suspended")
    answers = []
    for login, password in [
        ("inconnu.0000", PASSWORD),
        (network.verifier_a.login, "Mauvais#Mot2passe"),
        (network.user_b.login, PASSWORD),
        (network.user_a.login, PASSWORD),
    ]:
        response = log_in(client, login, password)
        page = response.content.decode()
        answers.append((response.status_code, page.count(REFUSAL), login in page))
    assert answers == [(200, 1, True)] * 4  # the login typed is echoed back, nothing else differs


def test_a_frozen_accounts_password_is_not_even_tested(client, network, clock, monkeypatch):
    fail(client, network.user_a.login, 5)
    tested = []
    monkeypatch.setattr(Account, "check_password", lambda self, raw: tested.append(raw) or True)
    assert log_in(client, network.user_a.login).status_code == 200
    assert tested == []


def test_an_address_that_fails_too_often_is_refused_whatever_the_account(client, network, policy, clock):
    policy.address_failure_threshold, policy.address_window_minutes = 6, 15
    policy.save()
    for account in (network.user_a, network.user_b, network.verifier_a):
        fail(client, account.login, 2)
    response = log_in(client, network.fund_admin_a.login)
    assert response.status_code == 429
    assert "Trop de tentatives" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert JournalEntry.objects.filter(kind="auth.login.throttled").exists()
    # Another address is not affected; the same one is let through once the window is over.
    assert log_in(client, network.fund_admin_a.login, REMOTE_ADDR="10.1.2.3").status_code == 302
    client.post(reverse("accounts:logout"))
    clock.advance(minutes=16)
    assert log_in(client, network.fund_admin_b.login).status_code == 302


def test_behind_a_trusted_proxy_the_forwarded_address_is_throttled(client, network, policy, settings):
    settings.HABPPS_TRUSTED_PROXY_HOPS = 1
    policy.address_failure_threshold = 2
    policy.save()
    forged = {"HTTP_X_FORWARDED_FOR": "1.1.1.1, 203.0.113.9"}
    fail(client, network.user_a.login, 2, **forged)
    assert (
        log_in(client, network.user_b.login, HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.9").status_code == 429
    )
    assert log_in(client, network.user_b.login, HTTP_X_FORWARDED_FOR="203.0.113.10").status_code == 302
