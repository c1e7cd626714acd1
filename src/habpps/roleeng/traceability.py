"""Traceability links, queryable both ways: permission ↔ scenario ↔ task ↔ profile ↔ role (thesis 5.2.7, RE-4).

The thesis names the links: « nécessaire pour exécuter » (permission → scenario), « est une partie de »
(scenario → task), « implémenté dans » (profile → role), « défini par » (constraint → origin) and
« concrétisé par » (scenario → its refinements). :meth:`Traceability.why` answers the analyst's question "why does
this role hold this permission?" with both halves of the answer: which task and scenario of the role's profile
need it, and through which inheritance chain the derived hierarchy gives it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from habpps.roleeng.derivation import RoleHierarchy
from habpps.roleeng.model import Permission, Rationalisation, RoleModel


@dataclass(frozen=True)
class Need:
    """One reason a profile needs a permission: a scenario of one of its tasks names it in a step."""

    profile: str
    task: str
    scenario: str
    entry: str  # the catalogue entry the step names (may be abstract; the permission is one of its parts)


@dataclass(frozen=True)
class Justification:
    """Why a role holds a permission: the needs of its profile and the inheritance chain that grants it."""

    role: str
    permission: Permission
    entry: str
    needs: tuple[Need, ...]
    chain: tuple[str, ...]  # role → … → the role the permission is assigned to

    @property
    def holder(self) -> str:
        return self.chain[-1]

    def sentence(self) -> str:
        """The justification as one French sentence."""
        operation, obj = self.permission
        reasons = (
            " ; ".join(f"tâche « {need.task} », scénario « {need.scenario} »" for need in self.needs)
            or "aucun scénario"
        )
        text = f"Le rôle « {self.role} » détient ({operation}, {obj}) [{self.entry}] : requis par {reasons}"
        if len(self.chain) == 1:
            return text + " ; la permission lui est assignée directement."
        return text + f" ; assignée au rôle « {self.holder} », hérité par {' → '.join(self.chain)}."


class Traceability:
    """Both-way navigation over one model and the hierarchy derived from it."""

    def __init__(self, model: RoleModel, hierarchy: RoleHierarchy[Permission] | None = None) -> None:
        self.model = model
        self.hierarchy = hierarchy

    # Permission ↔ scenario (« nécessaire pour exécuter »).

    @cached_property
    def _scenarios_by_entry(self) -> dict[str, tuple[str, ...]]:
        links: dict[str, list[str]] = {entry.id: [] for entry in self.model.permissions}
        for scenario in self.model.scenarios:
            named = scenario.needed_entries()
            for entry_id in sorted(frozenset().union(*map(self.model.entry_closure, named))):
                links[entry_id].append(scenario.id)
        return {entry_id: tuple(scenarios) for entry_id, scenarios in links.items()}

    def scenarios_needing(self, entry_id: str) -> tuple[str, ...]:
        """Scenarios that need a catalogue entry, directly or through an abstract permission."""
        return self._scenarios_by_entry[entry_id]

    def scenarios_needing_permission(self, permission: Permission) -> tuple[str, ...]:
        return self.scenarios_needing(self.model.entry_for_permission(permission).id)

    def entries_of_scenario(self, scenario_id: str) -> tuple[str, ...]:
        """Elementary entries a scenario needs."""
        return tuple(sorted(self.model.scenario_entries(scenario_id)))

    # Scenario ↔ task (« est une partie de »).

    def tasks_of_scenario(self, scenario_id: str) -> tuple[str, ...]:
        return tuple(task.id for task in self.model.tasks if scenario_id in task.scenarios)

    def scenarios_of_task(self, task_id: str) -> tuple[str, ...]:
        return self.model.task(task_id).scenarios

    # Task ↔ profile.

    def profiles_of_task(self, task_id: str) -> tuple[str, ...]:
        """Profiles that carry out a task, directly or by including a profile that does."""
        return tuple(p.id for p in self.model.profiles if task_id in self.model.profile_tasks(p.id))

    def tasks_of_profile(self, profile_id: str) -> tuple[str, ...]:
        return tuple(sorted(self.model.profile_tasks(profile_id)))

    # Profile ↔ role (« implémenté dans »).

    def role_of_profile(self, profile_id: str) -> str:
        return self.model.profile(profile_id).role_name

    def profile_of_role(self, role: str) -> str:
        return self.model.profile_for_role(role).id

    # Shortcuts across the chain.

    def profiles_needing(self, entry_id: str) -> tuple[str, ...]:
        """Profiles one of whose tasks runs a scenario (or the instance of a generic one) that needs the entry."""
        return tuple(
            p.id
            for p in self.model.profiles
            if any(entry_id in self._task_closure(t) for t in self.model.profile_tasks(p.id))
        )

    def _task_closure(self, task_id: str) -> frozenset[str]:
        """Every entry a task's scenarios name, abstract ones and their parts comprised."""
        task = self.model.task(task_id)
        named = {e for s in task.scenarios for e in self.model.scenario(s).needed_entries(task.values_of(s))}
        return frozenset().union(*map(self.model.entry_closure, named))

    def roles_needing(self, entry_id: str) -> tuple[str, ...]:
        """Roles whose profile needs a catalogue entry: the roles that hold it once derived."""
        return tuple(self.role_of_profile(p) for p in self.profiles_needing(entry_id))

    # Constraints (« défini par ») and rationalisation (« concrétisé par »).

    def constraint_origin(self, constraint_id: str) -> str:
        return self.model.constraint(constraint_id).defined_by

    def refinements(self, scenario_id: str) -> tuple[str, ...]:
        """Scenarios that refine (concretise) a scenario."""
        return tuple(s.id for s in self.model.scenarios if s.refines == scenario_id)

    def rationalisations_of(self, scenario_id: str) -> tuple[Rationalisation, ...]:
        """The decompositions of a scenario's steps and the generalisation that created or absorbed it."""
        return tuple(
            r
            for r in self.model.rationalisations
            if r.scenario == scenario_id or any(source.scenario == scenario_id for source in r.sources)
        )

    # Why does this role hold it?

    def needs(self, profile_id: str, permission: Permission) -> tuple[Need, ...]:
        """Every (task, scenario) of a profile that needs ``permission``, with the entry its step names."""
        target = self.model.entry_for_permission(permission).id
        found = []
        for task_id in self.tasks_of_profile(profile_id):
            task = self.model.task(task_id)
            for scenario_id in task.scenarios:
                values = task.values_of(scenario_id)
                for named in dict.fromkeys(self.model.scenario(scenario_id).needed_entries(values)):
                    if target in self.model.elementary_entries(named):
                        found.append(Need(profile_id, task_id, scenario_id, named))
        return tuple(found)

    def why(self, role: str, permission: Permission) -> Justification | None:
        """Why ``role`` holds ``permission`` in the derived hierarchy, or None when it does not hold it."""
        if self.hierarchy is None:
            raise ValueError("la traçabilité des rôles demande la hiérarchie dérivée")
        chain = self.hierarchy.inheritance_path(role, permission)
        if chain is None:
            return None
        return Justification(
            role=role,
            permission=permission,
            entry=self.model.entry_for_permission(permission).id,
            needs=self.needs(self.profile_of_role(role), permission),
            chain=tuple(chain),
        )
