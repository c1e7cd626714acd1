"""Withdrawing what a convention granted (CNV-4, CNV-6): the partner's groups lose the profiles at once.

Assignments end with a date (never deleted) inside the caller's ``policy_change`` transaction, so the policy
version moves with them and every process, hence every live session, decides without them from its next
request on (ENG-11). Each withdrawn assignment is journalled with the cause.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from habpps.conventions.models import Convention
from habpps.conventions.services.common import convention_scope
from habpps.directory.models import GroupRoleAssignment
from habpps.journal.services import record_event


def withdraw_profiles(actor, convention: Convention, role_ids: Iterable[int], cause: str) -> int:
    """End every current assignment of these profiles to the partner's groups; returns how many ended."""
    role_ids = set(role_ids)
    if not role_ids:
        return 0
    assignments = list(
        GroupRoleAssignment.objects.current()
        .filter(group__partner_id=convention.partner_id, role_id__in=role_ids)
        .select_related("group", "role")
        .order_by("id")
    )
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
