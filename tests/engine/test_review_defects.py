"""Regression tests of the engine defects an outside review found (issue 16, section 4), one per defect, each
named after it. Every one failed before its fix."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from habpps.engine import RBAC, ConstraintViolation, Everything, Nothing, diff
from habpps.engine.compiled_delta import PolicyDelta, recompile
from habpps.engine.exclusions import ApprovalRequired

NOW = datetime(2024, 3, 4, 10, 0)


def _orgs(rbac: RBAC) -> None:
    rbac.add_org("cnaf")
    rbac.add_org("caf75", parent="cnaf")
    rbac.add_org("caf13", parent="cnaf")
    rbac.add_org("cd75", parent="caf75")


# -- 1 ------------------------------------------------------------------------------------------------------------
@pytest.fixture()
def dsd_on_role_org() -> RBAC:
    """A DSD set over (instructeur, caf13) and valideur; ines works in caf75 with both roles active."""
    rbac = RBAC()
    _orgs(rbac)
    for role in ("instructeur", "valideur"):
        rbac.add_role(role)
    rbac.add_user("ines")
    rbac.add_group("equipe13")
    rbac.assign_user("ines", "instructeur", org="caf75")
    rbac.assign_user("ines", "valideur")
    rbac.create_dsd_set("instruire-valider-13", [("instructeur", "caf13"), "valideur"], 2)
    rbac.create_session("ines", "s1", ["instructeur", "valideur"])
    return rbac


def test_defect_01_dsd_role_org_member_rechecked_by_assign_user(dsd_on_role_org):
    with pytest.raises(ConstraintViolation) as refused:
        dsd_on_role_org.assign_user("ines", "instructeur", org="caf13")
    assert refused.value.code == "dsd_violation"
    assert [(a.role, a.org) for a in dsd_on_role_org.user_assignments("ines")] == [
        ("instructeur", "caf75"), ("valideur", None)]


def test_defect_01_dsd_role_org_member_rechecked_by_assign_group(dsd_on_role_org):
    dsd_on_role_org.add_group_member("equipe13", "ines")
    with pytest.raises(ConstraintViolation) as refused:
        dsd_on_role_org.assign_group("equipe13", "instructeur", org="caf13")
    assert refused.value.code == "dsd_violation"


def test_defect_01_dsd_role_org_member_rechecked_by_add_group_member(dsd_on_role_org):
    dsd_on_role_org.assign_group("equipe13", "instructeur", org="caf13")
    with pytest.raises(ConstraintViolation) as refused:
        dsd_on_role_org.add_group_member("equipe13", "ines")
    assert refused.value.code == "dsd_violation"
    assert "ines" not in dsd_on_role_org.group_members("equipe13")


# -- 2 ------------------------------------------------------------------------------------------------------------
def test_defect_02_set_role_descends_respects_block_exclusions_on_role_org():
    rbac = RBAC()
    _orgs(rbac)
    rbac.add_role("gestionnaire", descends=False)
    rbac.add_role("payeur")
    rbac.grant_permission("payer", "allocation", "payeur")
    rbac.add_user("paul")
    rbac.assign_user("paul", "gestionnaire", org="cnaf")
    rbac.assign_user("paul", "payeur")
    rbac.create_exclusion("gerer-payer-75", [{"role": "gestionnaire", "org": "caf75"},
                                             {"operation": "payer", "object": "allocation", "org": "caf75"}])
    with pytest.raises(ConstraintViolation) as refused:
        rbac.set_role_descends("gestionnaire", True)
    assert refused.value.code == "exclusion_violation"
    assert rbac.export()["roles"][0] == {"id": "gestionnaire", "descends": False}
    assert RBAC.load(rbac.export()).export() == rbac.export()


# -- 3 ------------------------------------------------------------------------------------------------------------
@pytest.fixture()
def dynamic_block() -> RBAC:
    rbac = RBAC()
    for role in ("saisie", "controle", "chef"):
        rbac.add_role(role)
    rbac.grant_permission("saisir", "paie", "saisie")
    rbac.add_user("alice")
    rbac.assign_user("alice", "saisie")
    rbac.assign_user("alice", "chef")
    rbac.create_exclusion("saisir-controler", ["saisie", {"operation": "controler", "object": "paie"}],
                          kind="dynamic", risk="block")
    rbac.create_session("alice", "s1", ["saisie", "chef"])
    return rbac


def test_defect_03_dynamic_block_exclusion_checked_on_grant_permission(dynamic_block):
    with pytest.raises(ConstraintViolation) as refused:
        dynamic_block.grant_permission("controler", "paie", "chef")
    assert refused.value.code == "exclusion_violation"
    assert ("controler", "paie") not in dynamic_block.role_permissions("chef")


def test_defect_03_dynamic_block_exclusion_checked_on_add_inheritance(dynamic_block):
    dynamic_block.grant_permission("controler", "paie", "controle")
    with pytest.raises(ConstraintViolation):
        dynamic_block.add_inheritance("chef", "controle")
    assert "controle" not in dynamic_block.role_juniors("chef")


def test_defect_03_dynamic_block_exclusion_checked_on_assign_user():
    rbac = RBAC()
    _orgs(rbac)
    for role in ("saisie", "controle"):
        rbac.add_role(role)
    rbac.add_user("alice")
    rbac.assign_user("alice", "saisie", org="caf75")
    rbac.assign_user("alice", "controle", org="caf75")
    rbac.create_exclusion("saisir-controler-13", [{"role": "saisie", "org": "caf13"}, "controle"],
                          kind="dynamic", risk="block")
    rbac.create_session("alice", "s1", ["saisie", "controle"])
    with pytest.raises(ConstraintViolation) as refused:
        rbac.assign_user("alice", "saisie", org="caf13")
    assert refused.value.code == "exclusion_violation"


# -- 4 ------------------------------------------------------------------------------------------------------------
@pytest.fixture()
def approval() -> RBAC:
    rbac = RBAC(clock=lambda: NOW)
    for user in ("alice", "admin1", "admin2"):
        rbac.add_user(user)
    for role in ("admin_caf", "verificateur"):
        rbac.add_role(role)
    rbac.add_admin_role("national", roles=["admin_caf", "verificateur"])
    for admin in ("admin1", "admin2", "alice"):
        rbac.assign_admin(admin, "national")
    rbac.create_exclusion("admin-verif", ["admin_caf", "verificateur"], risk="require_approval")
    rbac.assign_user("alice", "admin_caf")
    return rbac


def test_defect_04_beneficiary_cannot_approve_the_change_that_benefits_him(approval):
    with pytest.raises(ApprovalRequired) as parked:
        approval.assign_user("alice", "verificateur", actor="admin1")
    with pytest.raises(ConstraintViolation) as refused:
        approval.approve_change(parked.value.pending.id, "alice")
    assert refused.value.code == "beneficiary_approval"
    approval.approve_change(parked.value.pending.id, "admin2")
    assert "verificateur" in approval.assigned_roles("alice")


def test_defect_04_a_change_without_requester_cannot_be_approved_through_the_engine(approval):
    with pytest.raises(ApprovalRequired) as parked:
        approval.assign_user("alice", "verificateur")
    for approver in ("admin1", "admin2"):
        with pytest.raises(ConstraintViolation) as refused:
            approval.approve_change(parked.value.pending.id, approver)
        assert refused.value.code == "approval_needs_requester"
    assert "verificateur" not in approval.assigned_roles("alice")
    approval.reject_change(parked.value.pending.id, "admin1", "demandeur inconnu")


# -- 5 ------------------------------------------------------------------------------------------------------------
def test_defect_05_can_assign_group_respects_the_admin_user_scope():
    rbac = RBAC()
    _orgs(rbac)
    rbac.add_role("agent")
    rbac.add_user("admin_cd")
    rbac.add_user("nadia", org="cnaf")
    rbac.add_user("agent_cd", org="cd75")
    rbac.add_group("melange")
    rbac.add_group_member("melange", "agent_cd")
    rbac.add_group_member("melange", "nadia")
    rbac.add_admin_role("admin_partenaire", roles=["agent"])
    rbac.assign_admin("admin_cd", "admin_partenaire", org="cd75")
    decision = rbac.can_assign_group("admin_cd", "melange", "agent", "cd75")
    assert not decision
    assert decision.reason == "user_out_of_scope"
    assert "nadia" in decision.message
    with pytest.raises(ConstraintViolation):
        rbac.assign_group("melange", "agent", "cd75", actor="admin_cd")


# -- 6 ------------------------------------------------------------------------------------------------------------
@pytest.fixture()
def ranged() -> RBAC:
    rbac = RBAC()
    _orgs(rbac)
    for role in ("T1", "T2", "T3"):
        rbac.add_role(role)
    rbac.add_inheritance("T2", "T3")
    rbac.add_user("admin_cd")
    rbac.add_user("agent", org="cd75")
    return rbac


def test_defect_06_role_range_checked_on_the_juniors_that_come_along(ranged):
    ranged.add_admin_role("admin_partenaire", roles=["T1", "T2"])
    ranged.assign_admin("admin_cd", "admin_partenaire", org="cd75")
    decision = ranged.can_assign("admin_cd", "agent", "T2", "cd75")
    assert not decision
    assert decision.reason == "role_out_of_range"
    assert "T3" in decision.message


def test_defect_06_perimeter_checked_on_the_juniors_that_come_along(ranged):
    ranged.add_admin_role("admin_partenaire", roles=["T1", "T2", "T3"])
    ranged.assign_admin("admin_cd", "admin_partenaire", org="cd75")
    ranged.set_perimeter("cd75", roles=["T1", "T2"])
    decision = ranged.can_assign("admin_cd", "agent", "T2", "cd75")
    assert not decision
    assert decision.reason == "outside_perimeter"
    assert "T3" in decision.message


# -- 7 ------------------------------------------------------------------------------------------------------------
def test_defect_07_add_inheritance_and_grant_permission_check_the_actor():
    rbac = RBAC()
    _orgs(rbac)
    for role in ("T1", "T2", "secret"):
        rbac.add_role(role)
    rbac.add_user("admin_cd")
    rbac.add_user("nadia")
    rbac.add_admin_role("admin_partenaire", roles=["T1", "T2"])
    rbac.assign_admin("admin_cd", "admin_partenaire", org="cd75")
    rbac.add_admin_role("national", roles=["T1", "T2", "secret"])
    rbac.assign_admin("nadia", "national")
    with pytest.raises(ConstraintViolation) as refused:
        rbac.add_inheritance("T1", "secret", actor="admin_cd")
    assert refused.value.code == "not_authorized_admin"
    with pytest.raises(ConstraintViolation):
        rbac.grant_permission("lire", "tout", "T1", actor="admin_cd")
    assert rbac.role_juniors("T1") == set()
    rbac.add_inheritance("T1", "secret", actor="nadia")
    rbac.grant_permission("lire", "tout", "T1", actor="nadia")
    assert ("lire", "tout") in rbac.role_permissions("T1", inherited=False)


# -- 8 ------------------------------------------------------------------------------------------------------------
def test_defect_08_timezone_aware_now_with_a_naive_clock_does_not_raise():
    rbac = RBAC(clock=lambda: NOW)
    rbac.add_role("agent")
    rbac.grant_permission("lire", "dossier", "agent")
    rbac.add_user("alice")
    rbac.assign_user("alice", "agent")
    rbac.set_role_temporal("agent", {"timeout_minutes": 30})
    rbac.create_session("alice", "s1", ["agent"])
    aware = NOW.astimezone(UTC) + timedelta(minutes=5)  # NOW read as local time
    assert rbac.check_access("s1", "lire", "dossier", context={"now": aware})
    later = aware + timedelta(hours=2)
    assert not rbac.check_access("s1", "lire", "dossier", context={"now": later, "last_activity": NOW})
    snapshot = rbac.compile()
    assert snapshot.check("alice", "lire", "dossier", context={"now": aware, "last_activity": NOW})
    assert not snapshot.explain("alice", "lire", "dossier", context={"now": later, "last_activity": NOW})


# -- 9 ------------------------------------------------------------------------------------------------------------
def test_defect_09_data_scoping_follows_temporal_constraints():
    rbac = RBAC(clock=lambda: NOW)
    _orgs(rbac)
    rbac.add_role("gestionnaire")
    rbac.add_user("gina")
    rbac.assign_user("gina", "gestionnaire", org="caf75")
    rbac.add_population_rule("gestionnaire", "dossier", "tout", "all", default=True)
    rbac.set_field_access("gestionnaire", "dossier", "montant", "read")
    rbac.set_action_limits("gestionnaire", "requete", max_records=100)
    rbac.set_assignment_temporal("gina", "gestionnaire", "caf75", {"end_date": "2024-02-29"})
    snapshot = rbac.compile()
    assert isinstance(snapshot.population_filter("gina", "dossier"), Nothing)
    assert snapshot.field_access("gina", "dossier") == {}
    assert snapshot.action_limits("gina", "requete") is None
    before = {"now": datetime(2024, 2, 1, 10, 0)}
    assert isinstance(snapshot.population_filter("gina", "dossier", context=before), Everything)
    assert snapshot.field_access("gina", "dossier", context=before) == {"montant": "read"}
    assert snapshot.action_limits("gina", "requete", context=before).max_records == 100


# -- 10 -----------------------------------------------------------------------------------------------------------
def _scoped_policy(org: str | None, end: date | None = None) -> RBAC:
    rbac = RBAC()
    _orgs(rbac)
    rbac.add_role("agent")
    rbac.grant_permission("consulter", "dossier", "agent")
    rbac.add_user("ines")
    rbac.assign_user("ines", "agent", org=org)
    if end is not None:
        rbac.set_assignment_temporal("ines", "agent", org, {"end_date": end.isoformat()})
    return rbac


def test_defect_10_diff_shows_a_move_from_partner_to_national_scope():
    changes = diff(_scoped_policy("cd75"), _scoped_policy("cnaf"))
    assert "ines" in changes
    change = changes["ines"]
    assert change["gained"] == set() and change["lost"] == set()
    assert ("consulter", "dossier") in change["changed"]


def test_defect_10_diff_shows_a_lifted_expiry():
    changes = diff(_scoped_policy("cd75", end=date(2024, 12, 31)), _scoped_policy("cd75"))
    assert ("consulter", "dossier") in changes["ines"]["changed"]
    assert diff(_scoped_policy("cd75"), _scoped_policy("cd75")) == {}


# -- 11 -----------------------------------------------------------------------------------------------------------
def test_defect_11_platform_import_refuses_extension_sections_instead_of_dropping_them(network):
    from habpps.authorization.policy_sections import (
        PolicyImportError,
        export_document,
        import_document,
        section,
    )

    document = export_document()
    document["history_exclusions"] = [{"name": "quatre-yeux", "object": "convention", "done": ["saisir"],
                                       "then": "valider", "risk": "block"}]
    registered = section("history_exclusions")
    if registered is not None and registered.importable and not registered.derived:
        import_document(document)
        assert export_document()["history_exclusions"] == document["history_exclusions"]
        return
    with pytest.raises(PolicyImportError) as refused:
        import_document(document)
    assert any("history_exclusions" in message for message in refused.value.errors)


# -- 12 -----------------------------------------------------------------------------------------------------------
def test_defect_12_session_denial_names_the_other_org_not_unauthorized():
    rbac = RBAC()
    _orgs(rbac)
    for role in ("agent", "autre"):
        rbac.add_role(role)
    rbac.grant_permission("consulter", "dossier", "agent")
    rbac.add_user("ines")
    rbac.assign_user("ines", "agent", org="caf75")
    rbac.assign_user("ines", "autre")
    rbac.create_session("ines", "s1", ["autre"])
    decision = rbac.explain_access("s1", "consulter", "dossier", org="caf13")
    assert decision.reason in ("other_org", "role_not_active")
    assert "n'est habilité à aucun" not in decision.message
    assert rbac.compile().explain("ines", "consulter", "dossier", "caf13", active_roles=["autre"]).reason == \
        decision.reason


# -- 13 -----------------------------------------------------------------------------------------------------------
def _grouped() -> RBAC:
    rbac = RBAC()
    _orgs(rbac)
    rbac.add_role("agent")
    rbac.grant_permission("consulter", "dossier", "agent")
    rbac.add_user("ines")
    rbac.add_user("paul")
    rbac.add_group("equipe")
    rbac.add_group_member("equipe", "ines")
    rbac.assign_group("equipe", "agent", org="cd75")
    rbac.assign_user("paul", "agent", org="cd75")
    return rbac


def test_defect_13_recompile_after_delete_group_drops_its_grants():
    rbac = _grouped()
    previous = rbac.compile()
    rbac.delete_group("equipe")
    snapshot = recompile(rbac, previous, PolicyDelta.of_calls([("delete_group", "equipe")]))
    assert not snapshot.check("ines", "consulter", "dossier")
    assert snapshot.check("paul", "consulter", "dossier")


def test_defect_13_recompile_after_delete_org_drops_its_grants():
    rbac = _grouped()
    previous = rbac.compile()
    rbac.delete_org("cd75")
    snapshot = recompile(rbac, previous, PolicyDelta.of_calls([("delete_org", "cd75")]))
    assert not snapshot.check("ines", "consulter", "dossier")
    assert not snapshot.check("paul", "consulter", "dossier")


# -- SSD after delete_role ----------------------------------------------------------------------------------------
def test_defect_ssd_after_delete_role_keeps_no_set_below_its_cardinality():
    rbac = RBAC()
    for role in ("a", "b", "c"):
        rbac.add_role(role)
    rbac.create_ssd_set("abc", ["a", "b", "c"], 3)
    rbac.create_ssd_set("ab", ["a", "b"], 2)
    rbac.delete_role("a")
    for name in rbac.ssd_role_sets():
        assert rbac.ssd_role_set_cardinality(name) <= len(rbac.ssd_role_set_roles(name))
    for name in rbac.ssd_role_sets():
        rbac.set_ssd_set_cardinality(name, 2)  # every set left can still be changed
    assert RBAC.load(rbac.export()).export() == rbac.export()
