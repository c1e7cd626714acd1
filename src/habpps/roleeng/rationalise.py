"""Rationalisation of the scenario model (thesis 5.3.4, SPEC RE-2b): decomposition and generalisation, traced.

« Décomposition : chaque étape de chaque scénario est revue. Si elle ne semble pas assez détaillée pour être
implémentée, il faut la réécrire en scénario plus fin. Généralisation : les scénarios sont relus pour voir si des
similarités existent entre eux. Ces scénarios similaires sont réécrits dans des scénarios plus génériques. En
général, les scénarios qui peuvent être regroupés sont les cas où les permissions peuvent être instanciées. Il
faut donc trouver le bon paramètre d'instanciation. »

Both rewritings work on the model *document* (the parsed YAML), because the document is what the analyst keeps,
versions and exports; each returns a new document whose ``rationalisations`` list ends with the trace of what
was rewritten into what, so the pages, the exported document and the model diff can show it.

- :func:`decompose_step` replaces one step of a scenario by finer steps, each naming its own permissions. The
  trace keeps the original step (text and permissions) and the texts of its finer steps.
- :func:`generalise` merges similar scenarios into one generic scenario with an instantiation parameter. Each
  source becomes one *instance* (one value of the parameter) keeping its own steps and sequences, and every
  task that ran a source now runs the generic scenario restricted to that source's value — so no profile gains
  or loses a permission through a generalisation, which a property test checks on random models.
- :func:`similar_scenarios` proposes groups worth generalising: scenarios of one theme whose steps do the same
  operations, on different objects (the case where « les permissions peuvent être instanciées »).

Every refusal is a :class:`RationalisationError` with a stable code, the field at fault and a French message.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from habpps.roleeng.model import RationalisationKind, RoleModel

IDENTIFIER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")
MAX_PARTS = 50


class RationalisationError(ValueError):
    """A rewriting refused before anything changed: ``code`` is stable, ``field`` names the input at fault."""

    def __init__(self, code: str, message: str, field: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


@dataclass(frozen=True)
class FinerStep:
    """One of the finer steps a coarse step is rewritten into."""

    text: str
    permissions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Similarity:
    """A group of scenarios proposed for generalisation, with suggested values of the parameter."""

    scenarios: tuple[str, ...]
    operations: tuple[str, ...]
    values: Mapping[str, str]

    @property
    def reason(self) -> str:
        ops = ", ".join(f"« {op} »" for op in self.operations)
        return f"même thème et mêmes opérations ({ops}) étape par étape, sur des objets différents"


def next_trace_id(document: Mapping[str, Any]) -> str:
    """The first free identifier ``RAT-<n>``."""
    used = {item["id"] for item in document.get("rationalisations", ())}
    number = len(used) + 1
    while f"RAT-{number}" in used:
        number += 1
    return f"RAT-{number}"


def decompose_step(
    document: Mapping[str, Any],
    scenario_id: str,
    position: int,
    parts: Sequence[FinerStep],
    *,
    reason: str = "",
    trace_id: str | None = None,
) -> dict[str, Any]:
    """Replace step ``position`` (1-based) of a scenario by the finer ``parts``; the trace keeps the original."""
    result = copy.deepcopy(dict(document))
    scenario = _scenario(result, scenario_id, "scenario")
    steps = scenario.get("steps", [])
    if not 1 <= position <= len(steps):
        raise RationalisationError(
            "etape_inconnue",
            f"Le scénario « {scenario_id} » n'a pas d'étape n° {position} (il en a {len(steps)}).",
            "position",
        )
    if len(parts) < 2:
        raise RationalisationError(
            "decomposition_trop_courte",
            "Une étape se décompose en au moins deux étapes plus fines.",
            "parts",
        )
    if len(parts) > MAX_PARTS:
        raise RationalisationError(
            "decomposition_trop_longue", f"Au plus {MAX_PARTS} étapes plus fines.", "parts"
        )
    catalogue = {entry["id"] for entry in result.get("permissions", ())}
    finer = []
    for number, part in enumerate(parts, start=1):
        text = part.text.strip()
        if not text:
            raise RationalisationError(
                "etape_vide", f"L'étape plus fine n° {number} n'a pas de texte.", "parts"
            )
        unknown = [p for p in part.permissions if p not in catalogue]
        if unknown:
            raise RationalisationError(
                "permission_inconnue",
                f"L'étape plus fine n° {number} nomme une permission absente du catalogue : "
                f"{', '.join(f'« {p} »' for p in unknown)}.",
                "parts",
            )
        step: dict[str, Any] = {"text": text}
        if part.permissions:
            step["permissions"] = list(dict.fromkeys(part.permissions))
        finer.append(step)
    original = steps[position - 1]
    scenario["steps"] = [*steps[: position - 1], *finer, *steps[position:]]
    trace: dict[str, Any] = {
        "id": trace_id or next_trace_id(result),
        "kind": RationalisationKind.DECOMPOSITION.value,
        "scenario": scenario_id,
        "position": position,
        "step": copy.deepcopy(original),
        "into": [step["text"] for step in finer],
    }
    if reason.strip():
        trace["reason"] = reason.strip()
    result.setdefault("rationalisations", []).append(trace)
    return result


def generalise(
    document: Mapping[str, Any],
    sources: Sequence[str],
    *,
    scenario_id: str,
    object: str,
    parameter: str,
    values: Mapping[str, str],
    reason: str = "",
    trace_id: str | None = None,
) -> dict[str, Any]:
    """Merge similar scenarios into one generic scenario whose ``parameter`` takes ``values[source]``.

    The generic scenario takes the place of the first source; each source becomes an instance keeping its steps
    and sequences; tasks that ran sources run the generic scenario for those sources' values; scenarios that
    refined a source refine the generic one. Nobody's permissions change.
    """
    result = copy.deepcopy(dict(document))
    sources = list(dict.fromkeys(sources))
    if len(sources) < 2:
        raise RationalisationError(
            "generalisation_trop_courte", "Choisissez au moins deux scénarios à généraliser.", "sources"
        )
    if not IDENTIFIER.match(scenario_id) or len(scenario_id) > 100:
        raise RationalisationError(
            "identifiant_invalide",
            f"Identifiant « {scenario_id} » invalide : lettres, chiffres et « _ . : - », sans espace.",
            "scenario_id",
        )
    if any(s["id"] == scenario_id for s in result["scenarios"]) and scenario_id not in sources:
        raise RationalisationError(
            "identifiant_en_double",
            f"L'identifiant « {scenario_id} » est déjà celui d'un autre scénario.",
            "scenario_id",
        )
    if not object.strip():
        raise RationalisationError(
            "objet_vide",
            "Décrivez l'objet du scénario générique (ex. « consulter le dossier "
            "d'un bénéficiaire de type X »).",
            "object",
        )
    if not parameter.strip():
        raise RationalisationError(
            "parametre_vide",
            "Nommez le paramètre d'instanciation (ex. « type de bénéficiaire »).",
            "parameter",
        )
    merged = [_scenario(result, source, "sources") for source in sources]
    for scenario in merged:
        if scenario.get("instances"):
            raise RationalisationError(
                "scenario_generique",
                f"Le scénario « {scenario['id']} » est déjà générique : il ne se généralise pas à nouveau.",
                "sources",
            )
    chosen = {source: (values.get(source) or "").strip() for source in sources}
    missing = [source for source, value in chosen.items() if not value]
    if missing:
        raise RationalisationError(
            "valeur_manquante",
            f"Donnez la valeur du paramètre pour le scénario {', '.join(f'« {s} »' for s in missing)}.",
            "values",
        )
    if len(set(chosen.values())) < len(chosen):
        raise RationalisationError(
            "valeur_en_double",
            "Chaque scénario généralisé prend une valeur différente du paramètre.",
            "values",
        )

    generic: dict[str, Any] = {
        "id": scenario_id,
        "theme": _common(merged, "theme") or merged[0]["theme"],
        "object": object.strip(),
        "actor_category": _common(merged, "actor_category")
        or " ; ".join(dict.fromkeys(s["actor_category"] for s in merged)),
    }
    for key in ("actor", "place", "functional_action", "ergonomics", "confidentiality", "refines"):
        value = _common(merged, key)
        if value:
            generic[key] = value
    constraints = list(dict.fromkeys(c for s in merged for c in s.get("constraints", ())))
    if constraints:
        generic["constraints"] = constraints
    generic["parameter"] = parameter.strip()
    used_sequences: set[str] = set()
    instances = []
    for scenario in merged:
        instance: dict[str, Any] = {"value": chosen[scenario["id"]], "generalises": scenario["id"]}
        if scenario.get("steps"):
            instance["steps"] = copy.deepcopy(scenario["steps"])
        sequences = []
        for sequence in scenario.get("sequences", ()):
            sequence = copy.deepcopy(sequence)
            if sequence["id"] in used_sequences:
                sequence["id"] = f"{scenario['id']}.{sequence['id']}"
            used_sequences.add(sequence["id"])
            sequences.append(sequence)
        if sequences:
            instance["sequences"] = sequences
        instances.append(instance)
    generic["instances"] = instances

    first = next(i for i, s in enumerate(result["scenarios"]) if s["id"] in sources)
    kept = [s for s in result["scenarios"] if s["id"] not in sources]
    kept.insert(first, generic)
    for scenario in kept:
        if scenario.get("refines") in sources and scenario is not generic:
            scenario["refines"] = scenario_id
    result["scenarios"] = kept

    for task in result["tasks"]:
        ran = [s for s in task["scenarios"] if s in sources]
        if not ran:
            continue
        order = []
        for name in task["scenarios"]:
            if name in sources:
                if scenario_id not in order:
                    order.append(scenario_id)
            else:
                order.append(name)
        task["scenarios"] = order
        task.setdefault("instances", {})[scenario_id] = [chosen[s] for s in ran]
        for source in sources:
            task["instances"].pop(source, None)

    trace: dict[str, Any] = {
        "id": trace_id or next_trace_id(result),
        "kind": RationalisationKind.GENERALISATION.value,
        "scenario": scenario_id,
        "parameter": parameter.strip(),
        "sources": [{"scenario": s["id"], "object": s["object"], "value": chosen[s["id"]]} for s in merged],
    }
    if reason.strip():
        trace["reason"] = reason.strip()
    result.setdefault("rationalisations", []).append(trace)
    return result


def similar_scenarios(model: RoleModel) -> list[Similarity]:
    """Groups of scenarios worth generalising: same theme, same operations step by step, other objects.

    Generic scenarios are left out (they are already the result of a generalisation); so are groups whose
    scenarios need exactly the same permissions — those are duplicates, not instances of one scenario.
    """
    groups: dict[tuple[str, tuple[tuple[str, ...], ...]], list[str]] = {}
    for scenario in model.scenarios:
        if scenario.is_generic or not scenario.steps:
            continue
        signature = tuple(
            tuple(
                sorted(
                    {model.pair(e)[0] for named in step.permissions for e in model.elementary_entries(named)}
                )
            )
            for step in scenario.steps
        )
        if not any(signature):
            continue
        groups.setdefault((scenario.theme, signature), []).append(scenario.id)
    proposals = []
    for (_, signature), members in groups.items():
        if len(members) < 2:
            continue
        if len({model.scenario_entries(m) for m in members}) < len(members):
            continue
        operations = tuple(sorted({op for step in signature for op in step}))
        proposals.append(
            Similarity(tuple(members), operations, suggested_values([model.scenario(m) for m in members]))
        )
    return proposals


def suggested_values(scenarios: Sequence[Any]) -> dict[str, str]:
    """What tells the scenarios apart: their objects without the words they share, else their actor category."""
    words = [s.object.split() for s in scenarios]
    prefix = 0
    while all(len(w) > prefix for w in words) and len({w[prefix] for w in words}) == 1:
        prefix += 1
    suffix = 0
    while all(len(w) > prefix + suffix for w in words) and len({w[-1 - suffix] for w in words}) == 1:
        suffix += 1
    values = {}
    for scenario, split in zip(scenarios, words, strict=True):
        middle = " ".join(split[prefix : len(split) - suffix])
        values[scenario.id] = middle if (prefix or suffix) and middle else scenario.actor_category
    if len(set(values.values())) < len(values):
        values = {s.id: s.id for s in scenarios}
    return values


def _scenario(document: Mapping[str, Any], scenario_id: str, field: str) -> dict[str, Any]:
    for scenario in document.get("scenarios", ()):
        if scenario["id"] == scenario_id:
            return scenario
    raise RationalisationError(
        "scenario_inconnu", f"Le scénario « {scenario_id} » n'existe pas dans ce modèle.", field
    )


def _common(scenarios: Sequence[Mapping[str, Any]], key: str) -> str:
    """The value every scenario has for ``key``, or ``""`` when they differ."""
    found = {scenario.get(key, "") for scenario in scenarios}
    return found.pop() if len(found) == 1 else ""
