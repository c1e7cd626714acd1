"""The elements of the ANSI RBAC model, extended with org units and groups, as plain mutable records.

`PolicyState` is the engine's single source of truth. The manager modules (`admin`, `system`, `review`) read and
change it; they never keep state of their own. Indexes are kept both ways (user → assignments and role →
assignments) because review functions and constraint checks need both directions at national scale.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple, TypeAlias

if TYPE_CHECKING:
    from habpps.engine.context import ContextAttribute, ContextConstraint
    from habpps.engine.delegation_model import AdminRole, Delegation, Perimeter
    from habpps.engine.exclusions import Exclusion, HistoryExclusion, PendingChange, ReportedViolation
    from habpps.engine.scoping import ActionLimits, FieldRule, PopulationRule
    from habpps.engine.temporal import TemporalConstraint

Permission: TypeAlias = tuple[str, str]
"""A permission is the pair ``(operation, obj)``: the standard's ``PRMS = 2^(OPS × OBS)`` element."""

RoleOrgPair: TypeAlias = tuple[str, str]
SodMember: TypeAlias = "str | RoleOrgPair"
"""A member of an SSD/DSD set: a role name, or a ``(role, org)`` pair (ENG-3: rules on role instances)."""


class Assignment(NamedTuple):
    """One way a user holds a role: directly or through a group, everywhere (org None) or in one org unit."""

    role: str
    org: str | None
    group: str | None = None


@dataclass
class UserRecord:
    max_roles: int | None = None
    max_sessions: int | None = None


@dataclass
class RoleRecord:
    max_users: int | None = None
    descends: bool = True
    """Whether authority held through this role in an org unit reaches its sub-units (thesis 4.5.2)."""


@dataclass
class SodSet:
    members: set[SodMember]
    cardinality: int


@dataclass
class Session:
    user: str
    active_roles: set[str] = field(default_factory=set)
    last_activity: datetime | None = None
    """When the session last obtained a grant (idle timeouts of temporal constraints, ENG-5)."""


AssignmentKey: TypeAlias = tuple[str, str, str, "str | None"]
"""An assignment named for temporal constraints: ("user", user, role, org) or ("group", group, role, org)."""


def assignment_key(user: str, entry: Assignment) -> AssignmentKey:
    """The key of the assignment through which ``user`` holds ``entry`` (its group's, when through a group)."""
    if entry.group is None:
        return ("user", user, entry.role, entry.org)
    return ("group", entry.group, entry.role, entry.org)


@dataclass
class PolicyState:
    users: dict[str, UserRecord] = field(default_factory=dict)
    roles: dict[str, RoleRecord] = field(default_factory=dict)
    orgs: dict[str, str | None] = field(default_factory=dict)
    org_children: dict[str, set[str]] = field(default_factory=dict)
    groups: dict[str, set[str]] = field(default_factory=dict)
    user_groups: dict[str, set[str]] = field(default_factory=dict)
    # user → {(role, org)} and the reverse role → {(user, org)}
    user_assignments: dict[str, set[tuple[str, str | None]]] = field(default_factory=dict)
    role_user_assignments: dict[str, set[tuple[str, str | None]]] = field(default_factory=dict)
    group_assignments: dict[str, set[tuple[str, str | None]]] = field(default_factory=dict)
    role_group_assignments: dict[str, set[tuple[str, str | None]]] = field(default_factory=dict)
    role_permissions: dict[str, set[Permission]] = field(default_factory=dict)
    permissions: set[Permission] = field(default_factory=set)
    juniors: dict[str, set[str]] = field(default_factory=dict)
    seniors: dict[str, set[str]] = field(default_factory=dict)
    ssd_sets: dict[str, SodSet] = field(default_factory=dict)
    dsd_sets: dict[str, SodSet] = field(default_factory=dict)
    sessions: dict[str, Session] = field(default_factory=dict)
    user_sessions: dict[str, set[str]] = field(default_factory=dict)
    version: int = 0
    # -- ENG-5 contextual and temporal constraints ------------------------------------------------------------------
    context_attributes: dict[str, ContextAttribute] = field(default_factory=dict)
    context_constraints: dict[str, ContextConstraint] = field(default_factory=dict)
    permission_constraints: dict[Permission, set[str]] = field(default_factory=dict)
    user_temporal: dict[str, TemporalConstraint] = field(default_factory=dict)
    role_temporal: dict[str, TemporalConstraint] = field(default_factory=dict)
    assignment_temporal: dict[AssignmentKey, TemporalConstraint] = field(default_factory=dict)
    activation_constraints: dict[str, set[str]] = field(default_factory=dict)
    """Role → context constraints that must hold to activate it (thesis 4.5.9: constraints on activation)."""
    grant_constraints: dict[tuple[str, Permission], set[str]] = field(default_factory=dict)
    """(role, permission) → context constraints that must hold for the role to confer that permission: the same
    permission may be unconditional through one role and conditional through another (an editor updates only
    what he owns, an administrator anything)."""
    user_attributes: dict[str, dict[str, Any]] = field(default_factory=dict)
    """User → stored subject attributes (a policy's own information point): conditions read them as subject
    attributes, over those the request carries."""
    # -- ENG-7 exclusions with risk (pending changes and reported violations are runtime records) ----------------
    exclusions: dict[str, Exclusion] = field(default_factory=dict)
    history_exclusions: dict[str, HistoryExclusion] = field(default_factory=dict)
    pending_changes: dict[int, PendingChange] = field(default_factory=dict)
    violations: list[ReportedViolation] = field(default_factory=list)
    # -- ENG-12 administrative RBAC ----------------------------------------------------------------------------------
    admin_roles: dict[str, AdminRole] = field(default_factory=dict)
    admin_assignments: dict[str, set[tuple[str, str | None]]] = field(default_factory=dict)
    delegations: dict[str, Delegation] = field(default_factory=dict)
    perimeters: dict[str, Perimeter] = field(default_factory=dict)
    user_orgs: dict[str, str] = field(default_factory=dict)
    # -- ENG-8 data scoping ------------------------------------------------------------------------------------------
    populations: dict[tuple[str, str], dict[str, PopulationRule]] = field(default_factory=dict)
    field_rules: dict[tuple[str, str], dict[str, tuple[FieldRule, ...]]] = field(default_factory=dict)
    action_limits: dict[tuple[str, str], ActionLimits] = field(default_factory=dict)


def member_role(member: SodMember) -> str:
    """The role named by an SSD/DSD member, whether it is a plain role or a (role, org) pair."""
    return member if isinstance(member, str) else member[0]


def member_org(member: SodMember) -> str | None:
    return None if isinstance(member, str) else member[1]
