"""The stored hierarchy, separation of duty, exclusions and cardinalities, replayed into the engine (ENG-11).

Two paths must give the same engine, as for the rest of the directory (``policy_build`` / ``policy_delta``):

- the full build calls `apply_model` once every role, user and assignment is in place — as a policy document
  is loaded: constraints are added last, and the engine refuses one the directory already breaks;
- every administrative change calls `model_calls`, which compares what the tables want (`wanted_model`, the
  definitions shared with the full build) with what the engine holds and returns the calls that turn the one
  into the other: removals (played before the directory's additions) and additions (played after them).

The tables are small (a few hundred rows nationally), so every change reconciles all of them: there is nothing
to capture. Each call has an exact inverse (`MODEL_INVERSES`), so a refused change leaves the engine as it was.
A change an administrator approved after a ``require_approval`` exclusion held it is replayed with `approving`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from habpps.authorization.separation_models import (
    AccountLimit,
    Exclusion,
    ExclusionMember,
    RoleInheritance,
    RoleRule,
    SeparationMember,
    SeparationSet,
)
from habpps.engine import RBAC
from habpps.engine.exclusion_functions import ExclusionFunctions
from habpps.engine.exclusions import ExclusionMember as EngineMember

Call = list[Any]

KINDS = ("ssd", "dsd")


@dataclass
class WantedModel:
    """The engine facts the tables ask for, restricted to profiles and accounts in force."""

    edges: set[tuple[str, str]] = field(default_factory=set)
    role_rules: dict[str, tuple[bool, int | None]] = field(default_factory=dict)
    user_limits: dict[str, int | None] = field(default_factory=dict)
    session_limits: dict[str, int | None] = field(default_factory=dict)
    sod: dict[str, dict[str, tuple[frozenset, int]]] = field(default_factory=lambda: {"ssd": {}, "dsd": {}})
    exclusions: dict[str, tuple[frozenset[EngineMember], int, str, str]] = field(default_factory=dict)


def wanted_model(roles: dict[int, str], logins: dict[int, str]) -> WantedModel:
    """What the tables want, given the profiles in force (id → code) and the accounts in force (id → login)."""
    wanted = WantedModel()
    for senior_id, junior_id in RoleInheritance.objects.values_list("senior_id", "junior_id"):
        if senior_id in roles and junior_id in roles:
            wanted.edges.add((roles[senior_id], roles[junior_id]))
    for role_id, descends, max_users in RoleRule.objects.values_list("role_id", "descends", "max_users"):
        if role_id in roles:
            wanted.role_rules[roles[role_id]] = (descends, max_users)
    for account_id, max_roles, max_sessions in AccountLimit.objects.values_list(
        "account_id", "max_roles", "max_sessions"
    ):
        if account_id in logins:
            wanted.user_limits[logins[account_id]] = max_roles
            wanted.session_limits[logins[account_id]] = max_sessions
    sets = {pk: (kind, name, cardinality) for pk, kind, name, cardinality in
            SeparationSet.objects.values_list("id", "kind", "name", "cardinality")}
    members: dict[int, set] = {pk: set() for pk in sets}
    for set_id, role_id, org in SeparationMember.objects.values_list("sod_set_id", "role_id", "org"):
        if role_id in roles:
            members[set_id].add((roles[role_id], org) if org else roles[role_id])
    for pk, (kind, name, cardinality) in sets.items():
        wanted.sod[kind][name] = (frozenset(members[pk]), cardinality)
    rules = {pk: (name, cardinality, kind, risk) for pk, name, cardinality, kind, risk in
             Exclusion.objects.values_list("id", "name", "cardinality", "kind", "risk")}
    held: dict[int, set[EngineMember]] = {pk: set() for pk in rules}
    for rule_id, role_id, operation, obj, org in ExclusionMember.objects.values_list(
        "exclusion_id", "role_id", "operation", "obj", "org"
    ):
        if role_id is not None:
            if role_id in roles:
                held[rule_id].add(EngineMember.of_role(roles[role_id], org or None))
        else:
            held[rule_id].add(EngineMember.of_permission(operation, obj, org or None))
    for pk, (name, cardinality, kind, risk) in rules.items():
        wanted.exclusions[name] = (frozenset(held[pk]), cardinality, kind, risk)
    return wanted


# -- full build ------------------------------------------------------------------------------------------------------
def apply_model(rbac: RBAC, wanted: WantedModel) -> None:
    """Add the stored constraints to an engine that already holds every role, user and assignment."""
    for call in _creations(wanted, rbac):
        apply_model_call(rbac, call)


def _creations(wanted: WantedModel, rbac: RBAC) -> list[Call]:
    state = rbac._state
    calls: list[Call] = [["add_inheritance", senior, junior] for senior, junior in sorted(wanted.edges)]
    for role, (descends, max_users) in sorted(wanted.role_rules.items()):
        record = state.roles[role]
        if descends != record.descends:
            calls.append(["role_descends", role, descends, record.descends])
        if max_users != record.max_users:
            calls.append(["role_max_users", role, max_users, record.max_users])
    for user, max_roles in sorted(wanted.user_limits.items()):
        if max_roles != state.users[user].max_roles:
            calls.append(["user_max_roles", user, max_roles, state.users[user].max_roles])
    for user, max_sessions in sorted(wanted.session_limits.items()):
        if max_sessions != state.users[user].max_sessions:
            calls.append(["user_max_sessions", user, max_sessions, state.users[user].max_sessions])
    for kind in KINDS:
        for name, (members, cardinality) in sorted(wanted.sod[kind].items()):
            calls.append(["create_sod", kind, name, _sod_list(members), cardinality])
    for name, (members, cardinality, kind, risk) in sorted(wanted.exclusions.items()):
        calls.append(["create_rule", name, _rule_list(members), cardinality, kind, risk])
    return calls


# -- incremental reconciliation ---------------------------------------------------------------------------------------
def model_calls(rbac: RBAC, wanted: WantedModel, roles_after: set[str], users_after: set[str]
                ) -> tuple[list[Call], list[Call]]:
    """(removals, additions) that bring ``rbac``'s constraints to ``wanted``.

    ``roles_after`` and ``users_after`` are the profiles and accounts in force once the change is made: those
    leaving force get their properties reset before they go (so that undoing the change restores them), those
    entering start from the engine's defaults.
    """
    state = rbac._state
    removals: list[Call] = []
    additions: list[Call] = []
    current_edges = {(senior, junior) for senior, juniors in state.juniors.items() for junior in juniors}
    removals += [["delete_inheritance", s, j] for s, j in sorted(current_edges - wanted.edges)]
    additions += [["add_inheritance", s, j] for s, j in sorted(wanted.edges - current_edges)]

    for role in sorted(set(wanted.role_rules) | {r for r, rec in state.roles.items() if _not_default_role(rec)}):
        record = state.roles.get(role)
        old = (record.descends, record.max_users) if record else (True, None)
        new = wanted.role_rules.get(role, (True, None)) if role in roles_after else (True, None)
        target = additions if role in roles_after else removals
        if old[1] != new[1]:  # a limit is loosened before the change's assignments, tightened after them
            loosening = new[1] is None or old[1] is not None and new[1] > old[1]
            (removals if loosening and record is not None else additions).append(
                ["role_max_users", role, new[1], old[1]])
        if old[0] != new[0]:
            target.append(["role_descends", role, new[0], old[0]])

    limited = set(wanted.user_limits) | set(AccountLimit.objects.filter(max_roles__isnull=False)
                                            .values_list("account__login", flat=True))
    for user in sorted(limited):
        record = state.users.get(user)
        old_limit = record.max_roles if record else None
        new_limit = wanted.user_limits.get(user) if user in users_after else None
        if old_limit != new_limit:
            loosening = new_limit is None or old_limit is not None and new_limit > old_limit
            target = removals if loosening and record is not None else additions
            target.append(["user_max_roles", user, new_limit, old_limit])

    # A maximum of sessions bounds no assignment: it is set with the additions (or before a user leaves).
    limited = set(wanted.session_limits) | set(AccountLimit.objects.filter(max_sessions__isnull=False)
                                               .values_list("account__login", flat=True))
    for user in sorted(limited):
        record = state.users.get(user)
        old_limit = record.max_sessions if record else None
        new_limit = wanted.session_limits.get(user) if user in users_after else None
        if old_limit != new_limit:
            (additions if user in users_after else removals).append(
                ["user_max_sessions", user, new_limit, old_limit])

    for kind in KINDS:
        current = {name: (frozenset(sod.members), sod.cardinality)
                   for name, sod in (state.ssd_sets if kind == "ssd" else state.dsd_sets).items()}
        for name in sorted(current):
            if wanted.sod[kind].get(name) != current[name]:
                removals.append(["delete_sod", kind, name, _sod_list(current[name][0]), current[name][1]])
        for name, (members, cardinality) in sorted(wanted.sod[kind].items()):
            if current.get(name) != (members, cardinality):
                additions.append(["create_sod", kind, name, _sod_list(members), cardinality])

    current_rules = {name: (rule.members, rule.cardinality, rule.kind, rule.risk)
                     for name, rule in state.exclusions.items()}
    for name in sorted(current_rules):
        if wanted.exclusions.get(name) != current_rules[name]:
            members, cardinality, kind, risk = current_rules[name]
            removals.append(["delete_rule", name, _rule_list(members), cardinality, kind, risk])
    for name, (members, cardinality, kind, risk) in sorted(wanted.exclusions.items()):
        if current_rules.get(name) != (members, cardinality, kind, risk):
            additions.append(["create_rule", name, _rule_list(members), cardinality, kind, risk])
    return removals, additions


def _not_default_role(record: Any) -> bool:
    return not record.descends or record.max_users is not None


def _sod_list(members: Iterable[Any]) -> list[list[Any]]:
    pairs = [list(m) if isinstance(m, tuple) else [m, None] for m in members]
    return sorted(pairs, key=lambda p: (p[0], p[1] or ""))


def _rule_list(members: Iterable[EngineMember]) -> list[dict[str, Any]]:
    return [m.as_dict() for m in sorted(members, key=EngineMember.sort_key)]


# -- applying and undoing ------------------------------------------------------------------------------------------
def _create_sod(rbac: RBAC, kind: str, name: str, members: list, cardinality: int) -> None:
    pairs = [(role, org) for role, org in members]
    rbac._create_set(kind, name, pairs, cardinality, allow_fewer_members=True)


def _delete_sod(rbac: RBAC, kind: str, name: str, members: list, cardinality: int) -> None:
    (rbac.delete_ssd_set if kind == "ssd" else rbac.delete_dsd_set)(name)


def _create_rule(rbac: RBAC, name: str, members: list, cardinality: int, kind: str, risk: str) -> None:
    rbac._create_exclusion(name, members, cardinality, kind, risk, allow_fewer_members=True)


MODEL_APPLY = {
    "add_inheritance": lambda rbac, senior, junior, requester="système": ExclusionFunctions.add_inheritance(
        rbac, senior, junior, actor=requester),
    "delete_inheritance": lambda rbac, senior, junior: rbac.delete_inheritance(senior, junior),
    "role_descends": lambda rbac, role, new, old: rbac.set_role_descends(role, new),
    "role_max_users": lambda rbac, role, new, old: rbac.set_role_max_users(role, new),
    "user_max_roles": lambda rbac, user, new, old: rbac.set_user_max_roles(user, new),
    "user_max_sessions": lambda rbac, user, new, old: rbac.set_user_max_sessions(user, new),
    "create_sod": _create_sod,
    "delete_sod": _delete_sod,
    "create_rule": _create_rule,
    "delete_rule": lambda rbac, name, *rest: rbac.delete_exclusion(name),
}
"""The model's calls: each applies one stored fact to the engine."""

