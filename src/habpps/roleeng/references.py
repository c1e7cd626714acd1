"""Consistency checks of a structurally valid model document: identifiers, references, cycles, unused elements.

These are the checks a JSON Schema cannot express: a step naming a permission the catalogue lacks, a task naming
an unknown scenario, a cycle between profiles, the same ``(operation, object)`` pair catalogued twice (thesis
5.3.2: "chaque permission n'est enregistrée qu'une seule fois"), an assignment rule giving a role no profile
derives. Elements nobody uses are warnings: the analyst cleans them in 5.3.7, they do not block.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from habpps.roleeng.problems import Location, Problem, Severity

Document = Mapping[str, Any]

_SECTION_NOUNS = {
    "permissions": "la permission",
    "constraints": "la contrainte",
    "scenarios": "le scénario",
    "tasks": "la tâche",
    "profiles": "le profil",
    "assignment_rules": "la règle",
    "rationalisations": "la rationalisation",
}

_UNKNOWN_CODES = {
    "permissions": "permission_inconnue",
    "constraints": "contrainte_inconnue",
    "scenarios": "scenario_inconnu",
    "tasks": "tache_inconnue",
    "profiles": "profil_inconnu",
}


class _Checker:
    """Collects the problems of one document; indexes identifiers first so that references can be resolved."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.problems: list[Problem] = []
        self.ids = {section: self._index(section) for section in _SECTION_NOUNS}

    def error(self, location: Location, code: str, message: str) -> None:
        self.problems.append(Problem(location, code, message))

    def warning(self, location: Location, code: str, message: str) -> None:
        self.problems.append(Problem(location, code, message, severity=Severity.WARNING))

    def items(self, section: str) -> list[tuple[int, dict[str, Any]]]:
        return list(enumerate(self.document.get(section) or []))

    def _index(self, section: str) -> dict[str, int]:
        index: dict[str, int] = {}
        for position, item in self.items(section):
            if item["id"] in index:
                self.error(
                    (section, position, "id"),
                    "identifiant_en_double",
                    f"l'identifiant « {item['id']} » est déjà utilisé par {_SECTION_NOUNS[section]} "
                    f"{section}[{index[item['id']]}]",
                )
            else:
                index[item["id"]] = position
        return index

    def references(self, location: Location, names: Iterable[str], section: str, what: str) -> None:
        for position, name in enumerate(names):
            self.reference((*location, position), name, section, what)

    def reference(self, location: Location, name: str, section: str, what: str) -> None:
        if name not in self.ids[section]:
            self.error(
                location, _UNKNOWN_CODES[section], f"{what} « {name} » n'existe pas dans « {section} »"
            )


def reference_problems(document: Document) -> list[Problem]:
    """Every consistency problem of a document that already satisfies the schema."""
    checker = _Checker(document)
    _check_permissions(checker)
    _check_scenarios(checker)
    _check_tasks_and_profiles(checker)
    _check_assignment_rules(checker)
    _check_rationalisations(checker)
    _check_unused(checker)
    return checker.problems


def _check_permissions(checker: _Checker) -> None:
    pairs: dict[tuple[str, str], str] = {}
    for position, entry in checker.items("permissions"):
        where: Location = ("permissions", position)
        if "operation" in entry:
            pair = (entry["operation"], entry["object"])
            if pair in pairs and pairs[pair] != entry["id"]:
                checker.error(
                    where,
                    "permission_en_double",
                    f"la paire (« {pair[0]} », « {pair[1]} ») est déjà cataloguée sous « {pairs[pair]} » : "
                    "chaque permission n'est enregistrée qu'une seule fois",
                )
            pairs.setdefault(pair, entry["id"])
        checker.references(
            (*where, "composed_of"), entry.get("composed_of", ()), "permissions", "la permission"
        )
        checker.references(
            (*where, "constraints"), entry.get("constraints", ()), "constraints", "la contrainte"
        )
    _report_cycles(
        checker,
        "permissions",
        lambda entry: entry.get("composed_of", ()),
        "composition_cyclique",
        "la permission abstraite « {id} » se compose d'elle-même : {cycle}",
    )


