"""The values of administrative RBAC (ENG-12): authorities, administrative roles, delegations, perimeters and
administrative decisions. Fortress's `DelAdminMgr` model, reduced to what the partner portal needs.

An `Authority` is what an administrator may do: assign, revoke, manage users, delegate — over a set of roles,
in a set of org units (each with its sub-units; None means everywhere), optionally for some groups only. It is
a value with a lattice intersection, which is what makes "nobody grants more than they hold" structural: a
delegate's authority is always its declared authority *intersected* with its grantor's current authority.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

ABILITIES = ("assign", "revoke", "manage_user", "delegate")
ABILITY_LABELS = {"assign": "affecter", "revoke": "retirer", "manage_user": "gérer les comptes",
                  "delegate": "déléguer"}

Lineage = Callable[[str], Iterable[str]]
"""An org unit and its ancestors (nearest first)."""


def org_within(org: str, scope: frozenset[str] | None, lineage: Lineage) -> bool:
    """Whether ``org`` is one of the units of ``scope`` or below one (None scope: everywhere)."""
    return scope is None or not scope.isdisjoint(lineage(org))


def intersect_orgs(a: frozenset[str] | None, b: frozenset[str] | None, lineage: Lineage) -> frozenset[str] | None:
    """The org scope covered by both: units of each that lie within the other (subtrees intersect by nesting)."""
    if a is None:
        return b
    if b is None:
        return a
    return frozenset({x for x in a if org_within(x, b, lineage)} | {y for y in b if org_within(y, a, lineage)})


def _intersect_optional(a: frozenset[str] | None, b: frozenset[str] | None) -> frozenset[str] | None:
    if a is None:
        return b
    if b is None:
        return a
    return a & b


@dataclass(frozen=True)
class Authority:
    """What an administrator may do, over which roles, in which org units, for which groups."""

    roles: frozenset[str]
    orgs: frozenset[str] | None
    groups: frozenset[str] | None
    abilities: frozenset[str]
    source: str = ""
    """Where it comes from, for explanations: « rôle administratif X » or « délégation Y de Z »."""

    def intersect(self, other: Authority, lineage: Lineage, source: str) -> Authority:
        return Authority(
            roles=self.roles & other.roles,
            orgs=intersect_orgs(self.orgs, other.orgs, lineage),
            groups=_intersect_optional(self.groups, other.groups),
            abilities=self.abilities & other.abilities,
            source=source,
        )

    def covers_org(self, org: str | None, lineage: Lineage) -> bool:
        """An assignment in ``org``; an assignment without org (everywhere) needs an authority everywhere."""
        if org is None:
            return self.orgs is None
        return org_within(org, self.orgs, lineage)

    def covers_group(self, group: str) -> bool:
        return self.groups is None or group in self.groups

    def includes(self, other: Authority, lineage: Lineage) -> bool:
        """Whether every right of ``other`` is a right of this authority."""
        if not (other.roles <= self.roles and other.abilities <= self.abilities):
            return False
        if self.groups is not None and (other.groups is None or not other.groups <= self.groups):
            return False
        if other.orgs is None:
            return self.orgs is None
        return all(org_within(org, self.orgs, lineage) for org in other.orgs)

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source, "roles": sorted(self.roles),
            "orgs": None if self.orgs is None else sorted(self.orgs),
            "groups": None if self.groups is None else sorted(self.groups),
            "abilities": sorted(self.abilities),
        }


@dataclass(frozen=True)
class AdminRole:
    """An administrative role: authority over ``roles`` and the role range ``[range_low, range_high]`` (every
    role r with range_high ≥ r ≥ range_low, ARBAC97), in ``orgs`` (None: the org of each administrative
    assignment, or everywhere for an assignment without org)."""

    name: str
    roles: frozenset[str] = frozenset()
    role_range: tuple[str, str] | None = None
    orgs: frozenset[str] | None = None
    groups: frozenset[str] | None = None
    abilities: frozenset[str] = frozenset({"assign", "revoke", "manage_user"})

    def as_dict(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"name": self.name, "roles": sorted(self.roles), "abilities": sorted(self.abilities)}
        if self.role_range is not None:
            doc["role_range"] = {"low": self.role_range[0], "high": self.role_range[1]}
        if self.orgs is not None:
            doc["orgs"] = sorted(self.orgs)
        if self.groups is not None:
            doc["groups"] = sorted(self.groups)
        return doc


@dataclass(frozen=True)
class Delegation:
    """``grantor`` hands part of its authority to ``grantee``; effective only within the grantor's own."""

    name: str
    grantor: str
    grantee: str
    roles: frozenset[str]
    orgs: frozenset[str] | None
    groups: frozenset[str] | None
    abilities: frozenset[str]

    def declared(self) -> Authority:
        return Authority(self.roles, self.orgs, self.groups, self.abilities,
                         source=f"délégation « {self.name} » de « {self.grantor} »")

    def as_dict(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"name": self.name, "grantor": self.grantor, "grantee": self.grantee,
                               "roles": sorted(self.roles), "abilities": sorted(self.abilities)}
        if self.orgs is not None:
            doc["orgs"] = sorted(self.orgs)
        if self.groups is not None:
            doc["groups"] = sorted(self.groups)
        return doc


@dataclass(frozen=True)
class Perimeter:
    """An extra limit on what may be granted in ``org`` and below — the partner's validated convention: the
    profiles it allows and, per profile, how many users may hold it."""

    org: str
    roles: frozenset[str]
    max_users: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"org": self.org, "roles": sorted(self.roles)}
        if self.max_users:
            doc["max_users"] = dict(sorted(self.max_users.items()))
        return doc


@dataclass(frozen=True)
class AdminDecision:
    """An administrative decision (can_assign, can_revoke, can_manage_user…) with its explanation. Truthy
    when granted."""

    granted: bool
    admin: str
    action: str
    target: dict[str, Any]
    reason: str
    message: str
    authority: Authority | None = None

    def __bool__(self) -> bool:
        return self.granted

    def as_dict(self) -> dict[str, Any]:
        return {"granted": self.granted, "admin": self.admin, "action": self.action, "target": dict(self.target),
                "reason": self.reason, "message": self.message,
                "authority": self.authority.as_dict() if self.authority else None}
