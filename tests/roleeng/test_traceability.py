"""Traceability both ways: permission ↔ scenario ↔ task ↔ profile ↔ role, and "why does this role hold it?" (RE-4)."""

from __future__ import annotations

import pytest

from habpps.roleeng.derivation import derive_hierarchy
from habpps.roleeng.loading import load_model, model_from_document
from habpps.roleeng.traceability import Traceability

from .conftest import EXAMPLES


@pytest.fixture
def trace(document) -> Traceability:
    model, _ = model_from_document(document)
    return Traceability(model, derive_hierarchy(model.role_permissions()))


def test_which_scenarios_need_a_permission_including_through_an_abstract_one(trace):
    assert trace.scenarios_needing("P-LIRE") == ("SC-CONSULTER", "SC-MAJ")
    assert trace.scenarios_needing("P-TRAITER") == ("SC-MAJ",)
    assert trace.scenarios_needing_permission(("ecrire", "dossier")) == ("SC-MAJ",)
    assert trace.entries_of_scenario("SC-MAJ") == ("P-ECRIRE", "P-LIRE")


def test_links_navigate_down_and_up_the_chain(trace):
    assert trace.tasks_of_scenario("SC-MAJ") == ("T-GERER",)
    assert trace.scenarios_of_task("T-GERER") == ("SC-MAJ",)
    assert trace.profiles_of_task("T-GERER") == ("gestionnaire", "responsable")  # responsable includes it
    assert trace.tasks_of_profile("responsable") == ("T-GERER", "T-VALIDER")
    assert trace.role_of_profile("lecteur") == "lecteur"
    assert trace.profile_of_role("responsable") == "responsable"
    assert trace.roles_needing("P-ECRIRE") == ("gestionnaire", "responsable")
    assert trace.constraint_origin("C-UO") == "Encadrement"


def test_why_a_role_holds_an_inherited_permission(trace):
    justification = trace.why("responsable", ("lire", "dossier"))
    assert justification.chain == ("responsable", "gestionnaire", "lecteur")
    assert justification.holder == "lecteur"
    assert [(n.task, n.scenario, n.entry) for n in justification.needs] == [
        ("T-GERER", "SC-MAJ", "P-TRAITER")
    ]
    assert justification.sentence() == (
        "Le rôle « responsable » détient (lire, dossier) [P-LIRE] : requis par tâche « T-GERER », scénario "
        "« SC-MAJ » ; assignée au rôle « lecteur », hérité par responsable → gestionnaire → lecteur."
    )


def test_why_a_role_holds_a_direct_permission_and_not_another(trace):
    assert (
        trace.why("responsable", ("valider", "dossier")).sentence().endswith("lui est assignée directement.")
    )
    assert trace.why("lecteur", ("valider", "dossier")) is None


def test_refinements_are_traced():
    model, _ = load_model(EXAMPLES / "cdap.yaml")
    assert Traceability(model).refinements("SC-CDAP-SUIVI-SOCIAL") == ("SC-CDAP-PERIODE",)
