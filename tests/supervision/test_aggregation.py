"""The aggregation job folds the journal and the directory's periods into daily aggregates, once per day."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from habpps.accounts.authentication import check_credentials
from habpps.directory import services
from habpps.directory.models import GroupMembership
from habpps.supervision.aggregation import ALL_PROFILES, aggregate, parse_org_scope
from habpps.supervision.models import (
    AggregationState,
    DailyAccountActivity,
    DailyHabilitationCount,
    DailySectionConsultation,
    DailyServiceActivity,
    Level,
)
from supervision.conftest import consult, today


def test_consultations_become_business_actions_per_account_and_service(net):
    consult(net.user_a, times=3)
    consult(net.user_b, times=1)
    aggregate(until=today())
    rows = {
        (row.account_id, row.service): (row.actions, row.fund_id, row.partner_id)
        for row in DailyServiceActivity.objects.all()
    }
    assert rows == {
        (net.user_a.pk, "cdap"): (3, net.fund_a.pk, net.partner_a.pk),
        (net.user_b.pk, "cdap"): (1, net.fund_b.pk, net.partner_b.pk),
    }


def test_sections_are_counted_per_profile_and_once_for_all_profiles_at_each_level(net):
    consult(net.user_a, sections=["dossier", "droits"], profiles=["cdap-ass-cesf", "cdap-autre"], times=2)
    consult(net.user_b, sections=["dossier"], times=1)
    aggregate(until=today())
    national = {
        (row.section, row.profile): row.count
        for row in DailySectionConsultation.objects.filter(level=Level.NATIONAL)
    }
    assert national[("dossier", ALL_PROFILES)] == 3
    assert national[("dossier", "cdap-ass-cesf")] == 3
    assert national[("dossier", "cdap-autre")] == 2
    assert national[("droits", ALL_PROFILES)] == 2
    fund_a = DailySectionConsultation.objects.get(
        level=Level.FUND, fund=net.fund_a, section="dossier", profile=ALL_PROFILES
    )
    partner_b = DailySectionConsultation.objects.get(
        level=Level.PARTNER, partner=net.partner_b, section="dossier", profile=ALL_PROFILES
    )
    assert (fund_a.count, partner_b.count) == (2, 1)


def test_a_real_freeze_and_a_real_login_are_counted_for_the_account(net, client):
    for _ in range(5):
        check_credentials(net.user_a.login, "mauvais mot de passe")
    client.force_login(net.user_b)
    aggregate(until=today())
    frozen = DailyAccountActivity.objects.get(account=net.user_a)
    logged = DailyAccountActivity.objects.get(account=net.user_b)
    assert (frozen.freezes, frozen.logins) == (1, 0)
    assert (logged.freezes, logged.logins, logged.partner_id) == (0, 1, net.partner_b.pk)


def test_habilitations_are_counted_at_the_end_of_each_day_from_the_directory_periods(net):
    start = today() - timedelta(days=3)
    # History: the group of fund A got its profile and member three days ago; the member left today.
    moment = timezone.now() - timedelta(days=3)
    GroupMembership.objects.filter(group__in=[net.group_a, net.group_b]).update(started_at=moment)
    net.group_a.role_assignments.update(started_at=moment)
    net.group_b.role_assignments.update(started_at=moment)
    services.remove_group_member(None, net.group_a, net.user_a)
    aggregate(until=today(), since=start)
    national = dict(
        DailyHabilitationCount.objects.filter(level=Level.NATIONAL, role="cdap-ass-cesf").values_list(
            "day", "count"
        )
    )
    assert national[start] == 2
    assert national[today() - timedelta(days=1)] == 2
    assert national[today()] == 1  # user A no longer holds it at the end of today
    partner_a = DailyHabilitationCount.objects.filter(level=Level.PARTNER, partner=net.partner_a, day=today())
    assert not partner_a.exists()


def test_the_job_resumes_after_the_last_day_and_never_counts_a_day_twice(net):
    consult(net.user_a, times=2)
    first = aggregate(until=today())
    assert AggregationState.objects.get().last_day == today()
    assert aggregate(until=today()).days == 0  # nothing new: nothing redone
    again = aggregate(until=today(), since=today())  # re-aggregating a day replaces its rows
    assert first.days >= 1 and again.days == 1
    assert DailyServiceActivity.objects.get(account=net.user_a).actions == 2


def test_org_scopes_of_the_journal_are_read_back_into_fund_and_partner():
    assert parse_org_scope("national/fund:7/partner:42") == (7, 42)
    assert parse_org_scope("national/fund:7") == (7, None)
    assert parse_org_scope("national") == (None, None)