def _check_scenarios(checker: _Checker) -> None:
    for position, scenario in checker.items("scenarios"):
        where: Location = ("scenarios", position)
        checker.references(
            (*where, "constraints"), scenario.get("constraints", ()), "constraints", "la contrainte"
        )
        sequence_ids: set[str] = set()
        _check_course(checker, where, scenario, scenario["id"], sequence_ids)
        values: set[str] = set()
        for instance_position, instance in enumerate(scenario.get("instances", ())):
            instance_where: Location = (*where, "instances", instance_position)
            if instance["value"] in values:
                checker.error(
                    (*instance_where, "value"),
                    "valeur_en_double",
                    f"la valeur « {instance['value']} » du paramètre est déjà une instance du scénario "
                    f"« {scenario['id']} »",
                )
            values.add(instance["value"])
            _check_course(checker, instance_where, instance, scenario["id"], sequence_ids)
        if "refines" in scenario:
            checker.reference((*where, "refines"), scenario["refines"], "scenarios", "le scénario")
    _report_cycles(
        checker,
        "scenarios",
        lambda scenario: [scenario["refines"]] if "refines" in scenario else [],
        "raffinement_cyclique",
        "le scénario « {id} » se concrétise lui-même : {cycle}",
    )


def _check_course(
    checker: _Checker, where: Location, course: Mapping[str, Any], scenario_id: str, sequence_ids: set[str]
) -> None:
    """The steps and sequences of a scenario or of one instance of a generic scenario."""
    for step_position, step in enumerate(course.get("steps", ())):
        checker.references(
            (*where, "steps", step_position, "permissions"),
            step.get("permissions", ()),
            "permissions",
            "la permission",
        )
    for sequence_position, sequence in enumerate(course.get("sequences", ())):
        sequence_where: Location = (*where, "sequences", sequence_position)
        if sequence["id"] in sequence_ids:
            checker.error(
                (*sequence_where, "id"),
                "identifiant_en_double",
                f"la séquence « {sequence['id']} » est déjà définie dans le scénario « {scenario_id} »",
            )
        sequence_ids.add(sequence["id"])
        if "constraint" in sequence:
            checker.reference(
                (*sequence_where, "constraint"), sequence["constraint"], "constraints", "la contrainte"
            )
        for step_position, step in enumerate(sequence["steps"]):
            checker.references(
                (*sequence_where, "steps", step_position, "permissions"),
                step.get("permissions", ()),
                "permissions",
                "la permission",
            )


def _instance_values(checker: _Checker) -> dict[str, set[str]]:
    """The parameter values of each generic scenario."""
    return {
        scenario["id"]: {instance["value"] for instance in scenario["instances"]}
        for _, scenario in checker.items("scenarios")
        if "instances" in scenario
    }


def _check_tasks_and_profiles(checker: _Checker) -> None:
    generic = _instance_values(checker)
    for position, task in checker.items("tasks"):
        checker.references(("tasks", position, "scenarios"), task["scenarios"], "scenarios", "le scénario")
        for scenario_id, values in task.get("instances", {}).items():
            where: Location = ("tasks", position, "instances", scenario_id)
            if scenario_id not in task["scenarios"]:
                checker.error(
                    where,
                    "instance_hors_tache",
                    f"le scénario « {scenario_id} » n'est pas un scénario de la tâche « {task['id']} »",
                )
            elif scenario_id in checker.ids["scenarios"] and scenario_id not in generic:
                checker.error(
                    where,
                    "scenario_non_generique",
                    f"le scénario « {scenario_id} » n'a pas de paramètre d'instanciation",
                )
            elif scenario_id in generic:
                for value_position, value in enumerate(values):
                    if value not in generic[scenario_id]:
                        checker.error(
                            (*where, value_position),
                            "instance_inconnue",
                            f"« {value} » n'est pas une valeur du paramètre du scénario « {scenario_id} »",
                        )
    roles: dict[str, str] = {}
    for position, profile in checker.items("profiles"):
        where: Location = ("profiles", position)
        checker.references((*where, "tasks"), profile.get("tasks", ()), "tasks", "la tâche")
        checker.references((*where, "includes"), profile.get("includes", ()), "profiles", "le profil")
        role = profile.get("role", profile["id"])
        if role in roles and roles[role] != profile["id"]:
            checker.error(
                (*where, "role" if "role" in profile else "id"),
                "role_en_double",
                f"le rôle « {role} » est déjà dérivé du profil « {roles[role]} » : un rôle par profil de travail",
            )
        roles.setdefault(role, profile["id"])
    _report_cycles(
        checker,
        "profiles",
        lambda profile: profile.get("includes", ()),
        "cycle_entre_profils",
        "cycle entre profils : {cycle}",
    )


