"""The elements of the ANSI RBAC model, extended with org units and groups, as plain mutable records.

`PolicyState` is the engine's single source of truth. The manager modules (`admin`, `system`, `review`) read and
change it; they never keep state of their own. Indexes are kept both ways (user → assignments and role →
assignments) because review functions and constraint checks need both directions at national scale.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple, TypeAlias

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


def member_role(member: SodMember) -> str:
    """The role named by an SSD/DSD member, whether it is a plain role or a (role, org) pair."""
    return member if isinstance(member, str) else member[0]


def member_org(member: SodMember) -> str | None:
    return None if isinstance(member, str) else member[1]
