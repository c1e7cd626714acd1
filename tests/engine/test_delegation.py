"""ENG-12 administrative RBAC, on the slides' actors: national admin, fund (Caf) admin, partner admin, partner
delegate. Authority over a role range and org units, delegation, the convention perimeter (allowed profiles and
per-profile user limits), explained decisions — and the slides' rule as an invariant: nobody grants more than
they hold (a hypothesis test over 10,000 random delegation chains)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from habpps.engine import RBAC, ConstraintViolation, InvalidArgument, NotFound

PROFILES = ["T1", "T2", "T3"]


@pytest.fixture()
def portal() -> RBAC:
    """National → Caf 75 → partner « CD75 » (and a second partner), CDAP profiles T1–T3, the admin roles."""
    rbac = RBAC()
    rbac.add_org("national")
    rbac.add_org("caf75", parent="national")
    rbac.add_org("cd75", parent="caf75")
    rbac.add_org("ccas75", parent="caf75")
    rbac.add_org("caf13", parent="national")
    for profile in PROFILES:
        rbac.add_role(profile)
        rbac.grant_permission("consulter", f"cdap_{profile}", profile)
    rbac.add_role("profil_complet")
    for profile in PROFILES:
        rbac.add_inheritance("profil_complet", profile)
    for user in ("cnaf", "admin_caf", "admin_cd", "delegue", "agent1", "agent2", "agent3", "autre"):
        rbac.add_user(user)
    for user in ("agent1", "agent2", "agent3", "delegue", "admin_cd"):
        rbac.set_user_org(user, "cd75")
    rbac.set_user_org("autre", "ccas75")
    rbac.add_admin_role("administrateur_national", role_range=("T1", "profil_complet"),
                        abilities=["assign", "revoke", "manage_user", "delegate"])
    rbac.add_admin_role("administrateur_caf", roles=PROFILES, abilities=["assign", "revoke", "manage_user", "delegate"])
    rbac.add_admin_role("administrateur_partenaire", roles=PROFILES,
                        abilities=["assign", "revoke", "manage_user", "delegate"])
    rbac.assign_admin("cnaf", "administrateur_national")
    rbac.assign_admin("admin_caf", "administrateur_caf", org="caf75")
    rbac.assign_admin("admin_cd", "administrateur_partenaire", org="cd75")
    return rbac


def test_role_range_covers_the_roles_between_low_and_high(portal):
    """ARBAC97 range [T1, profil_complet]: every r with profil_complet ≥ r ≥ T1 — not T2, a sibling of T1. The
    juniors a role brings must be in range too (review defect 6): profil_complet brings T2 and T3, so this range
    alone does not let its holder assign it."""
    assert portal.can_assign("cnaf", "agent1", "T1")
    brings = portal.can_assign("cnaf", "agent1", "profil_complet", "cd75")
    assert not brings and brings.reason == "role_out_of_range" and "« T2 », « T3 »" in brings.message
    assert portal.can_assign("cnaf", "agent1", "T2").reason == "role_out_of_range"
    decision = portal.can_assign("admin_caf", "agent1", "profil_complet", "cd75")
    assert not decision and decision.reason == "role_out_of_range"
    assert "hors de la plage" in decision.message


def test_org_scope_of_an_administrative_assignment(portal):
    ok = portal.can_assign("admin_caf", "agent1", "T1", "cd75")
    assert ok and ok.authority.source == "rôle administratif « administrateur_caf » dans « caf75 »"
    assert "par rôle administratif « administrateur_caf »" in ok.message
    outside = portal.can_assign("admin_caf", "agent1", "T1", "caf13")
    assert not outside and outside.reason == "org_out_of_scope"
    everywhere = portal.can_assign("admin_caf", "agent1", "T1")
    assert not everywhere and "sans unité" in everywhere.message


def test_can_manage_user_follows_the_account_org_unit(portal):
    assert portal.can_manage_user("admin_cd", "agent1")
    refused = portal.can_manage_user("admin_cd", "autre")
    assert not refused and refused.reason == "user_out_of_scope"
    assert not portal.can_manage_user("admin_cd", "cnaf")  # an account with no org unit: national only
    assert portal.can_manage_user("admin_caf", "autre")
    assert not portal.can_assign("admin_cd", "autre", "T1", "cd75")


def test_can_revoke_and_missing_abilities(portal):
    portal.add_admin_role("lecture_seule", roles=PROFILES, abilities=["manage_user"])
    portal.assign_admin("delegue", "lecture_seule", org="cd75")
    assert portal.can_revoke("admin_cd", "agent1", "T1", "cd75")
    refused = portal.can_revoke("delegue", "agent1", "T1", "cd75")
    assert not refused and refused.reason == "missing_ability"
    assert not portal.can_revoke("nobody", "agent1", "T1")
    assert portal.can_revoke("nobody", "agent1", "T1").reason == "unknown_admin"
    assert portal.can_assign("agent2", "agent1", "T1", "cd75").reason == "no_authority"


def test_convention_perimeter_allows_profiles_and_limits_users_per_profile(portal):
    portal.set_perimeter("cd75", roles=["T1", "T2"], max_users={"T2": 2})
    outside = portal.can_assign("admin_cd", "agent1", "T3", "cd75")
    assert not outside and outside.reason == "outside_perimeter"
    assert "n'est pas dans le périmètre de « cd75 »" in outside.message
    portal.assign_user("agent1", "T2", "cd75", actor="admin_cd")
    portal.assign_user("agent2", "T2", "cd75", actor="admin_cd")
    with pytest.raises(ConstraintViolation) as refused:
        portal.assign_user("agent3", "T2", "cd75", actor="admin_cd")
    assert refused.value.code == "not_authorized_admin"
    assert "la limite est 2" in refused.value.message
    assert portal.assigned_roles("agent3") == set()
    portal.deassign_user("agent1", "T2", "cd75", actor="admin_cd")
    portal.assign_user("agent3", "T2", "cd75", actor="admin_cd")
    # the perimeter narrows every administrator, even the national one, inside the partner
    assert not portal.can_assign("cnaf", "agent1", "T3", "cd75")


def test_group_administration_within_perimeter_and_limits(portal):
    portal.set_perimeter("cd75", roles=["T1"], max_users={"T1": 2})
    portal.add_group("accueil")
    portal.add_group_member("accueil", "agent1", actor="admin_cd")
    portal.add_group_member("accueil", "agent2", actor="admin_cd")
    assert not portal.can_assign_group("admin_cd", "accueil", "T2", "cd75")
    portal.assign_group("accueil", "T1", "cd75", actor="admin_cd")
    refused = portal.can_add_group_member("admin_cd", "accueil", "agent3")
    assert not refused and refused.reason == "perimeter_limit"
    with pytest.raises(ConstraintViolation):
        portal.add_group_member("accueil", "autre", actor="admin_cd")  # account of another partner


def test_partner_delegate_acts_on_a_sub_perimeter(portal):
    """ADM-4: the partner admin gives a delegate some groups and some profiles."""
    portal.add_group("accueil")
    portal.add_group("instruction")
    portal.delegate_authority("delegation_accueil", grantor="admin_cd", grantee="delegue", roles=["T1"],
                              groups=["accueil"])
    assert portal.can_assign_group("delegue", "accueil", "T1", "cd75")
    assert portal.can_assign_group("delegue", "accueil", "T2", "cd75").reason == "role_out_of_range"
    assert portal.can_assign_group("delegue", "instruction", "T1", "cd75").reason == "group_out_of_scope"
    assert portal.can_assign_group("delegue", "accueil", "T1", "ccas75").reason == "org_out_of_scope"
    assert "délégation « delegation_accueil » de « admin_cd »" in portal.can_assign_group(
        "delegue", "accueil", "T1", "cd75").message


def test_delegation_beyond_the_grantors_authority_is_refused(portal):
    with pytest.raises(ConstraintViolation) as roles:
        portal.delegate_authority("d", grantor="admin_cd", grantee="delegue", roles=["profil_complet"])
    assert roles.value.code == "delegation_exceeds_authority"
    assert "profil_complet" in roles.value.message
    with pytest.raises(ConstraintViolation, match="unités hors de son autorité : ccas75"):
        portal.delegate_authority("d", grantor="admin_cd", grantee="delegue", roles=["T1"], orgs=["ccas75"])
    portal.delegate_authority("d", grantor="admin_cd", grantee="delegue", roles=["T1"], abilities=["assign"])
    with pytest.raises(ConstraintViolation, match="délégation « d » de « admin_cd » ne permet pas de déléguer"):
        portal.delegate_authority("d2", grantor="delegue", grantee="agent1", roles=["T1"], abilities=["assign"])
    assert set(portal.delegations()) == {"d"}


def test_delegated_authority_shrinks_with_the_grantors(portal):
    portal.delegate_authority("d", grantor="admin_cd", grantee="delegue", roles=["T1", "T2"])
    assert portal.can_assign("delegue", "agent1", "T2", "cd75")
    portal.deassign_admin("admin_cd", "administrateur_partenaire", "cd75")
    assert portal.effective_authorities("delegue") == []
    assert not portal.can_assign("delegue", "agent1", "T2", "cd75")


def test_delegation_cycles_and_self_delegation_are_refused(portal):
    portal.delegate_authority("d1", grantor="admin_cd", grantee="delegue", roles=["T1"],
                              abilities=["assign", "delegate"])
    with pytest.raises(ConstraintViolation, match="cycle"):
        portal.delegate_authority("d2", grantor="delegue", grantee="admin_cd", roles=["T1"], abilities=["assign"])
    with pytest.raises(InvalidArgument):
        portal.delegate_authority("d3", grantor="delegue", grantee="delegue", roles=["T1"])


def test_partner_admin_creates_accounts_only_in_its_partner(portal):
    portal.add_user("nouveau", org="cd75", actor="admin_cd")
    assert portal.user_org("nouveau") == "cd75" and portal.can_manage_user("admin_cd", "nouveau")
    with pytest.raises(ConstraintViolation, match="ne peut pas créer de compte dans l'unité « ccas75 »"):
        portal.add_user("intrus", org="ccas75", actor="admin_cd")
    with pytest.raises(ConstraintViolation):
        portal.add_user("sans_unite", actor="admin_cd")
    assert "intrus" not in portal.users() and "sans_unite" not in portal.users()
    assert portal.can_create_user("cnaf", None)


def test_actor_refusals_change_nothing(portal):
    version = portal.version
    with pytest.raises(ConstraintViolation):
        portal.assign_user("agent1", "T1", "caf13", actor="admin_cd")
    with pytest.raises(ConstraintViolation):
        portal.delete_user("autre", actor="admin_cd")
    assert portal.version == version and "autre" in portal.users()
    portal.delete_user("agent3", actor="admin_cd")
    assert "agent3" not in portal.users()


def test_admin_definitions_are_validated(portal):
    with pytest.raises(InvalidArgument, match="plage est vide"):
        portal.add_admin_role("x", role_range=("profil_complet", "T1"))
    with pytest.raises(InvalidArgument, match="Capacité"):
        portal.add_admin_role("x", roles=["T1"], abilities=["tout"])
    with pytest.raises(NotFound):
        portal.add_admin_role("x", roles=["T9"])
    with pytest.raises(ConstraintViolation):
        portal.add_admin_role("x", roles=["T1"], orgs=["caf13"]) or portal.assign_admin("admin_cd", "x", "cd75")
    with pytest.raises(InvalidArgument, match="absent du périmètre"):
        portal.set_perimeter("cd75", roles=["T1"], max_users={"T2": 3})


# -- the invariant: nobody grants more than they hold --------------------------------------------------------------
ORGS = ["national", "caf75", "cd75", "ccas75", "caf13"]
ROLES = PROFILES + ["profil_complet"]
ABILITY_SETS = st.frozensets(st.sampled_from(["assign", "revoke", "manage_user", "delegate"]), min_size=1)
STEP = st.tuples(
    st.frozensets(st.sampled_from(ROLES), min_size=1),
    st.one_of(st.none(), st.frozensets(st.sampled_from(ORGS), min_size=1, max_size=2)),
    ABILITY_SETS,
)
def _chain_engine() -> RBAC:
    """A fresh engine with a root administrator over part of the national range. Built through the API for
    each example: about thirty calls, cheaper than copying an engine, so 10,000 chains stay fast."""
    rbac = RBAC()
    rbac.add_org("national")
    rbac.add_org("caf75", parent="national")
    rbac.add_org("cd75", parent="caf75")
    rbac.add_org("ccas75", parent="caf75")
    rbac.add_org("caf13", parent="national")
    for role in ROLES:
        rbac.add_role(role)
    for profile in PROFILES:
        rbac.add_inheritance("profil_complet", profile)
    for i in range(6):
        rbac.add_user(f"u{i}")
    rbac.add_user("cible")
    rbac.set_user_org("cible", "cd75")
    rbac.add_admin_role("racine", roles=["T1", "T2", "profil_complet"], orgs=["caf75"],
                        abilities=["assign", "revoke", "manage_user", "delegate"])
    rbac.assign_admin("u0", "racine")
    return rbac


@pytest.mark.slow  # about a minute on two cores: 10,000 chains, each rebuilt and probed on a grid
@settings(max_examples=10_000, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(steps=st.lists(STEP, min_size=1, max_size=4), shrink_root=st.booleans())
def test_no_delegation_chain_escalates(steps, shrink_root):
    """ENG-12: along any chain u0 → u1 → … every delegate may assign, revoke or manage only what its grantor
    may — even after the root's own authority shrinks."""
    rbac = _chain_engine()
    chain = ["u0"]
    for i, (roles, orgs, abilities) in enumerate(steps, start=1):
        try:
            rbac.delegate_authority(f"d{i}", grantor=chain[-1], grantee=f"u{i}", roles=roles, orgs=orgs,
                                    abilities=abilities)
        except ConstraintViolation:
            break
        chain.append(f"u{i}")
    if shrink_root:
        rbac.deassign_admin("u0", "racine")
        rbac.add_admin_role("racine_reduite", roles=["T1"], orgs=["cd75"], abilities=["assign", "delegate"])
        rbac.assign_admin("u0", "racine_reduite")
    for grantor, grantee in zip(chain, chain[1:], strict=False):
        held = rbac.effective_authorities(grantor)
        for authority in rbac.effective_authorities(grantee):
            assert any(h.includes(authority, rbac._lineage) for h in held), (grantor, grantee, authority)
        for role in ROLES:
            for org in (None, "caf75", "cd75", "caf13"):
                if rbac.can_assign(grantee, "cible", role, org):
                    assert rbac.can_assign(grantor, "cible", role, org), (grantee, role, org)
                if rbac.can_revoke(grantee, "cible", role, org):
                    assert rbac.can_revoke(grantor, "cible", role, org), (grantee, role, org)
        if rbac.can_manage_user(grantee, "cible"):
            assert rbac.can_manage_user(grantor, "cible")
