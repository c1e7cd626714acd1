"""Decisions as values (Cedar's habit): granted or not, and why — the boolean API is a shortcut over them.

One explanation algorithm serves the live engine (`RBAC.explain_access`) and compiled snapshots
(`Snapshot.explain`), through the small `DecisionInputs` view both provide, so the two can never disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from habpps.engine.hierarchy import path_between
from habpps.engine.model import Assignment

# Denial reasons, from the closest miss to the farthest.
ROLE_NOT_ACTIVE = "role_not_active"
OTHER_ORG = "other_org"
NOT_AUTHORIZED = "not_authorized"
NO_ROLE_HOLDS_PERMISSION = "no_role_holds_permission"
UNKNOWN_USER = "unknown_user"
UNKNOWN_ORG = "unknown_org"
UNAVAILABLE = "unavailable"
"""A temporal constraint (ENG-5) on the user, the role or the assignment does not hold at decision time."""
CONDITION_FAILED = "condition_failed"
"""The permission is held but a linked context constraint or a history exclusion fails (ENG-5, ENG-7)."""
GRANTED = "granted"


@dataclass(frozen=True)
class GrantPath:
    """How a user holds a permission: user → (group) → assigned role (in org) → inheritance chain → holder."""

    user: str
    group: str | None
    assigned_role: str
    assignment_org: str | None
    chain: tuple[str, ...]
    """Roles from the assigned role down to the role holding the permission (both included)."""
    active_role: str | None = None
    """The session role through which the chain passes, when the decision was made for a session."""

    @property
    def permission_role(self) -> str:
        return self.chain[-1]

    def as_dict(self) -> dict[str, Any]:
        return {
            "user": self.user,
            "group": self.group,
            "assigned_role": self.assigned_role,
            "assignment_org": self.assignment_org,
            "inheritance_chain": list(self.chain),
            "permission_role": self.permission_role,
            "active_role": self.active_role,
        }


@dataclass(frozen=True)
class Decision:
    """The result of an access decision. Truthy when granted."""

    granted: bool
    user: str | None
    operation: str
    obj: str
    org: str | None
    reason: str
    path: GrantPath | None = None
    closest: dict[str, Any] = field(default_factory=dict)
    failed_constraints: tuple[dict[str, Any], ...] = ()
    reported: tuple[dict[str, Any], ...] = ()
    """Breaches of ``report`` exclusions: the access is granted but the breach must be recorded (ENG-7)."""

    def __bool__(self) -> bool:
        return self.granted

    @property
    def reasons(self) -> list[dict[str, Any]]:
        """The grant path (when granted) as a list, Cedar-style."""
        return [self.path.as_dict()] if self.path else []

    def as_dict(self) -> dict[str, Any]:
        return {
            "granted": self.granted,
            "user": self.user,
            "operation": self.operation,
            "object": self.obj,
            "org": self.org,
            "reason": self.reason,
            "path": self.path.as_dict() if self.path else None,
            "closest": dict(self.closest),
            "failed_constraints": [dict(c) for c in self.failed_constraints],
            "reported": [dict(c) for c in self.reported],
            "message": self.message,
        }

    @property
    def message(self) -> str:
        """One French sentence saying what was decided and why."""
        what = f"« {self.operation} » sur « {self.obj} »" + (f" dans « {self.org} »" if self.org else "")
        who = f"« {self.user} »"
        if self.granted and self.path:
            p = self.path
            steps = []
            if p.group:
                steps.append(f"membre du groupe « {p.group} »")
            where = f" dans « {p.assignment_org} »" if p.assignment_org else ""
            steps.append(f"rôle « {p.assigned_role} » affecté{where}")
            if len(p.chain) > 1:
                steps.append("qui hérite de " + " puis ".join(f"« {r} »" for r in p.chain[1:]))
            steps.append(f"« {p.permission_role} » détenant la permission")
            return f"Accès accordé : {who} peut faire {what} — " + ", ".join(steps) + "."
        c = self.closest
        explanations = {
            UNKNOWN_USER: f"l'utilisateur {who} est inconnu",
            UNKNOWN_ORG: f"l'unité « {self.org} » est inconnue",
            NO_ROLE_HOLDS_PERMISSION: "aucun rôle ne détient cette permission",
            NOT_AUTHORIZED: (
                f"{who} n'est habilité à aucun des rôles qui la détiennent ("
                + ", ".join(f"« {r} »" for r in c.get("roles", []))
                + ")"
            ),
            OTHER_ORG: (
                f"{who} détient cette permission par le rôle « {c.get('role')} » mais seulement dans "
                f"« {c.get('assignment_org')} », qui ne couvre pas « {self.org} »"
            ),
            UNAVAILABLE: f"{who} ne peut pas l'utiliser en ce moment",
            CONDITION_FAILED: f"{who} détient la permission mais une condition n'est pas remplie",
            ROLE_NOT_ACTIVE: (
                f"{who} est habilité au rôle « {c.get('role')} » qui la donne, mais ce rôle n'est pas actif "
                "dans la session"
            ),
        }
        if self.failed_constraints:
            failed = self.failed_constraints[0]
            return f"Accès refusé : {what} — contrainte non satisfaite : {failed.get('message', failed)}."
        return f"Accès refusé : {what} — {explanations.get(self.reason, self.reason)}."


@dataclass(frozen=True)
class DecisionInputs:
    """What the explanation algorithm reads, whether from the live state or from a snapshot."""

    entries: list[Assignment]
    juniors: Mapping[str, Iterable[str]]
    juniors_closure: Callable[[str], frozenset[str]]
    holders: Callable[[tuple[str, str]], set[str]]
    applies: Callable[[Assignment, str | None], bool]
    user_failure: dict[str, Any] | None = None
    """Set when a temporal constraint on the user itself fails: nothing is granted."""
    entry_failure: Callable[[Assignment, str | None], dict[str, Any] | None] | None = None
    """Why an assignment (with the active role it passes through) cannot be used now; None when it can."""
    permission_checks: Callable[[tuple[str, str]], tuple[tuple[dict[str, Any], ...], tuple[dict[str, Any], ...]]] | None = None
    """(denying failures, reported breaches) of the permission's context constraints and history exclusions."""
    grant_checks: Callable[[str, tuple[str, str]], tuple[dict[str, Any], ...]] | None = None
    """The failed constraints of a role's conditional grant of the permission (empty: the role confers it)."""