MODEL_INVERSES = {
    "add_inheritance": lambda senior, junior: ["delete_inheritance", senior, junior],
    "delete_inheritance": lambda senior, junior: ["add_inheritance", senior, junior],
    "role_descends": lambda role, new, old: ["role_descends", role, old, new],
    "role_max_users": lambda role, new, old: ["role_max_users", role, old, new],
    "user_max_roles": lambda user, new, old: ["user_max_roles", user, old, new],
    "user_max_sessions": lambda user, new, old: ["user_max_sessions", user, old, new],
    "create_sod": lambda kind, name, members, cardinality: ["delete_sod", kind, name, members, cardinality],
    "delete_sod": lambda kind, name, members, cardinality: ["create_sod", kind, name, members, cardinality],
    "create_rule": lambda name, *rest: ["delete_rule", name, *rest],
    "delete_rule": lambda name, *rest: ["create_rule", name, *rest],
}


def apply_model_call(rbac: RBAC, call: Call, requester: str | None = None) -> None:
    method, *arguments = call
    if method == "add_inheritance" and requester is not None:
        MODEL_APPLY[method](rbac, *arguments, requester)
        return
    MODEL_APPLY[method](rbac, *arguments)


# -- approved changes -------------------------------------------------------------------------------------------------
@contextmanager
def approving(rbac: RBAC, names: Iterable[str] | None) -> Iterator[None]:
    """Apply calls whose breaches of the exclusions ``names`` were already decided.

    ``names`` are the ``require_approval`` rules a second administrator approved breaking; None means every rule
    (a replay of the change log: the process that made the change enforced the rules, and its decision — refusal,
    approval, report — is the log's content). Nothing else is relaxed: separation-of-duty sets, cardinalities
    and cycles are checked as always."""
    with rbac.approving(rbac.exclusions() if names is None else names):
        yield
