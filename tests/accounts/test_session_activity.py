"""The per-request session checks read little and write less (AUT-6, issue 19): the policy row is kept by each
process for one probe period, and a session's activity is written at most every 30 seconds."""

from __future__ import annotations

import pytest
from django.urls import reverse

from habpps.accounts.models import AccountSession, AuthenticationPolicy
from habpps.accounts.policy import current_policy, policy_in_force

from .conftest import log_in

HOME = reverse("home")


def stored_activity(account):
    return AccountSession.objects.get(account=account, ended_at__isnull=True).last_activity_at


def test_activity_is_written_at_most_every_thirty_seconds(client, network, clock):
    log_in(client, network.user_a.login)
    first = stored_activity(network.user_a)
    clock.advance(seconds=20)
    assert client.get(HOME).status_code == 200
    assert stored_activity(network.user_a) == first
    clock.advance(seconds=15)
    assert client.get(HOME).status_code == 200
    assert stored_activity(network.user_a) > first


def test_the_idle_timeout_counts_from_the_last_written_activity(client, network, clock):
    """A request within 30 s of the last write leaves it: the session ends at most 30 s before the exact
    timeout, never after it."""
    log_in(client, network.user_a.login)
    clock.advance(seconds=20)
    assert client.get(HOME).status_code == 200  # not written
    clock.advance(minutes=29, seconds=45)  # 30 min 5 s after the written activity, 29 min 45 s after the request
    assert client.get(HOME).status_code == 302


@pytest.mark.django_db(transaction=True)
def test_the_policy_is_read_once_per_period_and_at_once_after_a_change_here(settings, django_assert_num_queries):
    settings.HABPPS_POLICY_PROBE_SECONDS = 3600
    policy = current_policy()
    kept = policy_in_force()
    with django_assert_num_queries(0):
        assert policy_in_force() is kept
    # Another process's change (an UPDATE this process's signals do not see) waits for the period to lapse…
    AuthenticationPolicy.objects.filter(pk=policy.pk).update(idle_timeout_minutes=12)
    assert policy_in_force().idle_timeout_minutes == kept.idle_timeout_minutes
    settings.HABPPS_POLICY_PROBE_SECONDS = 0
    assert policy_in_force().idle_timeout_minutes == 12
    # …while a change saved in this process is seen by the next request.
    settings.HABPPS_POLICY_PROBE_SECONDS = 3600
    assert policy_in_force().idle_timeout_minutes == 12
    policy.refresh_from_db()
    policy.idle_timeout_minutes = 7
    policy.save()
    assert policy_in_force().idle_timeout_minutes == 7


def test_the_session_is_saved_with_its_activity_not_on_every_request(client, network, clock):
    """Issue 19: no session write per page; the stored session and its cookie are saved with the activity
    (every 30 s), which moves their idle expiry."""
    from django.conf import settings

    log_in(client, network.user_a.login)
    clock.advance(seconds=20)
    response = client.get(HOME)
    assert response.status_code == 200
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    clock.advance(seconds=15)
    response = client.get(HOME)
    assert response.status_code == 200
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 30 * 60