def decide(
    inputs: DecisionInputs,
    user: str,
    operation: str,
    obj: str,
    org: str | None,
    active_roles: Iterable[str] | None,
) -> Decision:
    """Find a grant path, or the closest miss, for ``user`` doing ``operation`` on ``obj`` in ``org``.

    A grant path must also be usable now (temporal constraints on the assignment and its roles) and its holding
    role must confer the permission in this request (a conditional grant's constraints); once one is
    found, the permission's own conditions (context constraints, history exclusions) decide. Closest misses,
    nearest first: a temporal constraint, a role not active, another org unit, no authorized role.
    """
    base = {"user": user, "operation": operation, "obj": obj, "org": org}
    holders = inputs.holders((operation, obj))
    if not holders:
        return Decision(granted=False, reason=NO_ROLE_HOLDS_PERMISSION, **base)
    if inputs.user_failure is not None:
        return Decision(granted=False, reason=UNAVAILABLE, failed_constraints=(inputs.user_failure,), **base)
    active = None if active_roles is None else set(active_roles)
    other_org: GrantPath | None = None
    inactive: GrantPath | None = None
    unavailable: tuple[GrantPath, dict[str, Any]] | None = None
    condition_miss: tuple[GrantPath, tuple[dict[str, Any], ...]] | None = None
    ordered = sorted(inputs.entries, key=lambda e: (e.group is not None, e.group or "", e.role, e.org or ""))
    for entry in ordered:
        reachable = inputs.juniors_closure(entry.role)
        for holder in sorted(holders & reachable):
            applies = inputs.applies(entry, org)
            vias = _active_roles_on_chain(inputs, entry.role, holder, active)
            failure = None
            if applies and inputs.entry_failure is not None:
                for candidate in vias or [None]:
                    failure = inputs.entry_failure(entry, candidate)
                    if failure is None:
                        vias = [candidate] if candidate is not None else vias
                        break
            via = vias[0] if vias else None
            chain = _chain(inputs, entry.role, via, holder)
            path = GrantPath(user, entry.group, entry.role, entry.org, chain, via)
            if active is not None and via is None:
                # Not active here; still a nearer miss than "not authorized" (review defect 12): activating
                # it would grant when it applies in ``org``, else it is held only in another unit.
                if applies and inactive is None:
                    inactive = path
                elif not applies and other_org is None:
                    other_org = path
                continue
            if not applies:
                if other_org is None:
                    other_org = path
                continue
            if failure is not None:
                if unavailable is None:
                    unavailable = (path, failure)
                continue
            if inputs.grant_checks is not None:
                failures = inputs.grant_checks(holder, (operation, obj))
                if failures:
                    if condition_miss is None:
                        condition_miss = (path, failures)
                    continue
            return _conditional_grant(inputs, path, base)
    if condition_miss is not None:
        path, failures = condition_miss
        return Decision(granted=False, reason=CONDITION_FAILED, closest=path.as_dict(), failed_constraints=failures,
                        **base)
    if unavailable is not None:
        path, failure = unavailable
        return Decision(granted=False, reason=UNAVAILABLE, closest=path.as_dict(), failed_constraints=(failure,),
                        **base)
    if inactive is not None:
        return Decision(
            granted=False, reason=ROLE_NOT_ACTIVE, path=None,
            closest={"role": inactive.assigned_role, "holder": inactive.permission_role,
                     "group": inactive.group, "assignment_org": inactive.assignment_org},
            **base,
        )
    if other_org is not None:
        return Decision(
            granted=False, reason=OTHER_ORG,
            closest={"role": other_org.assigned_role, "assignment_org": other_org.assignment_org,
                     "group": other_org.group, "holder": other_org.permission_role},
            **base,
        )
    return Decision(granted=False, reason=NOT_AUTHORIZED, closest={"roles": sorted(holders)}, **base)


