"""Attribute-driven assignment rules (RE-7, thesis 4.4.3 and 6.2): evaluation, preview, application."""

from __future__ import annotations

import pytest

from habpps.engine import RBAC, ConstraintViolation, NotFound
from habpps.roleeng.assignment_rules import (
    RuleAssignment,
    apply_change,
    apply_user_change,
    evaluate,
    preview_rules_change,
    preview_user_change,
)
from habpps.roleeng.derivation import derive_hierarchy
from habpps.roleeng.engine_import import import_hierarchy
from habpps.roleeng.model import AssignmentRule

RULES = (
    AssignmentRule("R-SIEGE", {"metier": ("expert_recrutement",), "unite": ("siege",)}, "recrutement"),
    AssignmentRule("R-AGENT", {"statut": ("titulaire", "contractuel")}, "agent", scope_attribute="unite"),
    AssignmentRule("R-CHEF", {"emploi": ("chef_de_service",)}, "manager", scope_attribute="unite"),
)
HIERARCHY = derive_hierarchy(
    {
        "recrutement": {("recruter", "candidat")},
        "agent": {("consulter", "mon_dossier")},
        "manager": {("consulter", "mon_dossier"), ("valider", "conges")},
    }
)


def test_business_rule_of_the_thesis_matches_job_and_org_unit():
    """4.4.3: « si métier = Expert_recrutement et UO = Siège alors rôle = Expert_recrutement siège »."""
    assert evaluate(RULES, {"metier": "expert_recrutement", "unite": "siege"}) == {
        RuleAssignment("recrutement"): ("R-SIEGE",)
    }
    assert evaluate(RULES, {"metier": "expert_recrutement", "unite": "hopital-a"}) == {}
    assert evaluate(RULES, {"unite": "siege"}) == {}  # a missing attribute never matches
    assert evaluate(RULES, None) == {}


def test_scoped_rule_assigns_in_the_user_org_unit_and_needs_it():
    assert evaluate(RULES, {"statut": "titulaire", "unite": "hegp"}) == {
        RuleAssignment("agent", "hegp"): ("R-AGENT",)
    }
    assert evaluate(RULES, {"statut": "titulaire"}) == {}


def test_preview_of_a_user_creation():
    change = preview_user_change(
        "alice", None, {"statut": "titulaire", "unite": "hegp"}, RULES, HIERARCHY.permissions
    )
    assert change.gained == {RuleAssignment("agent", "hegp")}
    assert change.lost == frozenset()
    assert change.permissions_gained == {("consulter", "mon_dossier", "hegp")}
    assert change.rules == {RuleAssignment("agent", "hegp"): ("R-AGENT",)}
    assert change.sentence() == (
        "« alice » obtient le rôle « agent » dans « hegp » (1 permission(s) gagnée(s), 0 perdue(s))."
    )


def test_preview_of_a_promotion_and_move_shows_gains_and_losses():
    before = {"statut": "titulaire", "unite": "hegp"}
    after = {"statut": "titulaire", "unite": "pitie", "emploi": "chef_de_service"}
    change = preview_user_change("bob", before, after, RULES, HIERARCHY.permissions)
    assert change.gained == {RuleAssignment("agent", "pitie"), RuleAssignment("manager", "pitie")}
    assert change.lost == {RuleAssignment("agent", "hegp")}
    assert change.permissions_gained == {
        ("consulter", "mon_dossier", "pitie"),
        ("valider", "conges", "pitie"),
    }
    assert change.permissions_lost == {("consulter", "mon_dossier", "hegp")}
    assert preview_user_change("bob", before, before, RULES, HIERARCHY.permissions).is_empty


def test_preview_of_a_rule_change_lists_only_affected_users():
    users = {
        "alice": {"statut": "titulaire", "unite": "hegp"},
        "carole": {"statut": "vacataire", "unite": "hegp"},
        "denis": {"metier": "expert_recrutement", "unite": "siege"},
    }
    widened = (
        *RULES[:1],
        AssignmentRule("R-AGENT", {"statut": ("titulaire", "vacataire")}, "agent", "unite"),
    )
    changes = preview_rules_change(users, RULES, widened, HIERARCHY.permissions)
    assert [(c.user, c.gained, c.lost) for c in changes] == [
        ("carole", {RuleAssignment("agent", "hegp")}, frozenset()),
    ]


@pytest.fixture
def rbac() -> RBAC:
    engine = import_hierarchy(HIERARCHY)
    for org in ("hegp", "pitie", "siege"):
        engine.add_org(org=org)
    return engine


def test_user_creation_and_change_are_applied_to_the_engine(rbac):
    apply_user_change(rbac, "bob", None, {"statut": "titulaire", "unite": "hegp"}, RULES)
    assert rbac.assigned_roles(user="bob") == {"agent"}
    change = apply_user_change(
        rbac,
        "bob",
        {"statut": "titulaire", "unite": "hegp"},
        {"statut": "titulaire", "unite": "pitie", "emploi": "chef_de_service"},
        RULES,
    )
    assert {(a.role, a.org) for a in rbac.user_assignments(user="bob")} == {
        ("agent", "pitie"),
        ("manager", "pitie"),
    }
    assert change.permissions_gained == {
        ("consulter", "mon_dossier", "pitie"),
        ("valider", "conges", "pitie"),
    }


def test_rules_never_touch_a_role_assigned_by_hand(rbac):
    rbac.add_user(user="eve")
    rbac.assign_user(user="eve", role="recrutement")
    apply_user_change(rbac, "eve", None, {"statut": "titulaire", "unite": "hegp"}, RULES)
    apply_user_change(rbac, "eve", {"statut": "titulaire", "unite": "hegp"}, {"statut": "retraite"}, RULES)
    assert {(a.role, a.org) for a in rbac.user_assignments(user="eve")} == {("recrutement", None)}


def test_a_refused_change_leaves_the_engine_as_it_was(rbac):
    rbac.create_ssd_set(name="sod", roles=["agent", "recrutement"], cardinality=2)
    apply_user_change(rbac, "fred", None, {"emploi": "chef_de_service", "unite": "hegp"}, RULES)
    before = rbac.export()
    change = preview_user_change(
        "fred",
        {"emploi": "chef_de_service", "unite": "hegp"},
        {"statut": "titulaire", "metier": "expert_recrutement", "unite": "siege"},
        RULES,
        HIERARCHY.permissions,
    )
    with pytest.raises(ConstraintViolation):
        apply_change(rbac, change)
    assert rbac.export() == before


def test_a_refused_creation_does_not_leave_the_user_behind(rbac):
    with pytest.raises(NotFound):
        apply_user_change(rbac, "gina", None, {"statut": "titulaire", "unite": "inconnue"}, RULES)
    assert "gina" not in rbac.users()
