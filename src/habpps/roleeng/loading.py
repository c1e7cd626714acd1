"""Load a role-engineering model from its YAML document, all-or-nothing.

Loading runs in three passes and stops at the first that finds an error: the YAML syntax, the structure (JSON
Schema, :mod:`habpps.roleeng.schema_check`), then identifiers, references and cycles
(:mod:`habpps.roleeng.references`). Every problem of a pass is reported with its path and, for YAML text, its
line; on any error :class:`~habpps.roleeng.problems.ModelInvalid` is raised and no model exists — so nothing can
be derived from it or imported into the engine.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from habpps.roleeng.model import (
    AssignmentRule,
    Axis,
    CatalogueEntry,
    Constraint,
    ConstraintKind,
    Expectation,
    GeneralisedSource,
    Instance,
    Rationalisation,
    RationalisationKind,
    RoleModel,
    Scenario,
    Sequence,
    Step,
    Task,
    WorkProfile,
)
from habpps.roleeng.problems import Location, ModelInvalid, Problem, Severity, line_at
from habpps.roleeng.references import reference_problems
from habpps.roleeng.schema_check import schema_problems

#: libyaml's loader when PyYAML was built with it: the pure-Python one takes seconds on a model of a few hundred
#: mined roles (a page waiting on it times out), libyaml a few tens of milliseconds, same documents.
_Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_model(path: str | Path) -> tuple[RoleModel, list[Problem]]:
    """Load the model in a YAML file; return it with its warnings, or raise ``ModelInvalid``."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise ModelInvalid(
            [Problem((), "fichier_illisible", f"lecture impossible de « {path} » : {error}")]
        ) from None
    return parse_model(text)


