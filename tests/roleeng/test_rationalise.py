"""Rationalisation of the scenario model (thesis 5.3.4, RE-2b): decomposition and generalisation, traced."""

from __future__ import annotations

import copy
from collections import Counter
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from habpps.roleeng.acceptance import check_sequences
from habpps.roleeng.examples import example
from habpps.roleeng.loading import model_from_document, parse_model
from habpps.roleeng.model import RationalisationKind
from habpps.roleeng.model_diff import diff_models, hierarchy_of
from habpps.roleeng.problems import ModelInvalid
from habpps.roleeng.rationalise import (
    FinerStep,
    RationalisationError,
    decompose_step,
    generalise,
    similar_scenarios,
)
from habpps.roleeng.traceability import Traceability

BENEFICIARY = {
    "scenario_id": "SC-CDAP-BENEFICIAIRE",
    "object": "consulter le dossier d'un bénéficiaire de type X",
    "parameter": "type de bénéficiaire",
    "values": {"SC-CDAP-ACTION-SOCIALE": "action sociale", "SC-CDAP-RSA": "RSA"},
}


def load(document: dict[str, Any]):
    return model_from_document(document)[0]


def cdap() -> dict[str, Any]:
    return yaml.safe_load(example("cdap").text)


def outcomes(model) -> Counter:
    """The sequence checks without sequence names (a generalisation may rename a clashing sequence)."""
    return Counter(
        (c.role, c.permission, c.expected, c.outcome) for c in check_sequences(model, hierarchy_of(model))
    )


# Decomposition.


def test_a_coarse_step_becomes_finer_steps_and_the_trace_keeps_the_original(document):
    after = decompose_step(
        document,
        "SC-MAJ",
        1,
        [FinerStep("ouvrir le dossier", ("P-LIRE",)), FinerStep("corriger le dossier", ("P-ECRIRE",))],
        reason="trop grossière pour être implémentée",
    )
    model = load(after)
    steps = model.scenario("SC-MAJ").steps
    assert [s.text for s in steps] == ["ouvrir le dossier", "corriger le dossier"]
    [trace] = model.rationalisations
    assert trace.kind is RationalisationKind.DECOMPOSITION
    assert (trace.id, trace.scenario, trace.position) == ("RAT-1", "SC-MAJ", 1)
    assert trace.step.text == "traiter le dossier" and trace.step.permissions == ("P-TRAITER",)
    assert trace.into == ("ouvrir le dossier", "corriger le dossier")
    assert trace.reason == "trop grossière pour être implémentée"
    assert "l'étape 1 « traiter le dossier » du scénario « SC-MAJ » devient 2 étapes" in trace.sentence()
    # The finer steps need what the abstract permission stood for: nobody's rights change.
    assert model.role_permissions() == load(document).role_permissions()
    assert document["scenarios"][1]["steps"] == [{"text": "traiter le dossier", "permissions": ["P-TRAITER"]}]


def test_a_decomposition_that_drops_a_permission_shows_as_a_loss_in_the_diff(document):
    after = load(
        decompose_step(document, "SC-MAJ", 1, [FinerStep("ouvrir", ("P-LIRE",)), FinerStep("relire")])
    )
    diff = diff_models(load(document), after)
    gestionnaire = next(p for p in diff.profiles if p.id == "gestionnaire")
    assert [item.key for item in gestionnaire.permissions.lost] == ["ecrire dossier"]
    assert [item.label for item in diff.rationalisations.gained] == [after.rationalisations[0].sentence()]


