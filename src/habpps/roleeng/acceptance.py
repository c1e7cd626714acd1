"""Scenario sequences as acceptance cases of the derived roles (thesis 5.3.1, SPEC RE-1).

Each sequence of a scenario states what access control must do for the roles whose profile runs the scenario:
a positive sequence must be granted, a negative one refused with its reason. Where a denial rests on a
catalogued constraint (« il ne doit voir que les agents de son UO »), the role legitimately holds the permission
and the refusal is the constraint's business at decision time: the case is reported as *relying on* that
constraint. Every other case is decided here, on the derived hierarchy, so a derivation that would give an
employee the HR management page fails its own scenarios.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from habpps.roleeng.derivation import RoleHierarchy
from habpps.roleeng.model import Expectation, Permission, RoleModel, Scenario, Sequence
from habpps.roleeng.traceability import Traceability


class Outcome(StrEnum):
    PASSED = "conforme"
    FAILED = "en_echec"
    BY_CONSTRAINT = "par_contrainte"


@dataclass(frozen=True)
class SequenceCheck:
    """One (role, sequence, permission) case and its outcome on the derived hierarchy."""

    role: str
    scenario: str
    sequence: str
    permission: Permission
    expected: Expectation
    outcome: Outcome
    constraint: str | None = None
    reason: str = ""

    def sentence(self) -> str:
        operation, obj = self.permission
        verdict = {
            Outcome.PASSED: "conforme",
            Outcome.FAILED: "EN ÉCHEC",
            Outcome.BY_CONSTRAINT: f"refus assuré par la contrainte « {self.constraint} »",
        }[self.outcome]
        attendu = "autorisé" if self.expected is Expectation.GRANTED else "refusé"
        return (
            f"{self.scenario}/{self.sequence} — rôle « {self.role} », ({operation}, {obj}) "
            f"{attendu} attendu : {verdict}"
        )


def check_sequences(model: RoleModel, hierarchy: RoleHierarchy[Permission]) -> list[SequenceCheck]:
    """Check every sequence of every scenario against each role whose profile runs the scenario."""
    trace = Traceability(model, hierarchy)
    checks = []
    for scenario, value, sequence in _sequences(model):
        # A sequence of one instance of a generic scenario binds only the roles whose task runs that instance.
        roles = sorted(
            {
                trace.role_of_profile(p)
                for t in trace.tasks_of_scenario(scenario.id)
                if value is None or _runs(model.task(t).values_of(scenario.id), value)
                for p in trace.profiles_of_task(t)
            }
        )
        entries = sorted(
            {e for step in sequence.steps for n in step.permissions for e in model.elementary_entries(n)}
        )
        for role in roles:
            held = hierarchy.permissions(role)
            for entry_id in entries:
                permission = model.pair(entry_id)
                if sequence.expected is Expectation.GRANTED:
                    outcome = Outcome.PASSED if permission in held else Outcome.FAILED
                elif sequence.constraint is not None:
                    outcome = Outcome.BY_CONSTRAINT
                else:
                    outcome = Outcome.FAILED if permission in held else Outcome.PASSED
                checks.append(
                    SequenceCheck(
                        role=role,
                        scenario=scenario.id,
                        sequence=sequence.id,
                        permission=permission,
                        expected=sequence.expected,
                        outcome=outcome,
                        constraint=sequence.constraint,
                        reason=sequence.reason,
                    )
                )
    return checks


def _runs(values: tuple[str, ...] | None, value: str) -> bool:
    return values is None or value in values


def _sequences(model: RoleModel) -> Iterator[tuple[Scenario, str | None, Sequence]]:
    """Every sequence with its scenario and, for one of a generic scenario's instances, the instance's value."""
    for scenario in model.scenarios:
        for sequence in scenario.sequences:
            yield scenario, None, sequence
        for instance in scenario.instances:
            for sequence in instance.sequences:
                yield scenario, instance.value, sequence
