"""An account's own maximum of sessions open at once (ENG-6 with AUT-6): the engine decides at login.

Without a maximum of its own, an account follows the platform's one-session rule (``test_auth_sessions``); with
one, it may hold that many live sessions — whatever the platform's mode — and one more login is refused with the
engine's explanation in a person's words, journalled. Sessions that ended (logout, idle timeout, closed by an
administrator) do not count."""

from django.test import Client
from django.urls import reverse

from habpps.accounts.models import AccountSession, ConcurrentSessionMode
from habpps.authorization.policy_cache import current_policy
from habpps.directory import services
from habpps.journal.models import JournalEntry

from .conftest import log_in

HOME = reverse("home")


def _limit(network, account, n):
    services.set_account_limit(network.national_admin, account, max_sessions=n)


def test_eng6_an_account_limited_to_two_sessions_holds_two_and_the_third_login_is_refused(client, network, clock):
    account = network.user_a
    _limit(network, account, 2)
    assert log_in(client, account.login).status_code == 302
    second = Client()
    assert log_in(second, account.login).status_code == 302
    assert client.get(HOME).status_code == 200 and second.get(HOME).status_code == 200  # both stay open
    third = Client()
    response = log_in(third, account.login)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Vous avez déjà 2 sessions ouvertes" in page and "limité à 2 sessions à la fois" in page
    assert "Fermer l'autre session" not in page  # the takeover closes « the other » session: not offered here
    assert third.get(HOME).status_code == 302
    refused = JournalEntry.objects.filter(target=account.login, kind="auth.session.refused").latest("sequence")
    assert refused.data["rule"] == "max_sessions" and refused.data["maximum"] == 2
    assert "user_max_sessions" not in refused.data["engine"] and "2" in refused.data["engine"]
    # A session that ends no longer counts: after a logout the third login goes through.
    second.post(reverse("accounts:logout"))
    assert log_in(third, account.login).status_code == 302
    assert AccountSession.objects.filter(account=account, ended_at__isnull=True).count() == 2


def test_eng6_idle_sessions_do_not_count(client, network, clock):
    account = network.user_a
    _limit(network, account, 1)
    log_in(client, account.login)
    refused = log_in(Client(), account.login)
    assert "Vous avez déjà une session ouverte" in refused.content.decode()
    assert "limité à une seule à la fois" in refused.content.decode()
    clock.advance(minutes=31)
    assert log_in(Client(), account.login).status_code == 302


def test_eng6_the_accounts_maximum_wins_over_the_platforms_mode(client, network, policy, clock):
    """In « end the old session » mode, an account with a maximum of its own is refused, not switched over."""
    policy.concurrent_sessions = ConcurrentSessionMode.END_PREVIOUS
    policy.save()
    account = network.user_a
    _limit(network, account, 1)
    log_in(client, account.login)
    assert log_in(Client(), account.login).status_code == 200
    assert client.get(HOME).status_code == 200


def test_eng6_lowering_the_maximum_ends_no_open_session(client, network, clock):
    account = network.user_a
    _limit(network, account, 3)
    log_in(client, account.login)
    other = Client()
    log_in(other, account.login)
    _limit(network, account, 1)  # the engine accepts it: open sessions stay, the next login is refused
    assert client.get(HOME).status_code == 200 and other.get(HOME).status_code == 200
    assert log_in(Client(), account.login).status_code == 200
    assert current_policy().rbac.user_max_sessions(account.login) == 1
    _limit(network, account, None)  # back to the platform's rule: one session, the new login refused
    assert "Une session est déjà ouverte" in log_in(Client(), account.login).content.decode()


def test_eng6_the_offer_to_close_the_other_session_does_not_bypass_a_limit_set_meanwhile(client, network, clock):
    account = network.user_a
    log_in(client, account.login)
    other = Client()
    assert "Fermer l'autre session" in log_in(other, account.login).content.decode()  # the platform's rule
    _limit(network, account, 1)
    other.post(reverse("accounts:close-other-session"))
    assert other.get(HOME).status_code == 302 and client.get(HOME).status_code == 200