@pytest.mark.parametrize(
    ("scenario", "position", "parts", "code", "field"),
    [
        ("SC-INCONNU", 1, [FinerStep("a"), FinerStep("b")], "scenario_inconnu", "scenario"),
        ("SC-MAJ", 2, [FinerStep("a"), FinerStep("b")], "etape_inconnue", "position"),
        ("SC-MAJ", 0, [FinerStep("a"), FinerStep("b")], "etape_inconnue", "position"),
        ("SC-MAJ", 1, [FinerStep("a")], "decomposition_trop_courte", "parts"),
        ("SC-MAJ", 1, [FinerStep("a"), FinerStep("  ")], "etape_vide", "parts"),
        ("SC-MAJ", 1, [FinerStep("a", ("P-NON",)), FinerStep("b")], "permission_inconnue", "parts"),
    ],
)
def test_a_decomposition_is_refused_with_a_french_reason(document, scenario, position, parts, code, field):
    with pytest.raises(RationalisationError) as refused:
        decompose_step(document, scenario, position, parts)
    assert (refused.value.code, refused.value.field) == (code, field)
    assert refused.value.message[0].isupper() and refused.value.message.endswith(".")


# Generalisation.


def test_similar_scenarios_of_the_cdap_doctrine_are_proposed():
    model = parse_model(example("cdap").text)[0]
    [proposal] = similar_scenarios(model)
    assert proposal.scenarios == ("SC-CDAP-ACTION-SOCIALE", "SC-CDAP-RSA")
    assert proposal.operations == ("consulter",)
    assert len(set(proposal.values.values())) == 2


def test_generalising_keeps_every_profile_s_rights_and_every_sequence_outcome():
    before = cdap()
    after = generalise(
        before, ["SC-CDAP-ACTION-SOCIALE", "SC-CDAP-RSA"], reason="même consultation", **BENEFICIARY
    )
    old, new = load(before), load(after)
    assert new.role_permissions() == old.role_permissions()
    assert outcomes(new) == outcomes(old)

    generic = new.scenario("SC-CDAP-BENEFICIAIRE")
    assert generic.parameter == "type de bénéficiaire"
    assert [(i.value, i.generalises) for i in generic.instances] == [
        ("action sociale", "SC-CDAP-ACTION-SOCIALE"),
        ("RSA", "SC-CDAP-RSA"),
    ]
    assert {s.id for s in new.scenarios}.isdisjoint({"SC-CDAP-ACTION-SOCIALE", "SC-CDAP-RSA"})
    assert new.task("T-INSTRUCTION-RSA").instances == {"SC-CDAP-BENEFICIAIRE": ("RSA",)}
    [trace] = new.rationalisations
    assert trace.kind is RationalisationKind.GENERALISATION
    assert [(s.scenario, s.value) for s in trace.sources] == [
        ("SC-CDAP-ACTION-SOCIALE", "action sociale"),
        ("SC-CDAP-RSA", "RSA"),
    ]
    assert trace.sources[1].object == "instruire et suivre un dossier RSA"
    # Traceability: an instance's permission is needed by the profile running that instance only.
    trace_links = Traceability(new, hierarchy_of(new))
    assert trace_links.profiles_needing("P-QF") == ("cdap-action-sociale",)
    assert [n.task for n in trace_links.needs("cdap-rsa", ("consulter", "cdap.section.rsa"))] == [
        "T-INSTRUCTION-RSA"
    ]
    assert trace_links.rationalisations_of("SC-CDAP-RSA") == (trace,)


