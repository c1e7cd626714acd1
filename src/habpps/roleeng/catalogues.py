"""The catalogues of role engineering, as the analyst reviews them (thesis 5.2.6, 5.3.2-5.3.3, SPEC RE-2).

The permission catalogue lists each permission once with every scenario that needs it; the constraint catalogue
each constraint with its origin and what it constrains; the permission table is Tableau 11 of the thesis, one row
per (scenario, permission), an export view for the domain experts.
"""

from __future__ import annotations

from dataclasses import dataclass

from habpps.roleeng.model import CatalogueEntry, Constraint, Expectation, RoleModel


@dataclass(frozen=True)
class PermissionRecord:
    """A catalogued permission and the scenarios « nécessaire pour exécuter » links point to."""

    entry: CatalogueEntry
    scenarios: tuple[str, ...]
    elementary: tuple[str, ...]  # the entry itself when elementary, its components when abstract
    part_of: tuple[str, ...]  # abstract entries this one is a component of


@dataclass(frozen=True)
class ConstraintRecord:
    """A catalogued constraint with its origin (« défini par ») and the elements it applies to."""

    constraint: Constraint
    permissions: tuple[str, ...]
    scenarios: tuple[str, ...]
    denials: tuple[
        tuple[str, str], ...
    ]  # (scenario, sequence) whose expected denial this constraint enforces


@dataclass(frozen=True)
class PermissionTableRow:
    """One row of Tableau 11: what a scenario needs, from whom, on which data, in which access mode."""

    scenario: str
    actor_category: str
    data_structure: str
    functional_action: str
    permission: str
    operation: str
    object: str
    constraints: tuple[str, ...]


def permission_catalogue(model: RoleModel) -> list[PermissionRecord]:
    """Each permission once, in catalogue order, with the scenarios needing it directly or as a component."""
    needing: dict[str, list[str]] = {entry.id: [] for entry in model.permissions}
    for scenario in model.scenarios:
        for entry_id in sorted(frozenset().union(*map(model.entry_closure, scenario.needed_entries()))):
            needing[entry_id].append(scenario.id)
    part_of: dict[str, list[str]] = {entry.id: [] for entry in model.permissions}
    for entry in model.permissions:
        for component in entry.composed_of:
            part_of[component].append(entry.id)
    return [
        PermissionRecord(
            entry=entry,
            scenarios=tuple(needing[entry.id]),
            elementary=tuple(sorted(model.elementary_entries(entry.id))),
            part_of=tuple(part_of[entry.id]),
        )
        for entry in model.permissions
    ]


def constraint_catalogue(model: RoleModel) -> list[ConstraintRecord]:
    """Each constraint with the permissions and scenarios it constrains and the denials it enforces."""
    records = []
    for constraint in model.constraints:
        records.append(
            ConstraintRecord(
                constraint=constraint,
                permissions=tuple(e.id for e in model.permissions if constraint.id in e.constraints),
                scenarios=tuple(s.id for s in model.scenarios if constraint.id in s.constraints),
                denials=tuple(
                    (scenario.id, sequence.id)
                    for scenario in model.scenarios
                    for sequence in scenario.sequences
                    if sequence.expected is Expectation.DENIED and sequence.constraint == constraint.id
                ),
            )
        )
    return records


def permission_table(model: RoleModel) -> list[PermissionTableRow]:
    """Tableau 11 of the thesis: one row per elementary permission a scenario needs."""
    rows = []
    for scenario in model.scenarios:
        for entry_id in sorted(model.scenario_entries(scenario.id)):
            entry = model.entry(entry_id)
            operation, obj = model.pair(entry_id)
            rows.append(
                PermissionTableRow(
                    scenario=scenario.id,
                    actor_category=scenario.actor_category,
                    data_structure=scenario.object,
                    functional_action=scenario.functional_action,
                    permission=entry.id,
                    operation=operation,
                    object=obj,
                    constraints=tuple(dict.fromkeys((*scenario.constraints, *entry.constraints))),
                )
            )
    return rows
