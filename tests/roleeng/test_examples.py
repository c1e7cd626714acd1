"""The two worked examples shipped with the workbench: CDAP (slides, SPEC CDP-3) and the thesis's HR system."""

from __future__ import annotations

import pytest

from habpps.roleeng.acceptance import Outcome, check_sequences
from habpps.roleeng.derivation import derive_hierarchy
from habpps.roleeng.loading import load_model
from habpps.roleeng.traceability import Traceability

from .conftest import EXAMPLES

# SPEC CDP-3, the slides' « Proposition » in its literal reading (the seeded default doctrine).
CDP3 = {
    "cdap-ass-cesf": {
        "dossier",
        "droits",
        "adresse",
        "famille",
        "logement",
        "rsa",
        "paiement",
        "courrier",
        "ressources",
        "creances",
        "attestation-paiement",
    },
    "cdap-action-sociale": {"qf", "enfants"},
    "cdap-rsa": {"rsa", "ressources"},
    "cdap-contentieux": set(),
    "cdap-controle": set(),
}


@pytest.mark.parametrize("name", ["cdap.yaml", "hr_thesis.yaml"])
def test_example_loads_without_any_warning_and_passes_its_sequences(name):
    model, warnings = load_model(EXAMPLES / name)
    assert warnings == []
    hierarchy = derive_hierarchy(model.role_permissions(), model.role_domains() or None)
    assert all(check.outcome is not Outcome.FAILED for check in check_sequences(model, hierarchy))


def test_cdap_profiles_see_exactly_the_sections_of_the_doctrine():
    model, _ = load_model(EXAMPLES / "cdap.yaml")
    sections = {
        role: {obj.removeprefix("cdap.section.") for _, obj in perms if obj.startswith("cdap.section.")}
        for role, perms in model.role_permissions().items()
    }
    assert sections == CDP3
    assert all(("rechercher", "cdap.allocataire") in p for p in model.role_permissions().values())


def test_cdap_hierarchy_and_review_list():
    model, _ = load_model(EXAMPLES / "cdap.yaml")
    hierarchy = derive_hierarchy(model.role_permissions())
    assert hierarchy.edges() == [
        ("cdap-action-sociale", "cdap-contentieux"),
        ("cdap-action-sociale", "cdap-controle"),
        ("cdap-ass-cesf", "cdap-rsa"),
        ("cdap-rsa", "cdap-contentieux"),
        ("cdap-rsa", "cdap-controle"),
    ]
    assert hierarchy.redundant == (("cdap-contentieux", "cdap-controle"),)


def test_hr_example_derives_the_thesis_roles():
    model, _ = load_model(EXAMPLES / "hr_thesis.yaml")
    hierarchy = derive_hierarchy(model.role_permissions(), model.role_domains())
    assert hierarchy.edges() == [
        ("expert_paie", "gestionnaire_paie"),
        ("expert_rh", "expert_paie"),
        ("expert_rh", "gestionnaire_administratif"),
        ("expert_rh", "responsable_donnees_individuelles"),
        ("gestionnaire_administratif", "consultation"),
        ("manager", "agent"),
        ("manager", "responsable_absences_pm"),
        ("manager", "responsable_absences_pnm"),
        ("responsable_donnees_individuelles", "consultation"),
    ]
    assert hierarchy.redundant == (("responsable_absences_pm", "responsable_absences_pnm"),)
    # The PAIE role does not inherit from the GRH role « consultation » (5.3.7): it holds the pair itself.
    assert ("consulter", "dossier_agent") in hierarchy.direct["gestionnaire_paie"]


def test_hr_example_answers_why_the_expert_rh_may_read_an_agent_file():
    model, _ = load_model(EXAMPLES / "hr_thesis.yaml")
    trace = Traceability(model, derive_hierarchy(model.role_permissions(), model.role_domains()))
    justification = trace.why("expert_rh", ("consulter", "dossier_agent"))
    assert justification.chain[-1] in {"consultation", "gestionnaire_paie"}
    assert {need.scenario for need in justification.needs} >= {"SC1GAPRH", "SC-CONSULTATION", "SC-EVP"}
    # Scenarios in document order; the negative sequence of SC1GAPRH does not count, its main course does.
    assert trace.scenarios_needing("P-DOSSIER-CONSULTER") == (
        "SC1GAPRH",
        "SC-VALIDATION-ADRESSE",
        "SC-CONSULTATION",
        "SC-EVP",
    )
