"""The scenario model of role engineering (thesis 5.2.6 and 5.3.1-5.3.5, SPEC RE-1, RE-2, RE-7).

A :class:`RoleModel` is what an analyst writes: the permission and constraint catalogues, the usage scenarios
(the thesis's QQCOQP form: who, what, how, where…) whose steps name the permissions they need, the tasks that
group scenarios, the work profiles that group tasks, and the attribute-driven assignment rules. Everything is an
immutable value; references between elements are by identifier and have been checked when the model was loaded
(:mod:`habpps.roleeng.loading`), so the functions here may assume they resolve.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property

#: A permission as the engine sees it: the pair ``(operation, object)`` (ANSI INCITS 359, thesis 5.2.6).
Permission = tuple[str, str]


class Axis(StrEnum):
    """The three axes on which HR Access classifies permissions (thesis 5.3.2)."""

    PROCESSES = "processes"
    POPULATIONS = "populations"
    DATA = "data"


class ConstraintKind(StrEnum):
    """What a catalogued constraint restricts (thesis 5.3.3 first, then 5.3.7 for role constraints)."""

    SCOPE = "scope"  # « habilitation sur les structures »: which records or org units
    CONTEXT = "context"  # contextual constraint of ENG-5 (time, place, attribute…)
    SEPARATION = "separation"  # separation of duty between roles or permissions
    CARDINALITY = "cardinality"  # how many users or roles


class Expectation(StrEnum):
    """What a sequence of a scenario expects from access control: the negative ones become test cases."""

    GRANTED = "granted"
    DENIED = "denied"


@dataclass(frozen=True)
class CatalogueEntry:
    """One permission of the catalogue, recorded once with its unique identifier (thesis 5.3.2).

    An elementary entry is an ``(operation, object)`` pair; an abstract entry ("demander un n° de dossier") has
    no pair of its own and stands for the elementary entries it is composed of (Sandhu et al. 1996).
    """

    id: str
    label: str = ""
    operation: str | None = None
    object: str | None = None
    axis: Axis | None = None
    composed_of: tuple[str, ...] = ()
    constraints: tuple[str, ...] = ()

    @property
    def is_abstract(self) -> bool:
        return bool(self.composed_of)

    @property
    def permission(self) -> Permission | None:
        """The engine pair of an elementary entry, ``None`` for an abstract one."""
        if self.operation is None or self.object is None:
            return None
        return (self.operation, self.object)


@dataclass(frozen=True)
class Constraint:
    """An entry of the constraint catalogue, with its origin (« défini par », thesis 5.2.7)."""

    id: str
    label: str
    kind: ConstraintKind
    defined_by: str = ""
    description: str = ""


@dataclass(frozen=True)
class Step:
    """One action or event of a scenario, mapped to the catalogue permissions it needs (thesis 5.2.5)."""

    text: str
    permissions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Sequence:
    """A way a scenario may unfold (« séquence 1, 2… » of the QQCOQP form).

    A positive sequence describes a legitimate use; a negative one an attempt that access control must refuse,
    with the reason stated, optionally the catalogued constraint that enforces it.
    """

    id: str
    steps: tuple[Step, ...]
    expected: Expectation = Expectation.GRANTED
    reason: str = ""
    constraint: str | None = None


@dataclass(frozen=True)
class Instance:
    """One value of a generic scenario's instantiation parameter, with what that instance needs (thesis 5.3.4).

    Generalising similar scenarios into one keeps, per value, the steps and sequences of the scenario it replaced
    (``generalises``): a task running only that instance needs only its permissions, so nobody gains a right by
    the merge.
    """

    value: str
    steps: tuple[Step, ...] = ()
    sequences: tuple[Sequence, ...] = ()
    generalises: str | None = None


@dataclass(frozen=True)
class Scenario:
    """A usage scenario in the thesis's QQCOQP form (thesis 5.3.1, SPEC RE-1).

    ``steps`` is the main, ordered course of the scenario; ``sequences`` are its variants. The permissions a
    scenario needs are those of its steps and of its positive sequences — never those of negative sequences,
    which record what must be refused.
    """

    id: str
    theme: str
    object: str
    actor_category: str
    actor: str = ""
    place: str = ""
    functional_action: str = ""
    constraints: tuple[str, ...] = ()
    ergonomics: str = ""
    confidentiality: str = ""
    steps: tuple[Step, ...] = ()
    sequences: tuple[Sequence, ...] = ()
    refines: str | None = None
    parameter: str = ""
    instances: tuple[Instance, ...] = ()

    @property
    def is_generic(self) -> bool:
        """A scenario with an instantiation parameter (« consulter le dossier d'un bénéficiaire de type X »)."""
        return bool(self.instances)

    def instance(self, value: str) -> Instance:
        for instance in self.instances:
            if instance.value == value:
                return instance
        raise KeyError(value)

    def needed_entries(self, values: Collection[str] | None = None) -> Iterator[str]:
        """Catalogue identifiers named by the scenario's positive course, in order of appearance.

        For a generic scenario, ``values`` chooses the instances run (``None``: all of them).
        """
        yield from _positive_entries(self.steps, self.sequences)
        for instance in self.instances:
            if values is None or instance.value in values:
                yield from _positive_entries(instance.steps, instance.sequences)


def _positive_entries(steps: tuple[Step, ...], sequences: tuple[Sequence, ...]) -> Iterator[str]:
    for step in steps:
        yield from step.permissions
    for sequence in sequences:
        if sequence.expected is Expectation.GRANTED:
            for step in sequence.steps:
                yield from step.permissions


@dataclass(frozen=True)
class Task:
    """A collection of scenarios run in sequence or in parallel toward one goal (thesis 5.3.5)."""

    id: str
    label: str
    scenarios: tuple[str, ...]
    parallel: bool = False
    instances: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def values_of(self, scenario_id: str) -> tuple[str, ...] | None:
        """The instances of a generic scenario this task runs (``None``: every instance, or not generic)."""
        return self.instances.get(scenario_id)


@dataclass(frozen=True)
class WorkProfile:
    """A job description: a unique set of tasks (thesis 5.3.5), the preliminary form of a role.

    ``includes`` lets a profile take over every task of other profiles; ``domain`` is the functional domain
    (GRH, PAIE…) used in 5.3.7 to refuse inheritance across domains.
    """

    id: str
    label: str
    tasks: tuple[str, ...] = ()
    includes: tuple[str, ...] = ()
    role: str | None = None
    domain: str | None = None

    @property
    def role_name(self) -> str:
        """The name of the role derived from this profile (« le même nom ou un nom similaire », 5.3.6)."""
        return self.role or self.id


@dataclass(frozen=True)
class AssignmentRule:
    """A business rule (thesis 4.4.3): « si métier = X et unité organisationnelle = Y alors rôle = Z ».

    ``conditions`` maps a user attribute to the values it may take (one of them must match). When ``scope_attribute``
    is set, the assignment is made in the org unit named by that attribute of the user (ENG-3).
    """

    id: str
    conditions: Mapping[str, tuple[str, ...]]
    role: str
    scope_attribute: str | None = None
    label: str = ""

    def matches(self, attributes: Mapping[str, object]) -> bool:
        """True when every condition holds for the user's attributes (a missing attribute never matches)."""
        return all(
            attribute in attributes and str(attributes[attribute]) in accepted
            for attribute, accepted in self.conditions.items()
        )


class RationalisationKind(StrEnum):
    """The two rewritings of 5.3.4."""

    DECOMPOSITION = "decomposition"
    GENERALISATION = "generalisation"


@dataclass(frozen=True)
class GeneralisedSource:
    """A scenario merged into a generic one: its identifier, its object, and its parameter value."""

    scenario: str
    object: str
    value: str


@dataclass(frozen=True)
class Rationalisation:
    """The trace of one rewriting of the scenario model (thesis 5.3.4, SPEC RE-2b).

    A *decomposition* replaced the step at ``position`` (1-based) of ``scenario`` — kept here as ``step`` — by
    the finer steps ``into``. A *generalisation* merged the ``sources`` into the generic ``scenario`` whose
    instantiation ``parameter`` takes each source's value.
    """

    id: str
    kind: RationalisationKind
    scenario: str
    reason: str = ""
    position: int | None = None
    step: Step | None = None
    into: tuple[str, ...] = ()
    parameter: str = ""
    sources: tuple[GeneralisedSource, ...] = ()

    def sentence(self) -> str:
        """The trace in one French sentence, as the pages, the model diff and the journal show it."""
        if self.kind is RationalisationKind.DECOMPOSITION:
            original = self.step.text if self.step else "?"
            finer = " ; ".join(f"« {text} »" for text in self.into)
            return (
                f"Décomposition : l'étape {self.position} « {original} » du scénario « {self.scenario} » "
                f"devient {len(self.into)} étapes plus fines : {finer}."
            )
        sources = ", ".join(f"« {s.scenario} » ({self.parameter} = {s.value})" for s in self.sources)
        return (
            f"Généralisation : les scénarios {sources} deviennent le scénario générique « {self.scenario} » "
            f"de paramètre « {self.parameter} »."
        )


@dataclass(frozen=True)
class RoleModel:
    """A complete role-engineering model, as loaded from one YAML document."""

    name: str
    version: str = "1"
    description: str = ""
    permissions: tuple[CatalogueEntry, ...] = ()
    constraints: tuple[Constraint, ...] = ()
    scenarios: tuple[Scenario, ...] = ()
    tasks: tuple[Task, ...] = ()
    profiles: tuple[WorkProfile, ...] = ()
    assignment_rules: tuple[AssignmentRule, ...] = ()
    rationalisations: tuple[Rationalisation, ...] = ()

    @cached_property
    def _entries(self) -> dict[str, CatalogueEntry]:
        return {entry.id: entry for entry in self.permissions}

    @cached_property
    def _constraints(self) -> dict[str, Constraint]:
        return {constraint.id: constraint for constraint in self.constraints}

    @cached_property
    def _scenarios(self) -> dict[str, Scenario]:
        return {scenario.id: scenario for scenario in self.scenarios}

    @cached_property
    def _tasks(self) -> dict[str, Task]:
        return {task.id: task for task in self.tasks}

    @cached_property
    def _profiles(self) -> dict[str, WorkProfile]:
        return {profile.id: profile for profile in self.profiles}

    def entry(self, entry_id: str) -> CatalogueEntry:
        return self._entries[entry_id]

    def constraint(self, constraint_id: str) -> Constraint:
        return self._constraints[constraint_id]

    def scenario(self, scenario_id: str) -> Scenario:
        return self._scenarios[scenario_id]

    def task(self, task_id: str) -> Task:
        return self._tasks[task_id]

    def profile(self, profile_id: str) -> WorkProfile:
        return self._profiles[profile_id]

    def profile_for_role(self, role: str) -> WorkProfile:
        """The work profile a derived role implements (« implémenté dans », thesis 5.2.7)."""
        for profile in self.profiles:
            if profile.role_name == role:
                return profile
        raise KeyError(role)

    # Permission derivation: entry ids → elementary pairs → per scenario, task, profile.

    def entry_closure(self, entry_id: str) -> frozenset[str]:
        """An entry and every entry it is composed of, at any depth."""
        entry = self.entry(entry_id)
        return frozenset({entry_id}).union(*(self.entry_closure(part) for part in entry.composed_of))

    def elementary_entries(self, entry_id: str) -> frozenset[str]:
        """The elementary catalogue entries an entry stands for (itself when elementary)."""
        entry = self.entry(entry_id)
        if not entry.is_abstract:
            return frozenset({entry_id})
        return frozenset().union(*(self.elementary_entries(part) for part in entry.composed_of))

    def scenario_entries(self, scenario_id: str, values: Collection[str] | None = None) -> frozenset[str]:
        """Elementary catalogue entries a subject needs to carry out a scenario (thesis 5.3.2).

        For a generic scenario, ``values`` restricts to some instances (``None``: all of them).
        """
        scenario = self.scenario(scenario_id)
        return frozenset().union(*(self.elementary_entries(e) for e in scenario.needed_entries(values)))

    def task_entries(self, task_id: str) -> frozenset[str]:
        task = self.task(task_id)
        return frozenset().union(*(self.scenario_entries(s, task.values_of(s)) for s in task.scenarios))

    def profile_tasks(self, profile_id: str) -> frozenset[str]:
        """Every task of a profile, those of the profiles it includes comprised."""
        profile = self.profile(profile_id)
        tasks = set(profile.tasks)
        for included in profile.includes:
            tasks |= self.profile_tasks(included)
        return frozenset(tasks)

    def profile_entries(self, profile_id: str) -> frozenset[str]:
        return frozenset().union(*(self.task_entries(t) for t in self.profile_tasks(profile_id)))

    def profile_permissions(self, profile_id: str) -> frozenset[Permission]:
        """The ``(operation, object)`` pairs a profile needs: the input of the derivation (thesis 5.3.6)."""
        return frozenset(self.pair(e) for e in self.profile_entries(profile_id))

    def pair(self, entry_id: str) -> Permission:
        """The ``(operation, object)`` pair of an elementary entry (an abstract entry has none: ``KeyError``)."""
        permission = self.entry(entry_id).permission
        if permission is None:
            raise KeyError(f"la permission abstraite « {entry_id} » n'a pas de paire (opération, objet)")
        return permission

    def role_permissions(self) -> dict[str, frozenset[Permission]]:
        """One role per work profile with every permission the profile needs, keyed by role name."""
        return {profile.role_name: self.profile_permissions(profile.id) for profile in self.profiles}

    def role_domains(self) -> dict[str, str]:
        """The functional domain of each role whose profile declares one."""
        return {p.role_name: p.domain for p in self.profiles if p.domain}

    def entry_for_permission(self, permission: Permission) -> CatalogueEntry:
        """The catalogue entry of an elementary pair (each pair is catalogued once)."""
        for entry in self.permissions:
            if entry.permission == permission:
                return entry
        raise KeyError(permission)
