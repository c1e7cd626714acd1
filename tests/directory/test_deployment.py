"""The national deployment of services (ADM-1): per profile and per fund, from which date it may be granted."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from habpps.authorization.orgs import NATIONAL_UNIT, fund_unit
from habpps.authorization.policy_cache import current_policy
from habpps.directory import deployment, services
from habpps.directory.models import GroupRoleAssignment, PolicyChange, ProfileOpening
from habpps.engine.deployment import DeploymentCalendar

TODAY = date.today()
LATER = TODAY + timedelta(days=365)
EARLIER = TODAY - timedelta(days=30)


def lineage(org: str) -> list[str]:
    return [org, NATIONAL_UNIT] if org != NATIONAL_UNIT else [org]


# -- the engine's calendar ----------------------------------------------------------------------------------------
def test_a_profile_without_calendar_is_open_everywhere():
    decision = DeploymentCalendar().decide("t1", "fund:1", lineage, TODAY)
    assert decision.granted and decision.reason == "not_scheduled"


def test_the_nearest_unit_decides_and_explains():
    calendar = DeploymentCalendar({("t6", NATIONAL_UNIT): LATER}).with_opening("t6", "fund:1", EARLIER)
    pilot = calendar.decide("t6", "fund:1", lineage, TODAY)
    other = calendar.decide("t6", "fund:2", lineage, TODAY)
    assert pilot.granted and pilot.unit == "fund:1"
    assert not other.granted and other.reason == "not_yet_open" and other.opens_on == LATER
    assert LATER.strftime("%d/%m/%Y") in other.message
    assert calendar.without_opening("t6", "fund:1").decide("t6", "fund:1", lineage, LATER).granted


def test_an_entry_without_date_closes_the_profile():
    calendar = DeploymentCalendar({("t6", NATIONAL_UNIT): EARLIER, ("t6", "fund:2"): None})
    decision = calendar.decide("t6", "fund:2", lineage, TODAY)
    assert not decision.granted and decision.reason == "closed"
    assert "aucune date" in decision.message


# -- grants refused until the profile opens in the fund --------------------------------------------------------
@pytest.fixture
def second_group(network):
    return services.create_group(None, network.partner_a, name="Accueil")


def test_a_profile_not_yet_open_in_the_fund_cannot_be_granted(network, second_group):
    role = network.roles["cdap-ass-cesf"]
    deployment.set_opening(network.national_admin, role, None, LATER)
    with pytest.raises(ValidationError) as refused:
        services.assign_group_role(None, second_group, role)
    message = refused.value.message_dict["role"][0]
    assert "pas encore ouvert" in message and LATER.strftime("%d/%m/%Y") in message
    assert not GroupRoleAssignment.objects.filter(group=second_group).exists()
    # The group that held it before the calendar keeps it.
    assert GroupRoleAssignment.objects.current().filter(group=network.group_a, role=role).exists()


def test_a_fund_of_its_own_date_opens_before_the_others(network, second_group):
    role = network.roles["cdap-ass-cesf"]
    deployment.set_opening(None, role, None, LATER)
    deployment.set_opening(None, role, network.fund_a, EARLIER)
    services.assign_group_role(None, second_group, role)  # Caf A: open since last month
    group_b = services.create_group(None, network.partner_b, name="Accueil")
    with pytest.raises(ValidationError):
        services.assign_group_role(None, group_b, role)  # Caf B: the national date applies
    assert not deployment.opening_decision(role, network.fund_b.pk)
    assert deployment.opening_decision(role, network.fund_b.pk, LATER)


def test_the_calendar_is_part_of_the_logged_policy(network):
    role = network.roles["cdap-ass-cesf"]
    deployment.set_opening(network.national_admin, role, network.fund_b, None)
    assert current_policy().deployment.openings[(role.code, fund_unit(network.fund_b.pk))] is None
    assert PolicyChange.objects.latest("number").calls == [["set_opening", role.code, fund_unit(network.fund_b.pk), None]]
    deployment.clear_opening(network.national_admin, role, network.fund_b)
    assert current_policy().deployment == DeploymentCalendar()


def test_only_access_profiles_are_deployed(network):
    with pytest.raises(ValidationError):
        deployment.set_opening(None, network.roles["FundAdmin"], None, LATER)


def test_the_demo_seeds_two_waves_and_a_pilot_fund(network):
    assert network.fund_a.code == deployment.DEMO_PILOT_FUND
    deployment.seed_demo_deployment(TODAY)
    first, second = network.roles["cdap-ass-cesf"], network.roles["cdap-cd-controle"]
    assert deployment.opening_decision(first, network.fund_b.pk)
    assert not deployment.opening_decision(second, network.fund_b.pk)
    assert deployment.opening_decision(second, network.fund_a.pk)
    assert deployment.opening_decision(second, network.fund_b.pk, TODAY + timedelta(days=200))


# -- the national administrator's pages -----------------------------------------------------------------------
def test_the_national_administrator_edits_the_calendar(client, network):
    role = network.roles["cdap-cd-controle"]
    client.force_login(network.national_admin)
    assert client.get(reverse("directory:deployment")).status_code == 200
    url = reverse("directory:service-deployment", args=[role.service_id])
    page = client.get(url)
    assert page.status_code == 200 and role.name in page.content.decode()
    response = client.post(url, {"role": role.pk, "fund": network.fund_a.pk, "opens_on": LATER.isoformat()})
    assert response.status_code == 302
    opening = ProfileOpening.objects.get(role=role, fund=network.fund_a)
    assert opening.opens_on == LATER and opening.changed_by == network.national_admin
    assert "Ouvre le" in client.get(url).content.decode()
    assert client.post(reverse("directory:opening-clear", args=[opening.pk])).status_code == 302
    assert not ProfileOpening.objects.filter(pk=opening.pk).exists()


def test_a_fund_administrator_does_not_see_the_deployment(client, network):
    client.force_login(network.fund_admin_a)
    assert client.get(reverse("directory:deployment")).status_code == 404
    menu = client.get(reverse("home")).content.decode()
    assert reverse("directory:deployment") not in menu
