"""What changes between two versions of a role model: per work profile and per derived role, gains and losses.

An analyst who edits a model (a new scenario, a task moved from one profile to another, a permission split)
needs to see, before exporting the policy, who would gain or lose what. :func:`diff_models` compares two
loaded :class:`~habpps.roleeng.model.RoleModel` values, both already valid, and says for every work profile the
tasks, scenarios and permissions it gains and loses (the profiles it includes comprised, as the derivation sees
them), and for every derived role (thesis 5.3.6) the permissions it holds in all and the roles it inherits from.

Elements are matched across versions by what identifies them: tasks and scenarios by identifier, profiles by
identifier, roles by name, and permissions by their ``(operation, object)`` pair — so renaming a catalogue
entry changes nothing for anyone, while changing its pair is a loss and a gain. Each item carries the label the
analyst wrote (the newer version's when both have one), so that the page speaks in words, not codes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from habpps.roleeng.derivation import RoleHierarchy, derive_hierarchy
from habpps.roleeng.model import Permission, RoleModel


class Status(StrEnum):
    """What happened to a profile or a role between the two versions."""

    ADDED = "ajoute"
    REMOVED = "retire"
    CHANGED = "modifie"
    UNCHANGED = "inchange"


@dataclass(frozen=True, order=True)
class Item:
    """One task, scenario, permission or role, with the words that name it (``key`` is its identifier)."""

    label: str
    key: str


@dataclass(frozen=True)
class Change:
    """What one profile or role gains and loses of one kind of element, each list sorted by label."""

    gained: tuple[Item, ...] = ()
    lost: tuple[Item, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.gained or self.lost)


@dataclass(frozen=True)
class ProfileDiff:
    """A work profile across the two versions: its tasks, scenarios and permissions gained and lost."""

    id: str
    label: str
    status: Status
    tasks: Change
    scenarios: Change
    permissions: Change


@dataclass(frozen=True)
class RoleDiff:
    """A derived role across the two versions: permissions held in all, and immediate juniors, gained and lost."""

    name: str
    label: str
    status: Status
    permissions: Change
    juniors: Change


@dataclass(frozen=True)
class ModelDiff:
    """The comparison of a model ``before`` with a model ``after``, profiles and roles sorted by label."""

    before_name: str
    before_version: str
    after_name: str
    after_version: str
    profiles: tuple[ProfileDiff, ...]
    roles: tuple[RoleDiff, ...]
    rationalisations: Change = Change()

    @property
    def changed_profiles(self) -> tuple[ProfileDiff, ...]:
        return tuple(p for p in self.profiles if p.status is not Status.UNCHANGED)

    @property
    def changed_roles(self) -> tuple[RoleDiff, ...]:
        return tuple(r for r in self.roles if r.status is not Status.UNCHANGED)

    @property
    def identical(self) -> bool:
        """True when nobody gains or loses anything and the scenario model was not rationalised."""
        return not self.changed_profiles and not self.changed_roles and not self.rationalisations


def hierarchy_of(model: RoleModel) -> RoleHierarchy[Permission]:
    """The hierarchy the workbench derives: 5.3.6, without inheritance across domains when the model has any."""
    return derive_hierarchy(model.role_permissions(), model.role_domains() or None)


def diff_models(
    before: RoleModel,
    after: RoleModel,
    *,
    before_hierarchy: RoleHierarchy[Permission] | None = None,
    after_hierarchy: RoleHierarchy[Permission] | None = None,
) -> ModelDiff:
    """Compare two versions of a model; hierarchies already derived may be passed to avoid deriving again."""
    before_hierarchy = before_hierarchy or hierarchy_of(before)
    after_hierarchy = after_hierarchy or hierarchy_of(after)
    permission_labels = {**_permission_labels(before), **_permission_labels(after)}
    task_labels = {t.id: t.label or t.id for t in (*before.tasks, *after.tasks)}
    scenario_labels = {**_scenario_labels(before), **_scenario_labels(after)}
    role_labels = {p.role_name: p.label or p.role_name for p in (*before.profiles, *after.profiles)}

    def pairs(permissions: Iterable[Permission]) -> dict[str, str]:
        return {_pair_key(p): permission_labels.get(p, f"{p[0]} {p[1]}") for p in permissions}

    profiles = []
    before_ids = {p.id for p in before.profiles}
    after_ids = {p.id for p in after.profiles}
    for profile_id in before_ids | after_ids:
        old = _profile_content(before, profile_id) if profile_id in before_ids else ({}, {}, set())
        new = _profile_content(after, profile_id) if profile_id in after_ids else ({}, {}, set())
        tasks = _change({t: task_labels[t] for t in old[0]}, {t: task_labels[t] for t in new[0]})
        scenarios = _change({s: scenario_labels[s] for s in old[1]}, {s: scenario_labels[s] for s in new[1]})
        permissions = _change(pairs(old[2]), pairs(new[2]))
        label = (after.profile(profile_id) if profile_id in after_ids else before.profile(profile_id)).label
        profiles.append(
            ProfileDiff(
                id=profile_id,
                label=label or profile_id,
                status=_status(
                    profile_id in before_ids, profile_id in after_ids, tasks, scenarios, permissions
                ),
                tasks=tasks,
                scenarios=scenarios,
                permissions=permissions,
            )
        )

    roles = []
    old_roles, new_roles = set(before_hierarchy.roles), set(after_hierarchy.roles)
    for role in old_roles | new_roles:
        old_held = before_hierarchy.permissions(role) if role in old_roles else frozenset()
        new_held = after_hierarchy.permissions(role) if role in new_roles else frozenset()
        old_juniors = before_hierarchy.juniors[role] if role in old_roles else frozenset()
        new_juniors = after_hierarchy.juniors[role] if role in new_roles else frozenset()
        permissions = _change(pairs(old_held), pairs(new_held))
        juniors = _change(
            {j: role_labels.get(j, j) for j in old_juniors}, {j: role_labels.get(j, j) for j in new_juniors}
        )
        roles.append(
            RoleDiff(
                name=role,
                label=role_labels.get(role, role),
                status=_status(role in old_roles, role in new_roles, permissions, juniors),
                permissions=permissions,
                juniors=juniors,
            )
        )

    return ModelDiff(
        before_name=before.name,
        before_version=before.version,
        after_name=after.name,
        after_version=after.version,
        profiles=tuple(sorted(profiles, key=lambda p: (p.label.casefold(), p.id))),
        roles=tuple(sorted(roles, key=lambda r: (r.label.casefold(), r.name))),
        rationalisations=_change(_traces(before), _traces(after)),
    )


def _traces(model: RoleModel) -> dict[str, str]:
    """Rationalisation traces (5.3.4), matched across versions by what they say."""
    return {trace.sentence(): trace.sentence() for trace in model.rationalisations}


def _scenario_keys(model: RoleModel, task_id: str) -> set[str]:
    """A task's scenarios; for a generic scenario, one key per instance it runs (``id[valeur]``)."""
    task = model.task(task_id)
    keys = set()
    for scenario_id in task.scenarios:
        scenario = model.scenario(scenario_id)
        if scenario.is_generic:
            values = task.values_of(scenario_id) or tuple(i.value for i in scenario.instances)
            keys.update(f"{scenario_id}[{value}]" for value in values)
        else:
            keys.add(scenario_id)
    return keys


