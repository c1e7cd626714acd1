"""Actions of the national administration on the service catalogue, partner types and doctrine (ADM-1, ADM-3)."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from habpps.authorization import permissions as perms
from habpps.authorization.decisions import authorize
from habpps.authorization.model_services import held_for_approval
from habpps.authorization.models import PendingApproval
from habpps.authorization.orgs import NATIONAL_UNIT, scope_path
from habpps.authorization.policy_cache import policy_change
from habpps.directory.models import DoctrineRule, PartnerType, RolePermission, Service, ServiceRole
from habpps.directory.records import as_record
from habpps.directory.services.common import journal_change, save_validated

NATIONAL_SCOPE = scope_path()


def create_service(actor, *, code: str, name: str, description: str = "") -> Service:
    authorize(actor, *perms.MANAGE_CATALOGUE, NATIONAL_UNIT)
    service = Service(code=code, name=name, description=description)
    with policy_change():
        save_validated(service)
        journal_change("admin.service.create", actor, service, NATIONAL_SCOPE, before=None)
    return service


def create_service_role(
    actor, service: Service, *, code: str, name: str, description: str = ""
) -> ServiceRole:
    """Add an access profile to a service; it grants nothing until permissions are given to it."""
    authorize(actor, *perms.MANAGE_CATALOGUE, NATIONAL_UNIT)
    role = ServiceRole(service=service, code=code, name=name, description=description)
    with policy_change():
        save_validated(role)
        journal_change("admin.role.create", actor, role, NATIONAL_SCOPE, before=None)
    return role


def update_service_role(actor, role: ServiceRole, *, name: str, description: str) -> ServiceRole:
    authorize(actor, *perms.MANAGE_CATALOGUE, NATIONAL_UNIT)
    with policy_change():
        role = ServiceRole.objects.select_for_update().get(pk=role.pk)
        before = as_record(role)
        role.name, role.description = name, description
        save_validated(role)
        journal_change("admin.role.update", actor, role, NATIONAL_SCOPE, before)
    return role


def set_role_permissions(
    actor, role: ServiceRole, permissions: Iterable[tuple[str, str]]
) -> ServiceRole | PendingApproval:
    """Replace the permissions a profile holds (e.g. the CDAP sections of the doctrine table, CDP-3).

    Every holder of the profile gains what is added: when that breaks a ``require_approval`` exclusion (ENG-7) the
    engine holds the change — nothing is written, the change waits in the « À approuver » queue as the returned
    `PendingApproval` and is made once a second administrator, neither its requester nor one of the profile's
    holders, approves it. Any other engine refusal comes back as a French ``ValidationError``."""
    authorize(actor, *perms.MANAGE_CATALOGUE, NATIONAL_UNIT)
    wanted = {(operation.strip(), obj.strip()) for operation, obj in permissions}
    for operation, obj in wanted:  # refuse a malformed permission before asking the engine
        RolePermission(role=role, operation=operation, obj=obj).full_clean(
            validate_unique=False, validate_constraints=False)

    def change() -> ServiceRole:
        with policy_change(requester=actor):
            held = set(role.permissions.values_list("operation", "obj"))
            for operation, obj in sorted(wanted - held):
                save_validated(RolePermission(role=role, operation=operation, obj=obj))
            for operation, obj in held - wanted:
                role.permissions.filter(operation=operation, obj=obj).delete()
            journal_change(
                "admin.role.permissions",
                actor,
                role,
                NATIONAL_SCOPE,
                before={"permissions": sorted(map(list, held))},
                data={"permissions": sorted(map(list, wanted))},
            )
        return role

    return held_for_approval(actor, "set_role_permissions", role, {"permissions": sorted(map(list, wanted))}, change)


def create_partner_type(actor, *, code: str, name: str, description: str = "") -> PartnerType:
    authorize(actor, *perms.MANAGE_DOCTRINE, NATIONAL_UNIT)
    partner_type = PartnerType(code=code, name=name, description=description)
    with policy_change():
        save_validated(partner_type)
        journal_change("admin.partner_type.create", actor, partner_type, NATIONAL_SCOPE, before=None)
    return partner_type


def set_doctrine(actor, allowed: dict[PartnerType, Iterable[ServiceRole]]) -> None:
    """Replace, for each partner type given, the profiles the national doctrine allows it (ADM-1).

    The doctrine governs what may be granted from now on: groups that already hold a profile it withdraws keep
    it until their partner's convention is amended (CNV-4), which the administrators decide case by case.
    """
    authorize(actor, *perms.MANAGE_DOCTRINE, NATIONAL_UNIT)
    with policy_change():
        for partner_type, roles in allowed.items():
            wanted = {role.pk for role in roles}
            if ServiceRole.objects.filter(pk__in=wanted).exclude(account_level="").exists():
                raise ValidationError(_("La doctrine ne porte que sur les profils d'accès des services."))
            held = set(partner_type.doctrine_rules.values_list("role_id", flat=True))
            if wanted == held:
                continue
            DoctrineRule.objects.bulk_create(
                DoctrineRule(partner_type=partner_type, role_id=role_id) for role_id in sorted(wanted - held)
            )
            partner_type.doctrine_rules.filter(role_id__in=held - wanted).delete()
            journal_change(
                "admin.doctrine.update",
                actor,
                partner_type,
                NATIONAL_SCOPE,
                before={"roles": _role_codes(held)},
                data={"roles": _role_codes(wanted)},
            )


def _role_codes(role_ids: set[int]) -> list[str]:
    return sorted(ServiceRole.objects.filter(pk__in=role_ids).values_list("code", flat=True))
