"""ENG-7 exclusions graded by risk (thesis 4.4.8–4.4.9, 4.5.5, 4.5.8): members over roles, (role, org),
permissions and (permission, org); static and dynamic; block / require_approval / report; object-history
separation (the conventions' four eyes, CNV-3); the conflict-detection report."""

from __future__ import annotations

from contextlib import nullcontext
from datetime import datetime

import pytest

from habpps.engine import RBAC, ConstraintViolation, InvalidArgument, NotFound
from habpps.engine.exclusions import ApprovalRequired, ExclusionMember

NOW = datetime(2024, 3, 4, 10, 0)


@pytest.fixture()
def rbac() -> RBAC:
    """Thesis 4.5.5: « empêcher qu'un utilisateur soit à la fois gestionnaire administratif de son unité et
    puisse saisir ses propres éléments de paie »."""
    engine = RBAC(clock=lambda: NOW)
    engine.add_org("siege")
    engine.add_org("direction", parent="siege")
    for user in ("alice", "bob", "carole", "admin1", "admin2"):
        engine.add_user(user)
    for role in ("gestionnaire", "paie", "controleur", "lecteur"):
        engine.add_role(role)
    engine.grant_permission("gerer", "dossier_admin", "gestionnaire")
    engine.grant_permission("saisir", "elements_paie", "paie")
    engine.grant_permission("controler", "elements_paie", "controleur")
    engine.grant_permission("lire", "dossier_admin", "lecteur")
    engine.add_admin_role("admin_rh", roles=["gestionnaire", "paie", "controleur", "lecteur"])
    engine.assign_admin("admin1", "admin_rh")
    engine.assign_admin("admin2", "admin_rh")
    return engine


def test_block_refuses_the_assignment_and_changes_nothing(rbac):
    rbac.create_exclusion("gestion_paie", ["gestionnaire", "paie"], risk="block")
    rbac.assign_user("alice", "gestionnaire")
    version = rbac.version
    with pytest.raises(ConstraintViolation) as refused:
        rbac.assign_user("alice", "paie")
    assert refused.value.code == "exclusion_violation"
    assert "gestion_paie" in refused.value.message and "« alice »" in refused.value.message
    assert rbac.assigned_roles("alice") == {"gestionnaire"} and rbac.version == version


def test_role_org_members_only_bite_where_the_authority_applies(rbac):
    rbac.create_exclusion("siege", [{"role": "gestionnaire", "org": "direction"}, {"role": "paie"}])
    rbac.assign_user("alice", "paie")
    rbac.add_org("autre")
    rbac.assign_user("alice", "gestionnaire", org="autre")  # does not apply in « direction »
    with pytest.raises(ConstraintViolation):
        rbac.assign_user("alice", "gestionnaire", org="siege")  # descends into « direction »


def test_permission_members_follow_inheritance_and_groups(rbac):
    rbac.create_exclusion("saisie_controle", [{"operation": "saisir", "object": "elements_paie"},
                                              {"operation": "controler", "object": "elements_paie"}])
    rbac.add_group("equipe_paie")
    rbac.assign_group("equipe_paie", "paie")
    rbac.assign_user("bob", "controleur")
    with pytest.raises(ConstraintViolation):
        rbac.add_group_member("equipe_paie", "bob")
    rbac.add_group_member("equipe_paie", "carole")
    with pytest.raises(ConstraintViolation):
        rbac.assign_group("equipe_paie", "controleur")


def test_permission_org_members(rbac):
    rbac.create_exclusion("paie_direction", [
        ExclusionMember.of_permission("saisir", "elements_paie", org="direction"),
        ExclusionMember.of_permission("controler", "elements_paie", org="direction"),
    ])
    rbac.add_org("region")
    rbac.assign_user("bob", "paie", org="direction")
    rbac.assign_user("bob", "controleur", org="region")
    with pytest.raises(ConstraintViolation):
        rbac.assign_user("bob", "controleur", org="siege")


def test_exclusive_permissions_never_meet_in_one_role_directly_or_through_a_common_senior(rbac):
    """Thesis 4.5.8: an SSD on two permissions forbids one role holding both and any common senior."""
    rbac.create_exclusion("saisie_controle", [{"operation": "saisir", "object": "elements_paie"},
                                              {"operation": "controler", "object": "elements_paie"}])
    with pytest.raises(ConstraintViolation) as direct:
        rbac.grant_permission("controler", "elements_paie", "paie")
    assert "le rôle « paie »" in direct.value.message
    rbac.add_role("chef")
    rbac.add_inheritance("chef", "paie")
    with pytest.raises(ConstraintViolation) as senior:
        rbac.add_inheritance("chef", "controleur")
    assert "le rôle « chef »" in senior.value.message
    assert rbac.role_juniors("chef") == {"paie"}


