"""Suspension and removal take effect on the very next request and decision, and keep history (ADM-6)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from habpps.accounts.models import Account
from habpps.authorization.decisions import is_allowed
from habpps.directory import services
from habpps.directory.models import GroupMembership, Partner

CDAP_DOSSIER = ("consulter", "cdap.section.dossier")


def test_a_suspended_account_loses_its_session_on_the_next_request(client, network):
    client.force_login(network.user_a)
    assert client.get(reverse("home")).status_code == 200
    services.set_account_status(network.partner_admin_a, network.user_a, "suspended")
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_a_suspended_partner_stops_its_users_decisions_and_logins(client, network):
    assert is_allowed(network.user_a, *CDAP_DOSSIER)
    client.force_login(network.user_a)
    services.set_partner_status(network.fund_admin_a, network.partner_a, "suspended")
    user = Account.objects.get(pk=network.user_a.pk)
    assert not is_allowed(user, *CDAP_DOSSIER)
    assert client.get(reverse("home")).status_code == 302
    services.set_partner_status(network.fund_admin_a, network.partner_a, "active")
    assert is_allowed(Account.objects.get(pk=network.user_a.pk), *CDAP_DOSSIER)


def test_a_suspended_group_no_longer_gives_its_profiles(network):
    services.set_group_status(network.partner_admin_a, network.group_a, "suspended")
    assert not is_allowed(network.user_a, *CDAP_DOSSIER)
    assert is_allowed(network.user_b, *CDAP_DOSSIER)


def test_a_suspended_fund_stops_its_staff_and_its_partners(network):
    services.set_fund_status(network.national_admin, network.fund_a, "suspended")
    assert not is_allowed(Account.objects.get(pk=network.fund_admin_a.pk), "consulter", "partenaires")
    assert not is_allowed(Account.objects.get(pk=network.user_a.pk), *CDAP_DOSSIER)
    assert is_allowed(Account.objects.get(pk=network.fund_admin_b.pk), "consulter", "partenaires")


def test_removal_is_final_and_keeps_the_rows(network):
    services.remove_group_member(network.partner_admin_a, network.group_a, network.user_a)
    services.set_account_status(network.partner_admin_a, network.user_a, "removed")
    assert Account.objects.filter(pk=network.user_a.pk, status="removed").exists()
    membership = GroupMembership.objects.get(group=network.group_a, account=network.user_a)
    assert membership.ended_at is not None and membership.ended_by == network.partner_admin_a
    with pytest.raises(ValidationError, match="Passage impossible"):
        services.set_account_status(network.partner_admin_a, network.user_a, "active")


def test_nobody_changes_the_status_of_their_own_account(network):
    with pytest.raises(ValidationError):
        services.set_account_status(network.partner_admin_a, network.partner_admin_a, "suspended")


def test_a_removed_partner_is_still_in_the_database(network):
    services.set_partner_status(network.fund_admin_a, network.partner_a, "removed")
    assert Partner.objects.filter(pk=network.partner_a.pk, status="removed").exists()