def _conditional_grant(inputs: DecisionInputs, path: GrantPath, base: dict[str, Any]) -> Decision:
    """Grant along ``path`` unless a condition of the permission itself fails (then deny, naming it)."""
    if inputs.permission_checks is None:
        return Decision(granted=True, reason=GRANTED, path=path, **base)
    failures, reported = inputs.permission_checks((base["operation"], base["obj"]))
    if failures:
        return Decision(granted=False, reason=CONDITION_FAILED, closest=path.as_dict(),
                        failed_constraints=failures, reported=reported, **base)
    return Decision(granted=True, reason=GRANTED, path=path, reported=reported, **base)


def _active_roles_on_chain(
    inputs: DecisionInputs, assigned: str, holder: str, active: set[str] | None
) -> list[str]:
    """The active roles between ``assigned`` and ``holder`` (inclusive) that carry the permission, sorted."""
    if active is None:
        return []
    return sorted(
        role for role in active & inputs.juniors_closure(assigned) if holder in inputs.juniors_closure(role)
    )


def _chain(inputs: DecisionInputs, assigned: str, via: str | None, holder: str) -> tuple[str, ...]:
    """Inheritance chain from the assigned role to the holder, through the active role when there is one."""
    if via is None or via == assigned:
        return tuple(path_between(assigned, holder, inputs.juniors) or (assigned, holder))
    upper = path_between(assigned, via, inputs.juniors) or [assigned, via]
    lower = path_between(via, holder, inputs.juniors) or [via, holder]
    return tuple(upper + lower[1:])
