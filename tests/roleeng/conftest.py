"""Shared builders for the role-engineering tests: a small valid model document, mutated test by test."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "habpps" / "roleeng" / "examples"

_MINIMAL: dict[str, Any] = {
    "name": "Modèle minimal",
    "version": 1,
    "constraints": [
        {"id": "C-UO", "label": "Son unité seulement", "kind": "scope", "defined_by": "Encadrement"}
    ],
    "permissions": [
        {"id": "P-LIRE", "operation": "lire", "object": "dossier", "constraints": ["C-UO"]},
        {"id": "P-ECRIRE", "operation": "ecrire", "object": "dossier"},
        {"id": "P-VALIDER", "operation": "valider", "object": "dossier"},
        {"id": "P-TRAITER", "composed_of": ["P-LIRE", "P-ECRIRE"]},
    ],
    "scenarios": [
        {
            "id": "SC-CONSULTER",
            "theme": "Dossier",
            "object": "consulter un dossier",
            "actor_category": "Employé",
            "steps": [{"text": "ouvrir le dossier", "permissions": ["P-LIRE"]}],
        },
        {
            "id": "SC-MAJ",
            "theme": "Dossier",
            "object": "mettre à jour un dossier",
            "actor_category": "Professionnel RH",
            "constraints": ["C-UO"],
            "steps": [{"text": "traiter le dossier", "permissions": ["P-TRAITER"]}],
            "sequences": [
                {
                    "id": "SEQ2",
                    "expected": "denied",
                    "reason": "hors de son unité",
                    "constraint": "C-UO",
                    "steps": [{"text": "ouvrir un dossier d'une autre unité", "permissions": ["P-LIRE"]}],
                }
            ],
        },
        {
            "id": "SC-VALIDER",
            "theme": "Dossier",
            "object": "valider une mise à jour",
            "actor_category": "Manager",
            "steps": [{"text": "valider", "permissions": ["P-VALIDER"]}],
        },
    ],
    "tasks": [
        {"id": "T-CONSULTER", "label": "Consulter", "scenarios": ["SC-CONSULTER"]},
        {"id": "T-GERER", "label": "Gérer", "scenarios": ["SC-MAJ"]},
        {"id": "T-VALIDER", "label": "Valider", "scenarios": ["SC-VALIDER"]},
    ],
    "profiles": [
        {"id": "lecteur", "label": "Lecteur", "tasks": ["T-CONSULTER"]},
        {"id": "gestionnaire", "label": "Gestionnaire", "tasks": ["T-GERER"]},
        {"id": "responsable", "label": "Responsable", "tasks": ["T-VALIDER"], "includes": ["gestionnaire"]},
    ],
    "assignment_rules": [
        {
            "id": "R-GEST",
            "when": {"emploi": "gestionnaire_rh"},
            "role": "gestionnaire",
            "scope_attribute": "unite",
        }
    ],
}


@pytest.fixture
def document() -> dict[str, Any]:
    """A fresh copy of a small valid model document (three profiles, one abstract permission)."""
    return copy.deepcopy(_MINIMAL)
