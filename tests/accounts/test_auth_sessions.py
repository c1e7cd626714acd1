"""Sessions: no concurrent sessions, idle timeout, logout, suspension ends them (AUT-6, AUT-7)."""

from django.test import Client
from django.urls import reverse

from habpps.accounts.models import AccountSession, ConcurrentSessionMode, SessionEndReason
from habpps.directory import services
from habpps.journal.models import JournalEntry

from .conftest import log_in

HOME = reverse("home")


def kinds(account) -> list[str]:
    return list(
        JournalEntry.objects.filter(target=account.login).order_by("sequence").values_list("kind", flat=True)
    )


def test_a_second_login_is_refused_while_a_session_is_live(client, network, clock):
    assert log_in(client, network.user_a.login).status_code == 302
    other = Client()
    response = log_in(other, network.user_a.login)
    assert response.status_code == 200
    assert "Une session est déjà ouverte avec ce compte" in response.content.decode()
    assert other.get(HOME).status_code == 302
    assert client.get(HOME).status_code == 200
    assert "auth.session.refused" in kinds(network.user_a)


def test_once_the_first_session_is_idle_or_closed_a_new_login_is_accepted(client, network, clock):
    log_in(client, network.user_a.login)
    clock.advance(minutes=31)
    other = Client()
    assert log_in(other, network.user_a.login).status_code == 302
    assert other.get(HOME).status_code == 200
    third = Client()
    other.post(reverse("accounts:logout"))
    assert log_in(third, network.user_a.login).status_code == 302


def test_in_the_other_mode_a_new_login_ends_the_old_session(client, network, policy):
    policy.concurrent_sessions = ConcurrentSessionMode.END_PREVIOUS
    policy.save()
    log_in(client, network.user_a.login)
    other = Client()
    assert log_in(other, network.user_a.login).status_code == 302
    assert other.get(HOME).status_code == 200
    response = client.get(HOME)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert AccountSession.objects.filter(
        account=network.user_a, end_reason=SessionEndReason.REPLACED
    ).exists()
    assert "auth.session.replaced" in kinds(network.user_a)


def test_thirty_minutes_of_inactivity_end_the_session(client, network, clock):
    log_in(client, network.user_a.login)
    clock.advance(minutes=29)
    assert client.get(HOME).status_code == 200  # activity restarts the count
    clock.advance(minutes=29)
    assert client.get(HOME).status_code == 200
    clock.advance(minutes=30, seconds=1)
    response = client.get(HOME, follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:login"))
    assert "fermée après 30 minutes" in response.content.decode()
    assert "auth.session.idle" in kinds(network.user_a)


def test_the_idle_timeout_is_the_administrators_setting_and_drives_the_cookie(client, network, policy, clock):
    policy.idle_timeout_minutes = 5
    policy.save()
    log_in(client, network.user_a.login)
    assert client.session.get_expiry_age() == 5 * 60
    clock.advance(minutes=6)
    assert client.get(HOME).status_code == 302


def test_logout_ends_the_session_and_is_journalled(client, network):
    log_in(client, network.user_a.login)
    client.post(reverse("accounts:logout"))
    assert client.get(HOME).status_code == 302
    record = AccountSession.objects.get(account=network.user_a)
    assert record.end_reason == SessionEndReason.LOGOUT and record.ended_at is not None
    assert kinds(network.user_a)[-2:] == ["auth.login.success", "auth.logout"]


def test_a_suspended_users_session_dies_on_its_next_request(client, network):
    log_in(client, network.user_a.login)
    services.set_account_status(network.partner_admin_a, network.user_a, "suspended")
    assert client.get(HOME).status_code == 302
    assert AccountSession.objects.get(account=network.user_a).end_reason == SessionEndReason.REVOKED
    assert "auth.session.revoked" in kinds(network.user_a)
    services.set_account_status(network.partner_admin_a, network.user_a, "active")
    assert client.get(HOME).status_code == 302  # the session is gone for good, not merely paused


def test_the_session_key_changes_at_login(client, network):
    client.get(reverse("accounts:login"))
    client.cookies["sessionid"] = "fixation0attempt0by0an0attacker0"
    log_in(client, network.user_a.login)
    assert client.session.session_key != "fixation0attempt0by0an0attacker0"
    assert len(client.session.session_key) == 32  # [a-z0-9]{32}: about 165 bits (ASVS 3.2.2)
