"""The national administrator's edits of CDAP's configuration: which profile sees which section (the CDP-3
table), the list of sections, and the CDP-9 figures. Each is one transaction, journalled; the section grants
are engine permissions, so changing them bumps the policy version and every process applies them promptly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.db import transaction
from django.utils import timezone

from habpps.authorization.decisions import authorize
from habpps.authorization.orgs import NATIONAL_UNIT, scope_path
from habpps.authorization.policy_cache import policy_change
from habpps.cdap.models import AbuseLimits, Section
from habpps.cdap.permissions import EDIT_SECTION_DOCTRINE, SECTION_OBJECT_PREFIX, section_permission
from habpps.directory import reference_data as ref
from habpps.directory.models import RolePermission, ServiceRole, Status
from habpps.directory.services.common import save_validated
from habpps.journal.services import record_event


def cdap_profiles():
    """The access profiles of the CDAP service, however many the catalogue holds."""
    return (
        ServiceRole.objects.filter(service__code=ref.CDAP_SERVICE["code"], account_level="")
        .exclude(status=Status.REMOVED)
        .order_by("name")
    )


def section_grants() -> dict[int, set[str]]:
    """For each CDAP profile (by primary key), the codes of the sections it is granted."""
    grants: dict[int, set[str]] = {role.pk: set() for role in cdap_profiles()}
    held = RolePermission.objects.filter(
        role_id__in=grants, operation=section_permission("x").operation, obj__startswith=SECTION_OBJECT_PREFIX
    )
    for role_id, obj in held.values_list("role_id", "obj"):
        grants[role_id].add(obj.removeprefix(SECTION_OBJECT_PREFIX))
    return grants


def set_section_grants(actor, grants: Mapping[ServiceRole, Iterable[str]]) -> list[str]:
    """Replace, for each profile given, the sections it sees; returns the codes of the profiles changed.

    Only sections of the catalogue can be granted; a profile's other permissions are left as they are.
    """
    authorize(actor, *EDIT_SECTION_DOCTRINE, NATIONAL_UNIT)
    known = set(Section.objects.values_list("code", flat=True))
    changed = []
    with policy_change():
        current = section_grants()
        for role, codes in grants.items():
            wanted = {code for code in codes if code in known}
            held = current.get(role.pk, set())
            if wanted == held:
                continue
            for code in sorted(wanted - held):
                save_validated(RolePermission(role=role, **section_permission(code)._asdict()))
            role.permissions.filter(
                operation=section_permission("x").operation,
                obj__in=[section_permission(code).obj for code in held - wanted],
            ).delete()
            record_event(
                "cdap.doctrine.update",
                actor=actor,
                org_scope=scope_path(),
                target=f"role:{role.code}",
                before={"sections": sorted(held)},
                after={"sections": sorted(wanted)},
            )
            changed.append(role.code)
    return changed


def create_section(actor, *, code: str, name: str, position: int, document_title: str = "") -> Section:
    """Add a section to the catalogue; no profile sees it until the doctrine grants it."""
    authorize(actor, *EDIT_SECTION_DOCTRINE, NATIONAL_UNIT)
    section = Section(code=code, name=name, position=position, document_title=document_title)
    with policy_change():  # a new engine object: every process re-reads the catalogue
        save_validated(section)
        record_event(
            "cdap.section.create",
            actor=actor,
            org_scope=scope_path(),
            target=f"rubrique:{section.code}",
            after={"code": code, "name": name, "position": position, "document_title": document_title},
        )
    return section


def set_section_in_service(actor, section: Section, in_service: bool) -> Section:
    """Take a section out of service (it disappears for every profile) or put it back; grants are kept."""
    authorize(actor, *EDIT_SECTION_DOCTRINE, NATIONAL_UNIT)
    with policy_change():
        section = Section.objects.select_for_update().get(pk=section.pk)
        before = {"is_active": section.is_active}
        section.is_active = in_service
        section.save(update_fields=["is_active"])
        record_event(
            "cdap.section.update",
            actor=actor,
            org_scope=scope_path(),
            target=f"rubrique:{section.code}",
            before=before,
            after={"is_active": in_service},
        )
    return section


def update_limits(actor, *, daily_ceiling: int, alert_threshold: int) -> AbuseLimits:
    """Change the CDP-9 figures; they apply from the next lookup."""
    authorize(actor, *EDIT_SECTION_DOCTRINE, NATIONAL_UNIT)
    with transaction.atomic():
        AbuseLimits.current()
        limits = AbuseLimits.objects.select_for_update().get(pk=AbuseLimits.SINGLETON_ID)
        before = {"daily_ceiling": limits.daily_ceiling, "alert_threshold": limits.alert_threshold}
        limits.daily_ceiling, limits.alert_threshold = daily_ceiling, alert_threshold
        limits.updated_at, limits.updated_by = timezone.now(), actor
        save_validated(limits)
        record_event(
            "cdap.limits.update",
            actor=actor,
            org_scope=scope_path(),
            target="cdap:limites",
            before=before,
            after={"daily_ceiling": daily_ceiling, "alert_threshold": alert_threshold},
        )
    return limits
