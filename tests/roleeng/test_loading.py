"""Loading a model: every problem reported with its place, French message and stable code; nothing on error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

from habpps.roleeng.loading import load_model, model_from_document, parse_model
from habpps.roleeng.model import Expectation
from habpps.roleeng.problems import ModelInvalid, Severity
from habpps.roleeng.schema_check import role_model_schema

DOCS_SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "role-model.schema.json"


def problems_of(document) -> list:
    with pytest.raises(ModelInvalid) as raised:
        model_from_document(document)
    return list(raised.value.problems)


def codes(problems) -> list[tuple[str, str]]:
    return [(p.path, p.code) for p in problems if p.severity is Severity.ERROR]


def test_valid_document_builds_the_model(document):
    model, warnings = model_from_document(document)
    assert warnings == []
    assert [p.id for p in model.profiles] == ["lecteur", "gestionnaire", "responsable"]
    maj = model.scenario("SC-MAJ")
    assert maj.sequences[0].expected is Expectation.DENIED and maj.sequences[0].constraint == "C-UO"
    assert model.assignment_rules[0].conditions == {"emploi": ("gestionnaire_rh",)}


def test_published_schema_is_the_packaged_one_and_is_valid():
    published = json.loads(DOCS_SCHEMA.read_text(encoding="utf-8"))
    assert published == role_model_schema()
    Draft202012Validator.check_schema(published)


def test_step_naming_an_unknown_permission_is_reported_at_the_step(document):
    """RE-1 / issue 10: a step that names an unknown permission."""
    document["scenarios"][1]["steps"][0]["permissions"] = ["P-TRAITER", "P-INCONNUE"]
    (problem,) = [p for p in problems_of(document) if p.severity is Severity.ERROR]
    assert problem.path == "scenarios[1].steps[0].permissions[1]"
    assert problem.code == "permission_inconnue"
    assert "« P-INCONNUE »" in problem.message


def test_task_with_no_scenario_is_reported_at_the_task(document):
    document["tasks"][2]["scenarios"] = []
    (problem,) = problems_of(document)
    assert (problem.path, problem.code) == ("tasks[2].scenarios", "tache_sans_scenario")
    assert problem.message == "une tâche doit comporter au moins un scénario"


def test_cycle_between_profiles_is_reported_once_with_the_cycle_spelled_out(document):
    document["profiles"][1]["includes"] = ["responsable"]
    errors = [p for p in problems_of(document) if p.severity is Severity.ERROR]
    assert codes(errors) == [("profiles[1]", "cycle_entre_profils")]
    assert "gestionnaire → responsable → gestionnaire" in errors[0].message


def test_self_inclusion_is_a_cycle(document):
    document["profiles"][0]["includes"] = ["lecteur"]
    assert codes(problems_of(document)) == [("profiles[0]", "cycle_entre_profils")]


def test_every_reference_error_is_reported_in_one_pass(document):
    document["tasks"][0]["scenarios"] = ["SC-ABSENT"]
    document["profiles"][0]["tasks"] = ["T-ABSENTE"]
    document["profiles"][2]["includes"] = ["profil-absent"]
    document["assignment_rules"][0]["role"] = "role-absent"
    document["scenarios"][0]["constraints"] = ["C-ABSENTE"]
    document["scenarios"][1]["sequences"][0]["constraint"] = "C-ABSENTE"
    document["permissions"][3]["composed_of"] = ["P-LIRE", "P-ABSENTE"]
    assert sorted(codes(problems_of(document))) == sorted(
        [
            ("tasks[0].scenarios[0]", "scenario_inconnu"),
            ("profiles[0].tasks[0]", "tache_inconnue"),
            ("profiles[2].includes[0]", "profil_inconnu"),
            ("assignment_rules[0].role", "role_inconnu"),
            ("scenarios[0].constraints[0]", "contrainte_inconnue"),
            ("scenarios[1].sequences[0].constraint", "contrainte_inconnue"),
            ("permissions[3].composed_of[1]", "permission_inconnue"),
        ]
    )


def test_duplicate_identifiers_and_pairs_are_refused(document):
    """Thesis 5.3.2: each permission is recorded only once in the catalogue."""
    document["permissions"].append({"id": "P-LIRE-BIS", "operation": "lire", "object": "dossier"})
    document["scenarios"].append(dict(document["scenarios"][0]))
    document["profiles"].append(
        {"id": "autre", "label": "Autre", "tasks": ["T-CONSULTER"], "role": "lecteur"}
    )
    assert sorted(codes(problems_of(document))) == [
        ("permissions[4]", "permission_en_double"),
        ("profiles[3].role", "role_en_double"),
        ("scenarios[3].id", "identifiant_en_double"),
    ]


def test_abstract_permission_made_of_itself_is_refused(document):
    document["permissions"].append({"id": "P-A", "composed_of": ["P-B"]})
    document["permissions"].append({"id": "P-B", "composed_of": ["P-A"]})
    document["scenarios"][0]["steps"][0]["permissions"] = ["P-A"]
    assert codes(problems_of(document)) == [("permissions[4]", "composition_cyclique")]


def test_structural_errors_are_told_in_french_at_the_field(document):
    del document["scenarios"][0]["theme"]
    document["scenarios"][1]["sequences"][0]["expected"] = "peut-être"
    document["profiles"][0]["couleur"] = "bleu"
    document["permissions"][1]["id"] = "P ECRIRE"
    document["permissions"][2] = {"id": "P-VALIDER", "operation": "valider"}
    found = {p.path: p for p in problems_of(document)}
    assert found["scenarios[0].theme"].message == "le champ « theme » est obligatoire"
    assert found["scenarios[1].sequences[0].expected"].code == "valeur_inconnue"
    assert "« granted », « denied »" in found["scenarios[1].sequences[0].expected"].message
    assert found["profiles[0].couleur"].code == "champ_inconnu"
    assert found["permissions[1].id"].code == "identifiant_invalide"
    assert found["permissions[2]"].code == "permission_mal_formee"


def test_problems_carry_the_line_of_the_yaml_text(document):
    document["scenarios"][2]["steps"][0]["permissions"] = ["P-NULLE"]
    text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
    with pytest.raises(ModelInvalid) as raised:
        parse_model(text)
    (problem,) = raised.value.errors
    assert text.splitlines()[problem.line - 1].strip() == "- P-NULLE"
    assert str(problem).startswith("erreur — scenarios[2].steps[0].permissions[0] (ligne ")


def test_unreadable_yaml_is_reported_with_its_line():
    with pytest.raises(ModelInvalid) as raised:
        parse_model("name: x\nscenarios: [\n  - : :\n")
    (problem,) = raised.value.problems
    assert problem.code == "yaml_invalide" and problem.line is not None


def test_missing_file_is_a_model_error(tmp_path):
    with pytest.raises(ModelInvalid) as raised:
        load_model(tmp_path / "absent.yaml")
    assert raised.value.problems[0].code == "fichier_illisible"


def test_unused_elements_are_warnings_that_do_not_block(document):
    document["permissions"].append({"id": "P-INUTILE", "operation": "supprimer", "object": "dossier"})
    document["tasks"].append({"id": "T-ORPHELINE", "label": "Orpheline", "scenarios": ["SC-CONSULTER"]})
    model, warnings = model_from_document(document)
    assert [(w.path, w.code, w.severity) for w in warnings] == [
        ("permissions[4]", "permission_inutilisee", Severity.WARNING),
        ("tasks[3]", "tache_hors_profil", Severity.WARNING),
    ]
    assert model.entry("P-INUTILE").permission == ("supprimer", "dossier")


def test_an_error_hides_no_warning(document):
    document["permissions"].append({"id": "P-INUTILE", "operation": "supprimer", "object": "dossier"})
    document["tasks"][0]["scenarios"] = ["SC-ABSENT"]
    problems = problems_of(document)
    assert {p.severity for p in problems} == {Severity.ERROR, Severity.WARNING}
