"""CDP-9: a per-user daily ceiling of lookups, and an e-mail to the partner's and the fund's administrators when a
user reaches the alert threshold; both figures are the national administrator's to set."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection

from cdap.conftest import KNOWN_NUMBER, TODAY, UNKNOWN_NUMBER, make_cdap_network
from habpps.authorization.policy_build import build_rbac
from habpps.cdap import doctrine
from habpps.cdap.limits import LOOKUP_ACTION, DatabaseActionCounter, effective_limits, lookup_limits
from habpps.cdap.models import AbuseLimits, Consultation, DailyActionCount
from habpps.journal.models import JournalEntry


def set_limits(ceiling: int, threshold: int) -> None:
    AbuseLimits.current()
    AbuseLimits.objects.update(daily_ceiling=ceiling, alert_threshold=threshold)


def test_the_figures_start_from_the_settings(db, settings):
    settings.HABPPS_CDAP_DAILY_CEILING = 40
    settings.HABPPS_CDAP_ALERT_THRESHOLD = 30
    assert (AbuseLimits.current().daily_ceiling, AbuseLimits.current().alert_threshold) == (40, 30)


def test_beyond_the_ceiling_lookups_are_refused_with_a_french_message_and_journalled(cdap_network, login):
    set_limits(ceiling=3, threshold=3)
    client = login(cdap_network.user_a)
    for number in (KNOWN_NUMBER, UNKNOWN_NUMBER, "2345678"):  # unknown numbers count: trying numbers is abuse
        client.post("/cdap/", {"number": number})
    page = client.post("/cdap/", {"number": "3456789"}).content.decode()
    assert "plafond de 3 dossiers consultés aujourd" in page
    refused = Consultation.objects.get(outcome="refused")
    assert refused.beneficiary_number == "3456789"
    assert JournalEntry.objects.filter(kind="cdap.consultation.refused").count() == 1
    assert DailyActionCount.objects.get(login=cdap_network.user_a.login, action=LOOKUP_ACTION).count == 3
    # Another user of the same partner is not affected; the pages of an open file are not counted.
    assert (
        login(cdap_network.cdap_users["cdap-instructeur-rsa-cpam"])
        .post("/cdap/", {"number": KNOWN_NUMBER})
        .status_code
        == 302
    )


def test_the_ceiling_is_per_day(db, cdap_network):
    counter, login = DatabaseActionCounter(), cdap_network.user_a.login
    assert counter.consume(login, LOOKUP_ACTION, TODAY, 1, 1) == 1
    assert counter.consume(login, LOOKUP_ACTION, TODAY, 1, 1) is None
    assert counter.consume(login, LOOKUP_ACTION, TODAY + timedelta(days=1), 1, 1) == 1
    assert counter.count(login, LOOKUP_ACTION, TODAY) == 1
    assert counter.consume(login, "autre-action", TODAY, 1, 1) == 1


def test_a_profile_limit_set_in_the_engine_takes_precedence(cdap_network):
    """ENG-8: when the viewer's profiles limit the action in the engine, that figure applies, not the national
    one. The directory stores no per-profile action limit yet: the policy compiled from it gets one through the
    engine's own administrative function."""
    set_limits(ceiling=100, threshold=50)
    user = cdap_network.user_a
    assert lookup_limits(user).max_per_day == 100
    rbac = build_rbac()
    rbac.set_action_limits("cdap-ass-cesf", LOOKUP_ACTION, max_per_day=2)
    profile_limits = rbac.compile().action_limits(user.login, LOOKUP_ACTION)
    assert effective_limits(profile_limits, 100).max_per_day == 2
    assert effective_limits(None, 100).max_per_day == 100


def test_reaching_the_threshold_mails_the_partner_and_fund_administrators_once(cdap_network, login):
    set_limits(ceiling=10, threshold=2)
    user = cdap_network.user_a
    client = login(user)
    for number in ("1111111", "2222222", "3333333", "4444444"):
        client.post("/cdap/", {"number": number})
    assert len(mail.outbox) == 2
    recipients = {message.to[0] for message in mail.outbox}
    assert recipients == {cdap_network.partner_admin_a.email, cdap_network.fund_admin_a.email}
    assert user.login in mail.outbox[0].subject
    assert "a consulté 2 dossiers allocataires" in mail.outbox[0].body
    entry = JournalEntry.objects.get(kind="cdap.alert.threshold")
    assert sorted(entry.data["recipients"]) == sorted(
        [cdap_network.partner_admin_a.login, cdap_network.fund_admin_a.login]
    )


def test_the_national_administrator_edits_the_figures_and_it_is_journalled(cdap_network, login):
    client = login(cdap_network.national_admin)
    page = client.post(
        "/cdap/doctrine/limites/", {"daily_ceiling": 20, "alert_threshold": 30}
    ).content.decode()
    assert (
        "Le seuil d&#x27;alerte ne peut pas dépasser le plafond quotidien." in page
        or "ne peut pas dépasser" in page
    )
    assert (
        client.post("/cdap/doctrine/limites/", {"daily_ceiling": 20, "alert_threshold": 15}).status_code
        == 302
    )
    assert (AbuseLimits.current().daily_ceiling, AbuseLimits.current().alert_threshold) == (20, 15)
    entry = JournalEntry.objects.get(kind="cdap.limits.update")
    assert entry.after == {"daily_ceiling": 20, "alert_threshold": 15}
    assert login(cdap_network.fund_admin_a).get("/cdap/doctrine/limites/").status_code == 404


def test_only_a_national_administrator_may_change_the_figures(cdap_network):
    from habpps.authorization.decisions import AccessRefused

    with pytest.raises(AccessRefused):
        doctrine.update_limits(cdap_network.fund_admin_a, daily_ceiling=1, alert_threshold=1)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_lookups_never_pass_the_ceiling_together():
    """Twenty threads of the same user race for a ceiling of 5: exactly five are allowed, each count seen once."""
    net = make_cdap_network()
    counter, results, barrier = DatabaseActionCounter(), [], threading.Barrier(20)

    def attempt() -> None:
        try:
            barrier.wait()
            results.append(counter.consume(net.user_a.login, LOOKUP_ACTION, TODAY, 1, 5))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    allowed = sorted(count for count in results if count is not None)
    assert allowed == [1, 2, 3, 4, 5]  # each count seen once: exactly one request reaches any threshold
    assert DailyActionCount.objects.get(login=net.user_a.login).count == 5