def test_report_lets_the_change_through_and_records_the_violation(rbac):
    rbac.create_exclusion("gestion_paie", ["gestionnaire", "paie"], risk="report")
    rbac.assign_user("alice", "gestionnaire")
    rbac.assign_user("alice", "paie", actor="admin1")
    assert rbac.assigned_roles("alice") == {"gestionnaire", "paie"}
    (violation,) = rbac.reported_violations()
    assert (violation.exclusion, violation.subject, violation.action, violation.actor) == (
        "gestion_paie", "alice", "assign_user", "admin1")
    assert violation.at == NOW
    assert rbac.exclusion_conflicts()[0]["severity"] == "broken"


def test_require_approval_parks_the_change_until_a_second_administrator_approves(rbac):
    rbac.create_exclusion("gestion_paie", ["gestionnaire", "paie"], risk="require_approval")
    rbac.assign_user("alice", "gestionnaire")
    with pytest.raises(ApprovalRequired) as parked:
        rbac.assign_user("alice", "paie", actor="admin1")
    assert parked.value.code == "approval_required"
    assert rbac.assigned_roles("alice") == {"gestionnaire"}
    (change,) = rbac.pending_changes()
    assert change.id == parked.value.pending.id and change.requested_by == "admin1"
    with pytest.raises(ConstraintViolation) as same:
        rbac.approve_change(change.id, "admin1")
    assert same.value.code == "same_administrator"
    with pytest.raises(ConstraintViolation) as outsider:
        rbac.approve_change(change.id, "bob")
    assert outsider.value.code == "not_administrator"
    rbac.approve_change(change.id, "admin2")
    assert rbac.assigned_roles("alice") == {"gestionnaire", "paie"}
    assert (change.status, change.decided_by, change.decided_at) == ("approved", "admin2", NOW)
    assert rbac.pending_changes() == []
    with pytest.raises(ConstraintViolation):
        rbac.approve_change(change.id, "admin2")


def test_require_approval_rejection_is_recorded_and_nothing_changes(rbac):
    rbac.create_exclusion("gestion_paie", ["gestionnaire", "paie"], risk="require_approval")
    rbac.assign_user("alice", "gestionnaire")
    with pytest.raises(ApprovalRequired):
        rbac.assign_user("alice", "paie", actor="admin1")
    change = rbac.pending_changes()[0]
    rbac.reject_change(change.id, "admin2", reason="cumul non justifié")
    assert (change.status, change.decided_by, change.reason) == ("rejected", "admin2", "cumul non justifié")
    assert rbac.assigned_roles("alice") == {"gestionnaire"}
    assert [c.status for c in rbac.pending_changes(status=None)] == ["rejected"]
    with pytest.raises(NotFound):
        rbac.approve_change(99, "admin2")


def test_approval_still_obeys_blocking_rules(rbac):
    rbac.create_exclusion("gestion_paie", ["gestionnaire", "paie"], risk="require_approval")
    rbac.assign_user("alice", "gestionnaire")
    with pytest.raises(ApprovalRequired):
        rbac.assign_user("alice", "paie", actor="admin1")
    rbac.create_ssd_set("ssd", ["paie", "lecteur"], 2)
    rbac.assign_user("alice", "lecteur")
    with pytest.raises(ConstraintViolation) as refused:
        rbac.approve_change(rbac.pending_changes()[0].id, "admin2")
    assert refused.value.code == "ssd_violation"
    assert rbac.pending_changes()[0].status == "pending"


def test_dynamic_exclusion_blocks_activation_not_assignment(rbac):
    rbac.create_exclusion("session", ["paie", "controleur"], kind="dynamic")
    rbac.assign_user("bob", "paie")
    rbac.assign_user("bob", "controleur")
    rbac.create_session("bob", "s", ["paie"])
    with pytest.raises(ConstraintViolation) as refused:
        rbac.add_active_role("bob", "s", "controleur")
    assert "la session « s »" in refused.value.message
    assert rbac.session_roles("s") == {"paie"}
    with pytest.raises(ConstraintViolation):
        rbac.create_session("bob", "s2", ["paie", "controleur"])


def test_dynamic_report_allows_activation_and_records_it(rbac):
    rbac.create_exclusion("session", [{"operation": "saisir", "object": "elements_paie"},
                                      {"operation": "controler", "object": "elements_paie"}],
                          kind="dynamic", risk="report")
    rbac.assign_user("bob", "paie")
    rbac.assign_user("bob", "controleur")
    rbac.create_session("bob", "s", ["paie", "controleur"])
    (violation,) = rbac.reported_violations()
    assert (violation.action, violation.session, violation.subject) == ("activation", "s", "bob")


