"""Structural validation of a model document against its JSON Schema, with every error told in French.

The schema is published at ``docs/role-model.schema.json`` (a copy of the one packaged here, kept identical by a
test). jsonschema's own messages are English and technical; each error is rewritten for the analyst and placed
on the field concerned (a missing field is reported at the field, not at the object that lacks it).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator, ValidationError

from habpps.roleeng.problems import Location, Problem, line_at

_TYPE_NAMES = {
    "string": "un texte",
    "integer": "un entier",
    "number": "un nombre",
    "boolean": "un booléen (true ou false)",
    "array": "une liste",
    "object": "un dictionnaire (clé : valeur)",
    "null": "une valeur vide",
}

#: Specific messages where the generic one would not say what the analyst got wrong.
_CONTEXT_MESSAGES = {
    ("tasks", "scenarios", "minItems"): (
        "tache_sans_scenario",
        "une tâche doit comporter au moins un scénario",
    ),
    ("scenarios", "minItems"): ("aucun_scenario", "le modèle doit décrire au moins un scénario"),
    ("tasks", "minItems"): ("aucune_tache", "le modèle doit définir au moins une tâche"),
    ("profiles", "minItems"): ("aucun_profil", "le modèle doit définir au moins un profil de travail"),
    ("permissions", "oneOf"): (
        "permission_mal_formee",
        "une permission est soit élémentaire (« operation » et « object »), soit abstraite (« composed_of »), "
        "jamais les deux ni aucun des deux",
    ),
    ("profiles", "anyOf"): (
        "profil_vide",
        "un profil de travail doit comporter des tâches (« tasks ») ou inclure d'autres profils (« includes »)",
    ),
    ("sequences", "steps", "minItems"): ("sequence_vide", "une séquence doit comporter au moins une étape"),
}


@cache
def role_model_schema() -> dict[str, Any]:
    """The JSON Schema of a role-engineering model document."""
    text = resources.files("habpps.roleeng").joinpath("role-model.schema.json").read_text(encoding="utf-8")
    return json.loads(text)


def schema_problems(document: object, lines: Mapping[Location, int] | None = None) -> list[Problem]:
    """Every structural error of ``document``, in document order."""
    validator = Draft202012Validator(role_model_schema())
    problems = []
    for error in validator.iter_errors(document):
        location, code, message = _describe(error)
        problems.append(Problem(location, code, message, line=line_at(location, lines)))
    return sorted(problems, key=lambda p: (p.line or 0, p.path))


def _describe(error: ValidationError) -> tuple[Location, str, str]:
    location: Location = tuple(error.absolute_path)
    keys = tuple(part for part in location if isinstance(part, str))
    for suffix_length in (2, 1):
        specific = _CONTEXT_MESSAGES.get((*keys[-suffix_length:], error.validator))
        if specific and len(keys) >= suffix_length:
            return location, *specific
    value = error.instance
    match error.validator:
        case "required":
            missing = next(name for name in error.validator_value if name not in value)
            return (*location, missing), "champ_obligatoire", f"le champ « {missing} » est obligatoire"
        case "additionalProperties":
            allowed = error.schema.get("properties", {})
            unknown = sorted(name for name in value if name not in allowed)
            suffix = f" ; champs admis : {', '.join(sorted(allowed))}" if allowed else ""
            return (
                (*location, unknown[0]),
                "champ_inconnu",
                f"champ inconnu « {', '.join(unknown)} »{suffix}",
            )
        case "type":
            expected = (
                error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
            )
            names = " ou ".join(_TYPE_NAMES.get(t, t) for t in expected)
            return location, "type_incorrect", f"la valeur doit être {names}"
        case "enum":
            allowed = ", ".join(f"« {v} »" for v in error.validator_value)
            return location, "valeur_inconnue", f"valeur « {value} » inconnue ; valeurs admises : {allowed}"
        case "minLength":
            return location, "valeur_vide", "la valeur ne peut pas être vide"
        case "maxLength":
            return location, "valeur_trop_longue", f"au plus {error.validator_value} caractères"
        case "pattern":
            return (
                location,
                "identifiant_invalide",
                f"identifiant « {value} » invalide : lettres, chiffres et « _ . : - », sans espace",
            )
        case "dependentRequired":
            present, missing = next(
                (key, name)
                for key, needed in error.validator_value.items()
                if key in value
                for name in needed
                if name not in value
            )
            return (
                (*location, missing),
                "champ_obligatoire",
                f"le champ « {missing} » est obligatoire avec « {present} »",
            )
        case "minimum":
            return location, "valeur_trop_petite", f"au moins {error.validator_value} attendu"
        case "minItems":
            return location, "liste_trop_courte", f"au moins {error.validator_value} élément(s) attendu(s)"
        case "minProperties":
            return location, "dictionnaire_vide", "au moins une entrée attendue"
        case "uniqueItems":
            return location, "doublon", "la liste contient un doublon"
        case "anyOf" | "oneOf":
            return location, "forme_incorrecte", "la valeur n'a aucune des formes admises"
    return location, "valeur_invalide", f"valeur invalide ({error.validator})"
