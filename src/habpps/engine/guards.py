"""What a decision checks beyond the grant path: temporal availability, context constraints, object history.

`Guards` is an immutable bundle of the policy's conditional parts (ENG-5 contextual and temporal constraints,
ENG-7 history exclusions), built once per policy version. The live engine and compiled snapshots evaluate
decisions through the same `Guards`, so the two can never disagree, and neither reads anything but the request
context the caller passes in (and, for "now", the injected clock).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

from habpps.engine.context import ContextAttribute, ContextConstraint, RequestContext
from habpps.engine.exclusions import HistoryExclusion
from habpps.engine.model import Assignment, AssignmentKey, Permission, PolicyState, assignment_key
from habpps.engine.temporal import TemporalConstraint

Clock = Callable[[], datetime]
_EMPTY: Mapping[Any, Any] = MappingProxyType({})


@dataclass(frozen=True)
class Guards:
    """The conditional parts of one policy version, and their evaluation for one request."""

    clock: Clock
    attributes: Mapping[str, ContextAttribute] = field(default_factory=lambda: _EMPTY)
    constraints: Mapping[str, ContextConstraint] = field(default_factory=lambda: _EMPTY)
    links: Mapping[Permission, tuple[str, ...]] = field(default_factory=lambda: _EMPTY)
    history: Mapping[Permission, tuple[HistoryExclusion, ...]] = field(default_factory=lambda: _EMPTY)
    user_temporal: Mapping[str, TemporalConstraint] = field(default_factory=lambda: _EMPTY)
    role_temporal: Mapping[str, TemporalConstraint] = field(default_factory=lambda: _EMPTY)
    assignment_temporal: Mapping[AssignmentKey, TemporalConstraint] = field(default_factory=lambda: _EMPTY)
    conditional_permissions: frozenset[Permission] = field(default=frozenset())
    grant_links: Mapping[tuple[str, Permission], tuple[str, ...]] = field(default_factory=lambda: _EMPTY)
    """(role, permission) → constraints the role needs to confer the permission (see `grant_holds`)."""
    conditional_grants: frozenset[Permission] = field(default=frozenset())
    """Permissions that some role confers only under conditions: decisions on them look at the holding role."""
    subject_attributes: Mapping[str, Mapping[str, Any]] = field(default_factory=lambda: _EMPTY)
    """Stored attributes of users, read by conditions as subject attributes (over the request's own)."""

    @classmethod
    def of_state(cls, state: PolicyState, clock: Clock) -> Guards:
        history: dict[Permission, list[HistoryExclusion]] = {}
        for rule in state.history_exclusions.values():
            history.setdefault((rule.then, rule.obj), []).append(rule)
        links = {perm: tuple(sorted(names)) for perm, names in state.permission_constraints.items() if names}
        frozen_history = {perm: tuple(sorted(rules, key=lambda r: r.name)) for perm, rules in history.items()}
        grant_links = {key: tuple(sorted(names)) for key, names in state.grant_constraints.items() if names}
        conditional_grants = frozenset(perm for _role, perm in grant_links)
        return cls(
            clock=clock,
            attributes=MappingProxyType(dict(state.context_attributes)),
            constraints=MappingProxyType(dict(state.context_constraints)),
            links=MappingProxyType(links),
            history=MappingProxyType(frozen_history),
            user_temporal=MappingProxyType(dict(state.user_temporal)),
            role_temporal=MappingProxyType(dict(state.role_temporal)),
            assignment_temporal=MappingProxyType(dict(state.assignment_temporal)),
            conditional_permissions=frozenset(links) | frozenset(frozen_history) | conditional_grants,
            grant_links=MappingProxyType(grant_links),
            conditional_grants=conditional_grants,
            subject_attributes=MappingProxyType(
                {user: MappingProxyType(dict(values)) for user, values in state.user_attributes.items() if values}
            ),
        )

    @property
    def timed(self) -> bool:
        """Whether any temporal constraint exists (else availability checks are skipped altogether)."""
        return bool(self.user_temporal or self.role_temporal or self.assignment_temporal)

    # -- time --------------------------------------------------------------------------------------------------
    def now(self, context: Mapping[str, Any] | None) -> datetime:
        """The decision time: ``context["now"]`` when the caller gives it, else the engine's clock."""
        given = None if context is None else context.get("now")
        if given is None:
            return self.clock()
        return given if isinstance(given, datetime) else datetime.fromisoformat(str(given))

    @staticmethod
    def last_activity(context: Mapping[str, Any] | None) -> datetime | None:
        given = None if context is None else context.get("last_activity")
        if given is None or isinstance(given, datetime):
            return given
        return datetime.fromisoformat(str(given))

    # -- temporal availability ---------------------------------------------------------------------------------
    def user_failure(self, user: str, now: datetime, last: datetime | None) -> dict[str, Any] | None:
        constraint = self.user_temporal.get(user)
        reason = constraint.failure(now, last) if constraint else None
        if reason is None:
            return None
        return {"kind": "temporal", "on": "user", "user": user, "reason": reason,
                "message": f"contrainte temporelle de l'utilisateur « {user} » : {reason}"}

    def role_failure(self, role: str, now: datetime, last: datetime | None) -> dict[str, Any] | None:
        constraint = self.role_temporal.get(role)
        reason = constraint.failure(now, last) if constraint else None
        if reason is None:
            return None
        return {"kind": "temporal", "on": "role", "role": role, "reason": reason,
                "message": f"contrainte temporelle du rôle « {role} » : {reason}"}

    def entry_failure(
        self, user: str, entry: Assignment, via: str | None, now: datetime, last: datetime | None
    ) -> dict[str, Any] | None:
        """Why this assignment (and the active role ``via``) cannot be used at ``now``, or None."""
        key = assignment_key(user, entry)
        constraint = self.assignment_temporal.get(key)
        reason = constraint.failure(now, last) if constraint else None
        if reason is not None:
            holder = f"du groupe « {entry.group} »" if entry.group else f"de « {user} »"
            where = f" dans « {entry.org} »" if entry.org else ""
            return {"kind": "temporal", "on": "assignment", "role": entry.role, "org": entry.org,
                    "group": entry.group, "reason": reason,
                    "message": f"contrainte temporelle de l'affectation {holder} au rôle « {entry.role} »{where} : "
                               f"{reason}"}
        failure = self.role_failure(entry.role, now, last)
        if failure is None and via is not None and via != entry.role:
            failure = self.role_failure(via, now, last)
        return failure

    # -- conditional permissions -------------------------------------------------------------------------------
    def request(self, user: str, context: Mapping[str, Any] | None, now: datetime) -> RequestContext:
        """What conditions read for ``user``: the request context, with the user's stored attributes laid over
        the subject attributes the caller sent (the policy's own information point wins)."""
        values: Mapping[str, Any] = context or {}
        stored = self.subject_attributes.get(user)
        if stored:
            given = values.get("subject")
            values = {**values, "subject": {**given, **stored} if isinstance(given, Mapping) else stored}
        return RequestContext(values, now)

    def grant_holds(
        self, user: str, role: str, permission: Permission, context: Mapping[str, Any] | None, now: datetime
    ) -> bool:
        """Whether ``role`` confers ``permission`` on ``user`` in this request (every constraint of the grant)."""
        names = self.grant_links.get((role, permission))
        if not names:
            return True
        request = self.request(user, context, now)
        constraints = self.constraints
        return all(constraints[name].holds(request) for name in names)

    def grant_failures(
        self, user: str, role: str, permission: Permission, context: Mapping[str, Any] | None, now: datetime
    ) -> tuple[dict[str, Any], ...]:
        """The failed constraints of the grant of ``permission`` to ``role`` (empty when it confers it)."""
        names = self.grant_links.get((role, permission))
        if not names:
            return ()
        request = self.request(user, context, now)
        failures = []
        for name in names:
            failure = self.constraints[name].failure(request)
            if failure is not None:
                failures.append({**failure, "role": role})
        return tuple(failures)

    def permission_holds(
        self, user: str, permission: Permission, context: Mapping[str, Any] | None, now: datetime
    ) -> bool:
        """Whether every condition of ``permission`` holds — `permission_checks` without explanations."""
        names = self.links.get(permission, ())
        if names:
            request = self.request(user, context, now)
            constraints = self.constraints
            if not all(constraints[name].holds(request) for name in names):
                return False
        for rule in self.history.get(permission, ()):
            if rule.risk != "report" and rule.violation(user, context) is not None:
                return False
        return True

    def permission_checks(
        self, user: str, permission: Permission, context: Mapping[str, Any] | None, now: datetime
    ) -> tuple[tuple[dict[str, Any], ...], tuple[dict[str, Any], ...]]:
        """(failures that deny, breaches that are only reported) of the constraints linked to ``permission``."""
        failures: list[dict[str, Any]] = []
        reported: list[dict[str, Any]] = []
        names = self.links.get(permission, ())
        if names:
            request = self.request(user, context, now)
            for name in names:
                failure = self.constraints[name].failure(request)
                if failure is not None:
                    failures.append(failure)
        for rule in self.history.get(permission, ()):
            breach = rule.violation(user, context)
            if breach is None:
                continue
            (reported if rule.risk == "report" else failures).append(breach)
        return tuple(failures), tuple(reported)
