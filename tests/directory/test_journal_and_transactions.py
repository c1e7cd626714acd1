"""Every administrative change is journalled with before/after, in one transaction with a policy version bump."""

import pytest
from django.core.exceptions import ValidationError

from habpps.directory import services
from habpps.directory.models import GroupMembership, PolicyVersion
from habpps.journal.models import JournalEntry


def version() -> int:
    return PolicyVersion.objects.get().number


def test_a_partner_update_is_journalled_with_before_and_after(network):
    services.update_partner(network.fund_admin_a, network.partner_a, city="Lyon")
    entry = JournalEntry.objects.filter(kind="admin.partner.update").latest("sequence")
    assert entry.actor_identifier == network.fund_admin_a.login
    assert entry.before["city"] == "Ville" and entry.after["city"] == "Lyon"
    assert entry.org_scope == f"national/fund:{network.fund_a.pk}/partner:{network.partner_a.pk}"
    assert entry.target == f"partner:{network.partner_a.pk}"


def test_each_change_bumps_the_policy_version(network):
    before = version()
    services.create_group(network.partner_admin_a, network.partner_a, name="Accueil")
    assert version() == before + 1


def test_a_refused_change_leaves_nothing_behind(network):
    before_version, before_entries = version(), JournalEntry.objects.count()
    with pytest.raises(ValidationError, match="n'appartient pas"):
        services.add_group_member(network.partner_admin_a, network.group_a, network.user_b)
    with pytest.raises(ValidationError, match="doctrine"):
        services.assign_group_role(
            network.fund_admin_a, network.group_a, network.roles["cdap-instructeur-rsa-cpam"]
        )
    assert version() == before_version
    # Only the journal of refusals remembers the two refusals — the directory's plain fact (another partner's
    # account), then the engine's (the doctrine, through the convention's perimeter), each with its explanation;
    # the refused changes themselves left no entry.
    added = JournalEntry.objects.order_by("sequence")[before_entries:]
    assert [entry.kind for entry in added] == ["access.decision.denied", "access.decision.denied"]
    assert added[0].data["operation"] == "ajouter-membre" and added[0].data["reason"] == "membership_partner"
    assert added[1].data["operation"] == "attribuer-profil" and "doctrine" in added[1].data["message"]
    assert not GroupMembership.objects.filter(group=network.group_a, account=network.user_b).exists()


def test_account_passwords_never_reach_the_journal(network):
    entry = JournalEntry.objects.filter(kind="admin.account.create").latest("sequence")
    assert "password" not in entry.after


def test_duplicate_siret_in_the_same_fund_is_refused_in_french(network):
    with pytest.raises(ValidationError) as refusal:
        services.create_partner(
            network.fund_admin_a,
            network.fund_a,
            name="Doublon",
            siret=network.partner_a.siret,
            partner_type=network.partner_a.partner_type,
            street="2 rue Basse",
            postal_code="75001",
            city="Paris",
        )
    assert "porte déjà ce SIRET" in str(refusal.value)
