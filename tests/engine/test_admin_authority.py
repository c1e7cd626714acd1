"""ENG-12: creating a group, giving an administrative role and delegating are the engine's decisions too (issue 16
§1) — a delegate limited to some groups creates none, gives no administrative role and delegates nothing, each
refusal explained; whoever holds the ``delegate`` ability gives only an administrative role within his own
authority: nobody grants more than he holds."""

from __future__ import annotations

import pytest

from habpps.engine import RBAC, ConstraintViolation

EVERY_ABILITY = ["assign", "revoke", "manage_user", "delegate"]


@pytest.fixture()
def portal() -> RBAC:
    """Caf 75 → partner « cd75 » (and « ccas75 »), profiles T1–T3, a partner administrator and his delegate."""
    rbac = RBAC()
    rbac.add_org("caf75")
    rbac.add_org("cd75", parent="caf75")
    rbac.add_org("ccas75", parent="caf75")
    for profile in ("T1", "T2", "T3"):
        rbac.add_role(profile)
    for user in ("admin_caf", "admin_cd", "delegue", "agent1", "autre"):
        rbac.add_user(user)
    for user in ("admin_cd", "delegue", "agent1"):
        rbac.set_user_org(user, "cd75")
    rbac.set_user_org("autre", "ccas75")
    rbac.add_group("accueil")
    rbac.add_admin_role("administrateur_caf", roles=["T1", "T2", "T3"], abilities=EVERY_ABILITY)
    rbac.add_admin_role("administrateur_partenaire", roles=["T1", "T2"], abilities=EVERY_ABILITY)
    rbac.add_admin_role("gestionnaire", roles=["T1"], abilities=["assign", "revoke", "manage_user"])
    rbac.assign_admin("admin_caf", "administrateur_caf", org="caf75")
    rbac.assign_admin("admin_cd", "administrateur_partenaire", org="cd75")
    rbac.delegate_authority("accueil", "admin_cd", "delegue", ["T1"], orgs=["cd75"], groups=["accueil"])
    return rbac


def test_the_partner_administrator_creates_groups_in_his_unit_only(portal):
    granted = portal.can_create_group("admin_cd", "cd75")
    assert granted and granted.reason == "granted" and "administrateur_partenaire" in granted.message
    elsewhere = portal.can_create_group("admin_cd", "ccas75")
    assert not elsewhere and elsewhere.reason == "org_out_of_scope" and "« ccas75 »" in elsewhere.message


def test_a_delegate_limited_to_some_groups_creates_none(portal):
    """The new group would be outside the list of his delegation."""
    decision = portal.can_create_group("delegue", "cd75")
    assert not decision and decision.reason == "groups_limited"
    assert decision.message == ("Refusé : délégation « accueil » de « admin_cd » est limitée à des groupes "
                                "désignés : un nouveau groupe serait hors de son périmètre.")
    assert decision.action == "create_group" and decision.target == {"org": "cd75"}


def test_a_group_creation_without_authority_or_ability_is_refused(portal):
    assert portal.can_create_group("agent1", "cd75").reason == "no_authority"
    portal.add_admin_role("lecteur", roles=["T1"], abilities=["assign"])
    portal.assign_admin("agent1", "lecteur", org="cd75")
    assert portal.can_create_group("agent1", "cd75").reason == "missing_ability"
    assert portal.can_create_group("inconnu", "cd75").reason == "unknown_admin"
    assert portal.can_create_group("admin_cd", "nulle-part").reason == "unknown_org"


def test_giving_an_administrative_role_needs_the_delegate_ability(portal):
    """A delegate's delegation carries no ``delegate`` ability: he gives no administrative role."""
    decision = portal.can_assign_admin("delegue", "agent1", "gestionnaire")
    assert not decision and decision.reason == "missing_ability"
    assert "ne permet pas de déléguer" in decision.message and "« accueil »" in decision.message
    assert decision.action == "delegate"
    # The same for an account about to be created in the unit.
    assert portal.can_assign_admin("delegue", None, "gestionnaire", "cd75").reason == "missing_ability"


def test_nobody_gives_an_administrative_role_beyond_what_he_holds(portal):
    assert portal.can_assign_admin("admin_cd", "agent1", "gestionnaire")
    portal.add_admin_role("superviseur", roles=["T3"], abilities=["assign"])
    beyond = portal.can_assign_admin("admin_cd", "agent1", "superviseur")
    assert not beyond and beyond.reason == "exceeds_authority" and "T3" in beyond.message
    assert portal.can_assign_admin("admin_caf", "agent1", "superviseur")  # the Caf holds T3 in cd75


def test_an_administrative_role_outside_the_givers_units_is_refused(portal):
    assert portal.can_assign_admin("admin_cd", "autre", "gestionnaire").reason == "org_out_of_scope"
    assert portal.can_assign_admin("admin_cd", "agent1", "gestionnaire", "ccas75").reason == "org_out_of_scope"
    assert portal.can_assign_admin("admin_cd", "agent1", "absent").reason == "unknown_admin_role"
    assert portal.can_assign_admin("admin_cd", "inconnu", "gestionnaire").reason == "unknown_user"


def test_assign_admin_with_an_actor_obeys_the_decision(portal):
    with pytest.raises(ConstraintViolation) as refused:
        portal.assign_admin("agent1", "gestionnaire", org="cd75", actor="delegue")
    assert refused.value.code == "not_authorized_admin"
    assert "agent1" not in {u for u, pairs in portal._state.admin_assignments.items() if pairs}
    portal.assign_admin("agent1", "gestionnaire", org="cd75", actor="admin_cd")
    assert portal.can_manage_user("agent1", "delegue")


def test_a_delegate_delegates_nothing(portal):
    decision = portal.can_delegate("delegue", ["T1"], orgs=["cd75"], groups=["accueil"],
                                   abilities=["assign", "manage_user", "revoke"])
    assert not decision and decision.reason == "missing_ability"
    assert decision.message == ("Refusé : « delegue » ne peut pas déléguer : délégation « accueil » de « admin_cd » "
                                "ne permet pas de déléguer.")
    assert portal.can_delegate("agent1", []).reason == "no_authority"
    assert portal.can_delegate("admin_cd", ["T1"], orgs=["cd75"])