def parse_model(text: str) -> tuple[RoleModel, list[Problem]]:
    """Parse a model from YAML (or JSON) text; return it with its warnings, or raise ``ModelInvalid``."""
    try:
        root, document = _compose_and_construct(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(error, "problem", None) or str(error)
        raise ModelInvalid([Problem((), "yaml_invalide", f"YAML illisible : {problem}", line=line)]) from None
    return model_from_document(document, _line_numbers(root) if root is not None else {})


def _compose_and_construct(text: str) -> tuple[yaml.Node | None, object]:
    """The document's node tree (for line numbers) and its data, from one parse."""
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        return root, (loader.construct_document(root) if root is not None else None)
    finally:
        loader.dispose()


def model_from_document(
    document: object, lines: Mapping[Location, int] | None = None
) -> tuple[RoleModel, list[Problem]]:
    """Check a parsed document and build its model; return it with its warnings, or raise ``ModelInvalid``."""
    problems = schema_problems(document, lines)
    if not problems:
        assert isinstance(document, Mapping)  # guaranteed by the schema
        problems = [
            Problem(p.location, p.code, p.message, p.severity, line_at(p.location, lines))
            for p in reference_problems(document)
        ]
    if any(problem.severity is Severity.ERROR for problem in problems):
        raise ModelInvalid(problems)
    assert isinstance(document, Mapping)
    return _build(document), problems


def _line_numbers(root: yaml.Node) -> dict[Location, int]:
    """Map every location of a composed YAML document to its 1-based line."""
    lines: dict[Location, int] = {}

    def walk(node: yaml.Node, location: Location) -> None:
        lines[location] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                walk(value, (*location, key.value))
                lines[(*location, key.value)] = key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                walk(item, (*location, index))

    walk(root, ())
    return lines


def _build(document: Mapping[str, Any]) -> RoleModel:
    return RoleModel(
        name=document["name"],
        version=str(document.get("version", "1")),
        description=document.get("description", ""),
        permissions=tuple(_entry(item) for item in document["permissions"]),
        constraints=tuple(_constraint(item) for item in document.get("constraints", ())),
        scenarios=tuple(_scenario(item) for item in document["scenarios"]),
        tasks=tuple(
            Task(
                item["id"],
                item["label"],
                tuple(item["scenarios"]),
                item.get("parallel", False),
                {scenario: tuple(values) for scenario, values in item.get("instances", {}).items()},
            )
            for item in document["tasks"]
        ),
        profiles=tuple(
            WorkProfile(
                id=item["id"],
                label=item["label"],
                tasks=tuple(item.get("tasks", ())),
                includes=tuple(item.get("includes", ())),
                role=item.get("role"),
                domain=item.get("domain"),
            )
            for item in document["profiles"]
        ),
        assignment_rules=tuple(_rule(item) for item in document.get("assignment_rules", ())),
        rationalisations=tuple(_rationalisation(item) for item in document.get("rationalisations", ())),
    )


def _entry(item: Mapping[str, Any]) -> CatalogueEntry:
    return CatalogueEntry(
        id=item["id"],
        label=item.get("label", ""),
        operation=item.get("operation"),
        object=item.get("object"),
        axis=Axis(item["axis"]) if "axis" in item else None,
        composed_of=tuple(item.get("composed_of", ())),
        constraints=tuple(item.get("constraints", ())),
    )


def _constraint(item: Mapping[str, Any]) -> Constraint:
    return Constraint(
        id=item["id"],
        label=item["label"],
        kind=ConstraintKind(item["kind"]),
        defined_by=item.get("defined_by", ""),
        description=item.get("description", ""),
    )


def _steps(items: Any) -> tuple[Step, ...]:
    return tuple(Step(step["text"], tuple(step.get("permissions", ()))) for step in items)


def _sequences(items: Any) -> tuple[Sequence, ...]:
    return tuple(
        Sequence(
            id=sequence["id"],
            steps=_steps(sequence["steps"]),
            expected=Expectation(sequence.get("expected", "granted")),
            reason=sequence.get("reason", ""),
            constraint=sequence.get("constraint"),
        )
        for sequence in items
    )


def _rationalisation(item: Mapping[str, Any]) -> Rationalisation:
    step = item.get("step")
    return Rationalisation(
        id=item["id"],
        kind=RationalisationKind(item["kind"]),
        scenario=item["scenario"],
        reason=item.get("reason", ""),
        position=item.get("position"),
        step=Step(step["text"], tuple(step.get("permissions", ()))) if step else None,
        into=tuple(item.get("into", ())),
        parameter=item.get("parameter", ""),
        sources=tuple(
            GeneralisedSource(source["scenario"], source.get("object", ""), source["value"])
            for source in item.get("sources", ())
        ),
    )


def _scenario(item: Mapping[str, Any]) -> Scenario:
    return Scenario(
        id=item["id"],
        theme=item["theme"],
        object=item["object"],
        actor_category=item["actor_category"],
        actor=item.get("actor", ""),
        place=item.get("place", ""),
        functional_action=item.get("functional_action", ""),
        constraints=tuple(item.get("constraints", ())),
        ergonomics=item.get("ergonomics", ""),
        confidentiality=item.get("confidentiality", ""),
        steps=_steps(item.get("steps", ())),
        sequences=_sequences(item.get("sequences", ())),
        refines=item.get("refines"),
        parameter=item.get("parameter", ""),
        instances=tuple(
            Instance(
                value=instance["value"],
                steps=_steps(instance.get("steps", ())),
                sequences=_sequences(instance.get("sequences", ())),
                generalises=instance.get("generalises"),
            )
            for instance in item.get("instances", ())
        ),
    )


def _rule(item: Mapping[str, Any]) -> AssignmentRule:
    conditions = {
        attribute: tuple(value) if isinstance(value, list) else (value,)
        for attribute, value in item["when"].items()
    }
    return AssignmentRule(
        id=item["id"],
        conditions=conditions,
        role=item["role"],
        scope_attribute=item.get("scope_attribute"),
        label=item.get("label", ""),
    )