def test_the_diff_names_each_instance_and_the_generalisation():
    before = cdap()
    after = load(generalise(before, ["SC-CDAP-ACTION-SOCIALE", "SC-CDAP-RSA"], **BENEFICIARY))
    diff = diff_models(load(before), after)
    rsa = next(p for p in diff.profiles if p.id == "cdap-rsa")
    assert [i.key for i in rsa.scenarios.gained] == ["SC-CDAP-BENEFICIAIRE[RSA]"]
    assert [i.key for i in rsa.scenarios.lost] == ["SC-CDAP-RSA"]
    assert not rsa.permissions
    assert not diff.changed_roles
    assert (
        "deviennent le scénario générique « SC-CDAP-BENEFICIAIRE »" in diff.rationalisations.gained[0].label
    )


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"sources": ["SC-CDAP-RSA"]}, "generalisation_trop_courte", "sources"),
        ({"sources": ["SC-CDAP-RSA", "SC-NON"]}, "scenario_inconnu", "sources"),
        ({"scenario_id": "SC-CDAP-RECHERCHE"}, "identifiant_en_double", "scenario_id"),
        ({"scenario_id": "avec espace"}, "identifiant_invalide", "scenario_id"),
        ({"parameter": " "}, "parametre_vide", "parameter"),
        ({"object": ""}, "objet_vide", "object"),
        ({"values": {"SC-CDAP-ACTION-SOCIALE": "RSA", "SC-CDAP-RSA": "RSA"}}, "valeur_en_double", "values"),
        ({"values": {"SC-CDAP-RSA": "RSA"}}, "valeur_manquante", "values"),
    ],
)
def test_a_generalisation_is_refused_with_a_french_reason(change, code, field):
    arguments = {**BENEFICIARY, "sources": ["SC-CDAP-ACTION-SOCIALE", "SC-CDAP-RSA"], **change}
    with pytest.raises(RationalisationError) as refused:
        generalise(cdap(), arguments.pop("sources"), **arguments)
    assert (refused.value.code, refused.value.field) == (code, field)


def test_a_generic_scenario_is_not_generalised_again():
    once = generalise(cdap(), ["SC-CDAP-ACTION-SOCIALE", "SC-CDAP-RSA"], **BENEFICIARY)
    with pytest.raises(RationalisationError) as refused:
        generalise(
            once,
            ["SC-CDAP-BENEFICIAIRE", "SC-CDAP-PERIODE"],
            scenario_id="SC-G",
            object="o",
            parameter="p",
            values={"SC-CDAP-BENEFICIAIRE": "a", "SC-CDAP-PERIODE": "b"},
        )
    assert refused.value.code == "scenario_generique"


def test_the_rationalised_document_round_trips_through_yaml_with_both_traces():
    after = generalise(cdap(), ["SC-CDAP-ACTION-SOCIALE", "SC-CDAP-RSA"], **BENEFICIARY)
    after = decompose_step(
        after,
        "SC-CDAP-SUIVI-SOCIAL",
        1,
        [FinerStep("dossier et droits", ("P-DOSSIER", "P-DROITS")), FinerStep("foyer", ("P-ADRESSE",))],
    )
    model, warnings = parse_model(yaml.safe_dump(after, allow_unicode=True, sort_keys=False))
    assert [t.id for t in model.rationalisations] == ["RAT-1", "RAT-2"]
    assert not [w for w in warnings if w.code.startswith("trace")]


@pytest.mark.parametrize(
    ("mutate", "code"),
    [
        (lambda d: d["tasks"][3].update(instances={"SC-CDAP-BENEFICIAIRE": ["AAH"]}), "instance_inconnue"),
        (lambda d: d["tasks"][0].update(instances={"SC-CDAP-BENEFICIAIRE": ["RSA"]}), "instance_hors_tache"),
        (lambda d: d["tasks"][0].update(instances={"SC-CDAP-RECHERCHE": ["RSA"]}), "scenario_non_generique"),
        (lambda d: d["scenarios"][3].pop("parameter"), "champ_obligatoire"),
        (lambda d: d["scenarios"][3]["instances"][1].update(value="action sociale"), "valeur_en_double"),
    ],
)
def test_instances_that_do_not_resolve_are_load_errors(mutate, code):
    after = generalise(cdap(), ["SC-CDAP-ACTION-SOCIALE", "SC-CDAP-RSA"], **BENEFICIARY)
    assert after["scenarios"][3]["id"] == "SC-CDAP-BENEFICIAIRE"
    mutate(after)
    with pytest.raises(ModelInvalid) as invalid:
        model_from_document(after)
    assert code in {p.code for p in invalid.value.errors}


def test_a_trace_naming_a_removed_scenario_is_only_a_warning(document):
    after = decompose_step(
        document, "SC-VALIDER", 1, [FinerStep("relire"), FinerStep("valider", ("P-VALIDER",))]
    )
    after["rationalisations"][0]["scenario"] = "SC-DISPARU"
    _, warnings = model_from_document(after)
    assert "trace_sans_scenario" in {w.code for w in warnings}