def _scenario_labels(model: RoleModel) -> dict[str, str]:
    labels = {}
    for scenario in model.scenarios:
        labels[scenario.id] = scenario.object or scenario.id
        for instance in scenario.instances:
            labels[f"{scenario.id}[{instance.value}]"] = (
                f"{scenario.object} ({scenario.parameter} : {instance.value})"
            )
    return labels


def _pair_key(permission: Permission) -> str:
    return f"{permission[0]} {permission[1]}"


def _permission_labels(model: RoleModel) -> dict[Permission, str]:
    """Each elementary pair named by its catalogue label, else by « opération objet »."""
    return {
        entry.permission: entry.label or _pair_key(entry.permission)
        for entry in model.permissions
        if entry.permission is not None
    }


def _profile_content(model: RoleModel, profile_id: str) -> tuple[set[str], set[str], frozenset[Permission]]:
    """Tasks (included profiles' comprised), their scenarios, and the permissions they need."""
    tasks = set(model.profile_tasks(profile_id))
    scenarios = {key for t in tasks for key in _scenario_keys(model, t)}
    return tasks, scenarios, model.profile_permissions(profile_id)


def _change(old: Mapping[str, str], new: Mapping[str, str]) -> Change:
    return Change(
        gained=tuple(sorted(Item(new[k], k) for k in new.keys() - old.keys())),
        lost=tuple(sorted(Item(old[k], k) for k in old.keys() - new.keys())),
    )


def _status(existed: bool, exists: bool, *changes: Change) -> Status:
    if not existed:
        return Status.ADDED
    if not exists:
        return Status.REMOVED
    return Status.CHANGED if any(changes) else Status.UNCHANGED