def _check_assignment_rules(checker: _Checker) -> None:
    roles = {profile.get("role", profile["id"]) for _, profile in checker.items("profiles")}
    for position, rule in checker.items("assignment_rules"):
        if rule["role"] not in roles:
            checker.error(
                ("assignment_rules", position, "role"),
                "role_inconnu",
                f"le rôle « {rule['role']} » n'est dérivé d'aucun profil de travail",
            )


def _check_rationalisations(checker: _Checker) -> None:
    """The trace is history: an element it names that an edit later removed is a warning, never a blocker."""
    generic = _instance_values(checker)
    merged = {
        source["scenario"]
        for _, item in checker.items("rationalisations")
        for source in item.get("sources", ())
    }
    for position, item in checker.items("rationalisations"):
        where: Location = ("rationalisations", position, "scenario")
        scenario_id = item["scenario"]
        if scenario_id not in checker.ids["scenarios"] and scenario_id not in merged:
            checker.warning(
                where,
                "trace_sans_scenario",
                f"le scénario « {scenario_id} » de la rationalisation « {item['id']} » n'existe plus",
            )
        elif item["kind"] == "generalisation":
            missing = [
                s["value"] for s in item.get("sources", ()) if s["value"] not in generic.get(scenario_id, ())
            ]
            if missing:
                checker.warning(
                    where,
                    "trace_sans_instance",
                    f"le scénario générique « {scenario_id} » n'a plus l'instance "
                    f"{', '.join(f'« {v} »' for v in missing)}",
                )


def _courses(scenario: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [scenario, *scenario.get("instances", ())]


def _check_unused(checker: _Checker) -> None:
    used_permissions: set[str] = set()
    used_constraints: set[str] = set()
    for _, entry in checker.items("permissions"):
        used_permissions.update(entry.get("composed_of", ()))
        used_constraints.update(entry.get("constraints", ()))
    for _, scenario in checker.items("scenarios"):
        used_constraints.update(scenario.get("constraints", ()))
        for course in _courses(scenario):
            for step in course.get("steps", ()):
                used_permissions.update(step.get("permissions", ()))
            for sequence in course.get("sequences", ()):
                used_constraints.update([sequence["constraint"]] if "constraint" in sequence else [])
                for step in sequence["steps"]:
                    used_permissions.update(step.get("permissions", ()))
    used_scenarios = {s for _, task in checker.items("tasks") for s in task["scenarios"]}
    used_tasks = {t for _, profile in checker.items("profiles") for t in profile.get("tasks", ())}
    unused = [
        (
            "permissions",
            used_permissions,
            "permission_inutilisee",
            "aucun scénario n'utilise la permission « {} »",
        ),
        (
            "constraints",
            used_constraints,
            "contrainte_inutilisee",
            "aucun élément n'utilise la contrainte « {} »",
        ),
        (
            "scenarios",
            used_scenarios,
            "scenario_hors_tache",
            "le scénario « {} » n'appartient à aucune tâche",
        ),
        ("tasks", used_tasks, "tache_hors_profil", "la tâche « {} » n'appartient à aucun profil de travail"),
    ]
    for section, used, code, message in unused:
        for position, item in checker.items(section):
            if item["id"] not in used:
                checker.warning((section, position), code, message.format(item["id"]))


def _report_cycles(
    checker: _Checker,
    section: str,
    successors: Callable[[dict[str, Any]], Iterable[str]],
    code: str,
    message: str,
) -> None:
    """Report each cycle of a reference graph once, at the first element of the cycle in the document."""
    items = {item["id"]: (position, item) for position, item in checker.items(section)}
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    reported: set[frozenset[str]] = set()

    def visit(name: str, path: list[str]) -> None:
        state[name] = 1
        path.append(name)
        for successor in successors(items[name][1]):
            if successor not in items:
                continue  # an unknown reference, reported elsewhere
            if state.get(successor) == 1:
                cycle = path[path.index(successor) :]
                if frozenset(cycle) not in reported:
                    reported.add(frozenset(cycle))
                    first = min(cycle, key=lambda n: items[n][0])
                    turn = cycle[cycle.index(first) :] + cycle[: cycle.index(first)] + [first]
                    checker.error(
                        (section, items[first][0]), code, message.format(id=first, cycle=" → ".join(turn))
                    )
            elif successor not in state:
                visit(successor, path)
        path.pop()
        state[name] = 2

    for name in items:
        if name not in state:
            visit(name, [])
