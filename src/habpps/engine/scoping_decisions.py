"""Scoping decisions of a snapshot (ENG-8): a subject's population filter, field access and action limits.

Computed from the snapshot's frozen data only (assignments, role closures, org tree, scoping rules, context
constraints) and the request context the caller passes: no I/O. Rules of a role apply to its seniors (role
inheritance), and a population is parameterised by the role instance — the org unit of the assignment.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from habpps.engine.context import RequestContext
from habpps.engine.guards import Guards
from habpps.engine.model import Assignment
from habpps.engine.scoping import (
    ActionLimits,
    FieldDecision,
    RecordFilter,
    ScopingPolicy,
    stronger,
    union,
)


class ScopeEvaluator:
    """Answers scoping questions for the users of one snapshot."""

    def __init__(
        self,
        policy: ScopingPolicy,
        entries: Mapping[str, tuple[Assignment, ...]],
        role_closure: Mapping[str, frozenset[str]],
        org_children: Mapping[str, Iterable[str]],
        guards: Guards | None,
    ) -> None:
        self.policy = policy
        self._entries = entries
        self._closure = role_closure
        self._children = {org: tuple(sorted(kids)) for org, kids in org_children.items()}
        self._subtrees: dict[str, frozenset[str]] = {}
        self._guards = guards

    def subtree(self, org: str) -> frozenset[str]:
        """``org`` and every unit below it (memoised: the snapshot is immutable)."""
        cached = self._subtrees.get(org)
        if cached is None:
            units = {org}
            stack = [org]
            while stack:
                for child in self._children.get(stack.pop(), ()):
                    units.add(child)
                    stack.append(child)
            cached = self._subtrees[org] = frozenset(units)
        return cached

    def _instances(self, user: str, active_roles: Iterable[str] | None,
                   context: Mapping[str, Any] | None = None) -> list[tuple[str, str | None]]:
        """(role, org of the role instance) for every role the user may use now, inherited juniors included.

        Temporal constraints (ENG-5) hold here as in access decisions (review defect 9): an assignment, a role or
        a user out of its dates, hours or weekdays at the request's ``now`` yields no population, no field access
        and no action limit. A role's window binds it as in decisions (``Guards.entry_failure``), as Fortress
        does: the assigned role and the active role it is used through, not the juniors a senior brings along —
        otherwise a list would hide what the same person's decisions grant."""
        active = None if active_roles is None else set(active_roles)
        guards = self._guards if self._guards is not None and self._guards.timed else None
        now = last = None
        if guards is not None:
            now, last = guards.now(context), guards.last_activity(context)
            if guards.user_failure(user, now, last) is not None:
                return []
        instances = []
        for entry in self._entries.get(user, ()):
            if guards is not None and guards.entry_failure(user, entry, None, now, last) is not None:
                continue
            reachable = self._closure.get(entry.role, frozenset())
            if active is None:
                roots = reachable
            else:
                via = active & reachable
                if guards is not None:
                    via = {role for role in via if guards.role_failure(role, now, last) is None}
                roots = set().union(*(self._closure.get(r, frozenset()) for r in via))
            instances.extend((role, entry.org) for role in sorted(roots))
        return instances

    # -- population ---------------------------------------------------------------------------------------------
    def population_filter(self, user: str, resource: str, population: str | None = None,
                          active_roles: Iterable[str] | None = None,
                          context: Mapping[str, Any] | None = None) -> RecordFilter:
        """The records of ``resource`` the user may see: the union, over its role instances, of the named
        ``population`` (or each role's default); `Nothing` when no rule applies (closed policy)."""
        parts = []
        for role, org in self._instances(user, active_roles, context):
            rules = self.policy.populations.get((role, resource))
            if not rules:
                continue
            if population is not None:
                chosen = [rules[population]] if population in rules else []
            else:
                chosen = [r for r in rules.values() if r.default] or (list(rules.values()) if len(rules) == 1 else [])
            parts.extend(rule.filter_for(org, self.subtree, context) for rule in chosen)
        return union(parts)

    # -- information ----------------------------------------------------------------------------------------------
    def field_access(self, user: str, resource: str, active_roles: Iterable[str] | None = None,
                     context: Mapping[str, Any] | None = None) -> dict[str, str]:
        """Field → access (``read`` or ``write``) of the user on ``resource``; absent fields are forbidden."""
        return {name: d.access for name, d in self.field_decisions(user, resource, active_roles, context).items()
                if d.access != "forbidden"}

    def field_decisions(self, user: str, resource: str, active_roles: Iterable[str] | None = None,
                        context: Mapping[str, Any] | None = None) -> dict[str, FieldDecision]:
        """Per listed field, the strongest access over the user's roles and the rule that gave it."""
        decided: dict[str, FieldDecision] = {}
        request = None
        for role in sorted({role for role, _org in self._instances(user, active_roles, context)}):
            for name, rules in self.policy.field_rules.get((role, resource), {}).items():
                if request is None:
                    request = self._request(context)
                rule = self._applicable(rules, request)
                if rule is None:
                    continue
                current = decided.get(name)
                if current is None or stronger(rule.access, current.access) != current.access:
                    how = f" (règle dynamique « {rule.when} »)" if rule.when else ""
                    decided[name] = FieldDecision(name, rule.access, role, rule.when,
                                                  f"« {name} » : {rule.access} par le rôle « {role} »{how}")
        return decided

    def explain_field(self, user: str, resource: str, field: str, active_roles: Iterable[str] | None = None,
                      context: Mapping[str, Any] | None = None) -> FieldDecision:
        decision = self.field_decisions(user, resource, active_roles, context).get(field)
        if decision is None:
            return FieldDecision(field, "forbidden", message=f"« {field} » : interdit — aucune règle ne le "
                                                             "donne (tout champ non listé est interdit)")
        return decision

    def _applicable(self, rules: tuple[Any, ...], request: RequestContext | None) -> Any:
        """The first dynamic rule whose constraint holds, else the static rule, else None."""
        static = None
        for rule in rules:
            if rule.when is None:
                static = rule
                continue
            constraint = self._guards.constraints.get(rule.when) if self._guards else None
            if constraint is not None and request is not None and constraint.failure(request) is None:
                return rule
        return static

    def _request(self, context: Mapping[str, Any] | None) -> RequestContext | None:
        if self._guards is None:
            return None
        return RequestContext(context or {}, self._guards.now(context))

    # -- action limits ----------------------------------------------------------------------------------------------
    def action_limits(self, user: str, action: str, active_roles: Iterable[str] | None = None,
                      context: Mapping[str, Any] | None = None) -> ActionLimits | None:
        """The most permissive limits of ``action`` over the user's roles usable now; None when no role limits
        it."""
        result = None
        limited = False
        for role in sorted({role for role, _org in self._instances(user, active_roles, context)}):
            limits = self.policy.action_limits.get((role, action))
            if limits is None:
                continue
            result = limits if result is None else result.most_permissive(limits)
            limited = True
        return result if limited else None
