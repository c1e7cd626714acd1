"""Withdrawing what a convention granted (CNV-4, CNV-6): the partner's groups lose the profiles at once.

Assignments end with a date (never deleted) inside the caller's ``policy_change`` transaction, so the policy
version moves with them and every process, hence every live session, decides without them from its next
request on (ENG-11). Each withdrawn assignment is journalled with the cause.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from habpps.conventions.models import Convention, ConventionVersion
from habpps.conventions.services.common import convention_scope
from habpps.directory.models import GroupRoleAssignment
from habpps.journal.services import record_event


def removed_profiles(previous: ConventionVersion | None, version: ConventionVersion) -> set[int]:
    """The profiles ``version`` no longer grants that ``previous`` (the version in force) granted."""
    return set(previous.granted()) - set(version.granted()) if previous is not None else set()


def assignments_to_withdraw(convention: Convention, role_ids: Iterable[int]) -> list[GroupRoleAssignment]:
    """The current assignments of these profiles to the partner's groups: what withdrawing them ends."""
    role_ids = set(role_ids)
    if not role_ids:
        return []
    return list(
        GroupRoleAssignment.objects.current()
        .filter(group__partner_id=convention.partner_id, role_id__in=role_ids)
        .select_related("group", "role")
        .order_by("id")
    )


def withdraw_profiles(actor, convention: Convention, role_ids: Iterable[int], cause: str) -> int:
    """End every current assignment of these profiles to the partner's groups; returns how many ended."""
    assignments = assignments_to_withdraw(convention, role_ids)
    now = timezone.now()
    for assignment in assignments:
        assignment.ended_at, assignment.ended_by = now, actor
        assignment.save(update_fields=["ended_at", "ended_by"])
        record_event(
            "convention.access.withdraw",
            actor=actor,
            org_scope=convention_scope(convention),
            target=f"group:{assignment.group_id}",
            before={"group": assignment.group.name, "role": assignment.role.code},
            after=None,
            data={"convention": convention.reference, "cause": cause},
        )
    return len(assignments)
