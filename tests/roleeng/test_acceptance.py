"""Scenario sequences become acceptance cases of the derived roles (RE-1)."""

from __future__ import annotations

from habpps.roleeng.acceptance import Outcome, check_sequences
from habpps.roleeng.derivation import derive_hierarchy
from habpps.roleeng.loading import model_from_document


def outcomes(document):
    model, _ = model_from_document(document)
    checks = check_sequences(model, derive_hierarchy(model.role_permissions()))
    return {(c.role, c.scenario, c.sequence, c.permission): c.outcome for c in checks}


def test_denial_resting_on_a_constraint_is_reported_as_such(document):
    assert outcomes(document) == {
        ("gestionnaire", "SC-MAJ", "SEQ2", ("lire", "dossier")): Outcome.BY_CONSTRAINT,
        ("responsable", "SC-MAJ", "SEQ2", ("lire", "dossier")): Outcome.BY_CONSTRAINT,
    }


def test_denial_without_constraint_fails_when_the_role_holds_the_permission(document):
    document["scenarios"][0]["sequences"] = [
        {
            "id": "SEQ-VALIDER",
            "expected": "denied",
            "steps": [{"text": "valider", "permissions": ["P-VALIDER"]}],
        },
        {
            "id": "SEQ-ECRIRE",
            "expected": "denied",
            "steps": [{"text": "écrire", "permissions": ["P-ECRIRE"]}],
        },
    ]
    document["profiles"][2]["tasks"].append("T-CONSULTER")
    found = outcomes(document)
    assert found[("lecteur", "SC-CONSULTER", "SEQ-VALIDER", ("valider", "dossier"))] is Outcome.PASSED
    assert found[("lecteur", "SC-CONSULTER", "SEQ-ECRIRE", ("ecrire", "dossier"))] is Outcome.PASSED
    assert found[("responsable", "SC-CONSULTER", "SEQ-VALIDER", ("valider", "dossier"))] is Outcome.FAILED


def test_positive_sequences_are_needed_and_checked(document):
    document["scenarios"][0]["sequences"] = [
        {"id": "SEQ-BIS", "steps": [{"text": "écrire aussi", "permissions": ["P-ECRIRE"]}]},
    ]
    model, _ = model_from_document(document)
    assert model.profile_permissions("lecteur") == {("lire", "dossier"), ("ecrire", "dossier")}
    checks = check_sequences(model, derive_hierarchy(model.role_permissions()))
    assert {c.outcome for c in checks if c.sequence == "SEQ-BIS"} == {Outcome.PASSED}