# Properties on random models.

OPERATIONS = ("lire", "ecrire", "valider")


@st.composite
def models(draw) -> dict[str, Any]:
    """A random valid model: permissions, scenarios with steps and a negative sequence, tasks, profiles."""
    permission_count = draw(st.integers(2, 7))
    permissions = [
        {"id": f"P{i}", "operation": draw(st.sampled_from(OPERATIONS)), "object": f"objet{i}"}
        for i in range(permission_count)
    ]
    ids = [p["id"] for p in permissions]
    subsets = st.lists(st.sampled_from(ids), unique=True, max_size=3)
    scenarios = []
    for i in range(draw(st.integers(2, 5))):
        scenario: dict[str, Any] = {
            "id": f"S{i}",
            "theme": draw(st.sampled_from(["A", "B"])),
            "object": f"objet du scénario {i}",
            "actor_category": "Agent",
            "steps": [
                {"text": f"étape {j}", "permissions": draw(subsets)} for j in range(draw(st.integers(1, 3)))
            ],
        }
        if draw(st.booleans()):
            scenario["sequences"] = [
                {
                    "id": "SEQ",
                    "expected": "denied",
                    "steps": [{"text": "tentative", "permissions": draw(subsets)}],
                }
            ]
        scenarios.append(scenario)
    scenario_ids = [s["id"] for s in scenarios]
    tasks = [
        {
            "id": f"T{i}",
            "label": f"Tâche {i}",
            "scenarios": draw(st.lists(st.sampled_from(scenario_ids), min_size=1, unique=True)),
        }
        for i in range(draw(st.integers(1, 4)))
    ]
    task_ids = [t["id"] for t in tasks]
    profiles = [
        {
            "id": f"R{i}",
            "label": f"Profil {i}",
            "tasks": draw(st.lists(st.sampled_from(task_ids), min_size=1, unique=True)),
        }
        for i in range(draw(st.integers(1, 4)))
    ]
    return {
        "name": "aléatoire",
        "permissions": permissions,
        "scenarios": scenarios,
        "tasks": tasks,
        "profiles": profiles,
    }


@settings(max_examples=60, deadline=None)
@given(models(), st.data())
def test_generalising_any_scenarios_changes_no_role_and_no_sequence_outcome(document, data):
    names = [s["id"] for s in document["scenarios"]]
    sources = data.draw(st.lists(st.sampled_from(names), min_size=2, unique=True))
    before = copy.deepcopy(document)
    after = generalise(
        document,
        sources,
        scenario_id="GENERIQUE",
        object="scénario générique",
        parameter="paramètre",
        values={s: f"valeur {s}" for s in sources},
    )
    assert document == before  # the input document is never modified
    old, new = load(before), load(after)
    assert new.role_permissions() == old.role_permissions()
    assert outcomes(new) == outcomes(old)
    assert {s.scenario for s in new.rationalisations[-1].sources} == set(sources)


@settings(max_examples=60, deadline=None)
@given(models(), st.data())
def test_decomposing_a_step_into_parts_covering_its_permissions_changes_no_role(document, data):
    scenario = data.draw(st.sampled_from(document["scenarios"]))
    position = data.draw(st.integers(1, len(scenario["steps"])))
    permissions = scenario["steps"][position - 1]["permissions"]
    count = data.draw(st.integers(2, 4))
    owners = [data.draw(st.integers(0, count - 1)) for _ in permissions]
    parts = [
        FinerStep(f"partie {k}", tuple(p for p, owner in zip(permissions, owners, strict=True) if owner == k))
        for k in range(count)
    ]
    after = decompose_step(document, scenario["id"], position, parts)
    old, new = load(document), load(after)
    assert new.role_permissions() == old.role_permissions()
    assert len(new.scenario(scenario["id"]).steps) == len(scenario["steps"]) + count - 1
    assert new.rationalisations[-1].step.permissions == tuple(permissions)