def test_history_exclusion_four_eyes_on_a_convention_version(rbac):
    """CNV-3: whoever entered or last changed a version may not validate it — asked with the version's history
    and answered with a decision that explains the refusal."""
    rbac.add_role("verificateur")
    rbac.grant_permission("valider", "convention", "verificateur")
    rbac.assign_user("alice", "verificateur")
    rbac.assign_user("bob", "verificateur")
    rbac.create_history_exclusion("quatre_yeux", obj="convention", done=["saisir", "modifier"], then="valider")
    history = [("bob", "saisir"), {"user": "carole", "operation": "modifier"}]
    snapshot = rbac.compile()
    refused = snapshot.explain("bob", "valider", "convention", context={"history": history})
    assert not refused.granted and refused.reason == "condition_failed"
    assert refused.failed_constraints[0]["previous_operation"] == "saisir"
    assert "« bob » a déjà fait « saisir » sur ce même objet « convention »" in refused.message
    assert snapshot.check("alice", "valider", "convention", context={"history": history})
    assert not snapshot.check("bob", "valider", "convention", context={"history": history})
    assert not snapshot.check("alice", "valider", "convention")  # no history given: cannot prove it safe
    rbac.create_session("bob", "s", ["verificateur"])
    assert not rbac.check_access("s", "valider", "convention", context={"history": history})
    assert rbac.check_access("s", "valider", "convention", context={"history": [("alice", "saisir")]})


def test_history_exclusion_in_report_mode_grants_and_flags(rbac):
    rbac.add_role("verificateur")
    rbac.grant_permission("valider", "convention", "verificateur")
    rbac.assign_user("bob", "verificateur")
    rbac.create_history_exclusion("quatre_yeux", obj="convention", done=["saisir"], then="valider", risk="report")
    decision = rbac.compile().explain("bob", "valider", "convention", context={"history": [("bob", "saisir")]})
    assert decision.granted and decision.reported[0]["exclusion"] == "quatre_yeux"
    rbac.create_session("bob", "s", ["verificateur"])
    assert rbac.check_access("s", "valider", "convention", context={"history": [("bob", "saisir")]})
    assert rbac.reported_violations()[0].exclusion == "quatre_yeux"


def test_conflict_report_lists_broken_and_nearly_broken_rules(rbac):
    rbac.assign_user("alice", "gestionnaire")
    rbac.assign_user("alice", "paie")
    rbac.assign_user("bob", "gestionnaire")
    rbac.assign_user("bob", "lecteur")
    rbac.create_exclusion("cumul", ["gestionnaire", "paie"], risk="report")
    rbac.create_exclusion("trio", ["gestionnaire", "lecteur", "controleur"], cardinality=3)
    rbac.create_ssd_set("ssd3", ["paie", "lecteur", "controleur"], 3)
    findings = {(f["rule"], f["subject"], f["severity"]) for f in rbac.exclusion_conflicts()}
    assert ("cumul", "alice", "broken") in findings
    assert ("trio", "bob", "near") in findings
    assert ("ssd3", "bob", "near") not in findings  # bob holds only « lecteur »
    rbac.assign_user("bob", "paie")
    assert ("ssd3", "bob", "near") in {(f["rule"], f["subject"], f["severity"]) for f in rbac.exclusion_conflicts()}
    assert all(f["message"] for f in rbac.exclusion_conflicts())


def test_a_blocking_rule_already_broken_is_refused_at_definition(rbac):
    rbac.assign_user("alice", "gestionnaire")
    rbac.assign_user("alice", "paie")
    with pytest.raises(ConstraintViolation, match="déjà enfreinte"):
        rbac.create_exclusion("cumul", ["gestionnaire", "paie"])
    assert rbac.exclusions() == {}


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"members": ["gestionnaire"], "cardinality": 2}, "cardinality_exceeds_members"),
        ({"members": ["gestionnaire", "paie"], "risk": "grave"}, "unknown_risk"),
        ({"members": ["gestionnaire", "paie"], "kind": "dynamic", "risk": "require_approval"}, "unsupported_risk"),
        ({"members": ["gestionnaire", "paie"], "kind": "parfois"}, "unknown_exclusion_kind"),
        ({"members": [{"role": "gestionnaire", "object": "x"}, "paie"]}, "invalid_exclusion_member"),
        ({"members": ["gestionnaire", "inconnu"]}, "role_not_found"),
    ],
)
def test_malformed_exclusions_are_refused(rbac, kwargs, code):
    with pytest.raises((InvalidArgument, NotFound)) as refused:
        rbac.create_exclusion("x", **kwargs)
    assert refused.value.code == code


