"""What validating a convention version would do to the partner's people, shown before anyone validates it
(issue 17 §9, CNV-4): how many people lose which profile, which groups lose it, where a lowered user limit
leaves more holders than it allows, and whether the amendment changes nothing or ends everything.

Nothing here decides who loses what. The engine does: a copy of the live engine is given exactly what
validation does — the partner's perimeter compiled from this version (`policy_rules.perimeters`) and the end of
every group assignment of a profile the version no longer grants (`services.access.assignments_to_withdraw`,
the list validation itself ends) — and the engine's own comparison (`habpps.authorization.simulation`,
`habpps.engine.diff`) says who loses what. Someone who keeps a profile through another group, or a suspended
account, is therefore not counted, as the engine would not count him.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from habpps.authorization import policy_rules as compiled_rules
from habpps.authorization.orgs import group_name, partner_unit
from habpps.authorization.policy_cache import current_policy
from habpps.authorization.simulation import PersonChange, simulate_policies
from habpps.conventions import policy_rules
from habpps.conventions.models import ConventionVersion
from habpps.conventions.services.access import assignments_to_withdraw, removed_profiles
from habpps.conventions.services.entry import unchanged_from
from habpps.directory.models import ServiceRole
from habpps.engine import RBAC, RBACError


@dataclass(frozen=True)
class ProfileLoss:
    """One profile the version withdraws: the groups that hold it today and the people who would lose it."""

    code: str
    name: str
    service: str
    groups: list[str]
    people: list[str]

    @property
    def count(self) -> int:
        return len(self.people)


@dataclass(frozen=True)
class LimitExcess:
    """A lowered user limit under the number of current holders: they keep the profile, newcomers are refused."""

    name: str
    limit: int
    holders: int


@dataclass
class Impact:
    version_number: int
    in_force_number: int | None
    losses: list[ProfileLoss] = field(default_factory=list)
    excesses: list[LimitExcess] = field(default_factory=list)
    people: list[PersonChange] = field(default_factory=list)
    unchanged: bool = False
    """The version grants and says exactly what the version in force does: there is nothing to verify."""
    ends_everything: bool = False
    """The version grants no profile: for an amendment, that is a termination (« Résilier la convention »)."""

    @property
    def people_count(self) -> int:
        """How many distinct people lose at least one profile."""
        return len({person.login for person in self.people if person.lost_roles})

    @property
    def removes_access(self) -> bool:
        return any(loss.groups or loss.people for loss in self.losses)

    def as_dict(self) -> dict[str, Any]:
        return {
            "version": self.version_number,
            "in_force_version": self.in_force_number,
            "unchanged": self.unchanged,
            "ends_everything": self.ends_everything,
            "people_losing_access": self.people_count,
            "profiles_removed": [
                {
                    "profile": loss.code,
                    "label": loss.name,
                    "service": loss.service,
                    "groups": loss.groups,
                    "people": loss.people,
                    "count": loss.count,
                }
                for loss in self.losses
            ],
            "limits_exceeded": [
                {"label": excess.name, "limit": excess.limit, "holders": excess.holders}
                for excess in self.excesses
            ],
        }


def proposed_engine(version: ConventionVersion) -> tuple[RBAC, RBAC, dict[str, Any]]:
    """The live engine, a copy given what validating ``version`` would do (the live one is untouched), and the
    partner's perimeter the version compiles into."""
    convention = version.convention
    current = current_policy().rbac
    proposed = RBAC.load(current.export())
    unit = partner_unit(convention.partner_id)
    after = next(item for item in policy_rules.perimeters(version, partners=frozenset({version.convention.partner_id})) if item["org"] == unit)
    compiled_rules.apply_call(proposed, ["replace_perimeter", unit, None, after])
    removed = removed_profiles(convention.version_in_force(), version)
    for assignment in assignments_to_withdraw(convention, removed):
        try:
            proposed.deassign_group(group_name(assignment.group_id), assignment.role.code, org=unit)
        except RBACError:
            continue  # a suspended group or profile is not in the engine: nobody holds anything through it
    return current, proposed, after


def amendment_impact(version: ConventionVersion) -> Impact:
    """What validating ``version`` would change for the partner's people, computed by the engine."""
    convention = version.convention
    in_force = convention.version_in_force()
    impact = Impact(version.number, in_force.number if in_force else None)
    impact.ends_everything = not version.granted()
    impact.unchanged = in_force is not None and unchanged_from(in_force, version)
    if in_force is None:
        return impact  # a first version opens access; nobody loses anything
    current, proposed, perimeter = proposed_engine(version)
    simulation = simulate_policies(
        _("Validation de la version %(number)d") % {"number": version.number}, current, proposed
    )
    impact.people = [person for person in simulation.people if person.lost_roles or person.lost]
    removed = removed_profiles(in_force, version)
    groups: dict[int, list[str]] = {}
    for assignment in assignments_to_withdraw(convention, removed):
        groups.setdefault(assignment.role_id, []).append(assignment.group.name)
    for role in ServiceRole.objects.filter(pk__in=removed).select_related("service").order_by("name"):
        people = sorted(person.name for person in impact.people if role.code in person.lost_roles)
        impact.losses.append(
            ProfileLoss(role.code, role.name, role.service.name, sorted(groups.get(role.pk, [])), people)
        )
    unit = partner_unit(convention.partner_id)
    limits = perimeter.get("max_users") or {}
    names = dict(ServiceRole.objects.filter(code__in=limits).values_list("code", "name"))
    for code, limit in sorted(limits.items()):
        holders = len(proposed.holders_within(code, unit)) if code in proposed.roles() else 0
        if holders > limit:
            impact.excesses.append(LimitExcess(names.get(code, code), limit, holders))
    return impact