def test_deleting_a_role_drops_it_from_exclusions(rbac):
    rbac.create_exclusion("cumul", ["gestionnaire", "paie", "lecteur"])
    rbac.delete_role("lecteur")
    assert {m.role for m in rbac.exclusions()["cumul"].members} == {"gestionnaire", "paie"}


@pytest.mark.parametrize("risk", ["block", "require_approval", "report"])
def test_approving_every_rule_skips_their_evaluation_with_the_same_outcome(rbac, monkeypatch, risk):
    """A replay of the change log approves every rule (its process decided): the changes go through exactly as
    when each breach is evaluated then dropped, nothing is reported, and no holder is evaluated at all (issue 19:
    a fund's 3,000 memberships replayed spent a third of their time evaluating breaches `_enforce` then dropped)."""
    rbac.create_exclusion("gestion_paie", ["gestionnaire", "paie"], risk=risk)
    rbac.create_exclusion("saisie_controle", [{"operation": "saisir", "object": "elements_paie"},
                                              {"operation": "controler", "object": "elements_paie"}], risk=risk)
    rbac.add_group("equipe")
    rbac.add_group_member("equipe", "bob")
    calls = [("assign_user", "alice", "gestionnaire"), ("assign_user", "alice", "paie"),
             ("assign_group", "equipe", "paie"), ("assign_user", "bob", "gestionnaire"),
             ("add_group_member", "equipe", "carole"), ("assign_user", "carole", "controleur"),
             ("grant_permission", "controler", "elements_paie", "paie"), ("set_role_descends", "paie", False)]
    evaluated = RBAC.load(rbac.export())
    with evaluated.approving(evaluated.exclusions()):
        for method, *arguments in calls:
            getattr(evaluated, method)(*arguments)

    def never(*_args, **_kwargs):
        raise AssertionError("a breach was evaluated although every rule is approved")

    monkeypatch.setattr(type(rbac), "_user_breaches", never)
    monkeypatch.setattr(type(rbac), "_change_breaches", never)
    monkeypatch.setattr(type(rbac), "_held_map", never)
    with rbac.approving(rbac.exclusions()):
        for method, *arguments in calls:
            getattr(rbac, method)(*arguments)
    assert rbac.export() == evaluated.export()
    assert rbac.reported_violations() == evaluated.reported_violations() == []
    assert rbac.pending_changes() == []
    monkeypatch.undo()
    refused = pytest.raises((ConstraintViolation, ApprovalRequired)) if risk != "report" else nullcontext()
    with rbac.approving(["gestion_paie"]), refused:  # one rule approved, the other still acts
        rbac.assign_user("admin2", "paie")  # paie now holds both permissions of saisie_controle
    assert ("saisie_controle" in [v.exclusion for v in rbac.reported_violations()]) == (risk == "report")



def test_required_history_rule_lets_only_the_author_act(rbac):
    """The dual of the four eyes (CNV-4): only who entered a version gives it up — the same history, ``required``;
    refused with the authors named, and kept through a policy document."""
    rbac.add_role("saisie-version")
    rbac.grant_permission("reprendre", "version", "saisie-version")
    rbac.assign_user("alice", "saisie-version")
    rbac.assign_user("bob", "saisie-version")
    rbac.create_history_exclusion("auteur", obj="version", done=["saisir"], then="reprendre", required=True)
    history = [("alice", "saisir"), ("bob", "modifier")]
    snapshot = rbac.compile()
    assert snapshot.check("alice", "reprendre", "version", context={"history": history})
    refused = snapshot.explain("bob", "reprendre", "version", context={"history": history})
    assert not refused.granted and refused.reason == "condition_failed"
    (breach,) = refused.failed_constraints
    assert breach["required"] is True and breach["by"] == ["alice"]
    assert "seul qui a fait « saisir » sur ce même objet « version » peut y faire « reprendre » (« alice ») ; " \
           "« bob » ne l'a pas fait" in refused.message
    assert not snapshot.check("alice", "reprendre", "version")  # no history given: cannot prove it safe
    with pytest.raises(InvalidArgument):
        rbac.create_history_exclusion("x", obj="version", done=["saisir"], then="reprendre", required="oui")
    document = rbac.export()
    assert {"name": "auteur", "object": "version", "done": ["saisir"], "then": "reprendre", "risk": "block",
            "required": True} in document["history_exclusions"]
    again = RBAC.load(document).compile()
    assert not again.check("bob", "reprendre", "version", context={"history": history})
    assert again.check("alice", "reprendre", "version", context={"history": history})
