"""The permissions of an access profile through the API (ADM-1): read them, replace them.

Who may is the engine's ``gerer catalogue`` in the national unit, as on the « Profil » page. Replacing them goes
through the same service as the page (``directory.services.set_role_permissions``): when every holder of the
profile would then break a ``require_approval`` exclusion (ENG-7), nothing is changed and the answer is 202 with the
pending request, which a second administrator decides in « À approuver » (``/a-approuver``).
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.responses import Status as HttpStatus
from pydantic import Field

from habpps.api.actors import require_permission
from habpps.api.auth import person_auth
from habpps.api.lookups import service_profile
from habpps.api.routers.model import ApprovalOut, approval_out
from habpps.api.schemas import Input
from habpps.authorization import permissions as perms
from habpps.authorization.models import PendingApproval
from habpps.authorization.orgs import NATIONAL_UNIT
from habpps.directory import services
from habpps.directory.models import ServiceRole

router = Router(tags=["Catalogue des services"], auth=person_auth)


class PermissionIn(Input):
    operation: str = Field(min_length=1, max_length=60, description="Opération, ex. « consulter ».")
    object: str = Field(min_length=1, max_length=120, description="Objet, ex. « cdap.section.dossier ».")


class RolePermissionsIn(Input):
    permissions: list[PermissionIn] = Field(max_length=500, description="Toutes les permissions du profil.")


class PermissionOut(Schema):
    operation: str
    object: str


class RolePermissionsOut(Schema):
    role: str
    name: str
    permissions: list[PermissionOut]




def _out(role: ServiceRole) -> dict:
    return {"role": role.code, "name": role.name,
            "permissions": [{"operation": p.operation, "object": p.obj}
                            for p in role.permissions.order_by("obj", "operation")]}


@router.get("/profils/{code}/permissions", response=RolePermissionsOut, summary="Permissions d'un profil")
def role_permissions(request: HttpRequest, code: str):
    require_permission(request, perms.MANAGE_CATALOGUE, NATIONAL_UNIT)
    return _out(service_profile(code))


@router.put("/profils/{code}/permissions", response={200: RolePermissionsOut, 202: ApprovalOut},
            summary="Remplacer les permissions d'un profil (202 : en attente d'un second administrateur)")
def set_role_permissions(request: HttpRequest, code: str, payload: RolePermissionsIn):
    actor = require_permission(request, perms.MANAGE_CATALOGUE, NATIONAL_UNIT)
    role = service_profile(code)
    result = services.set_role_permissions(actor, role,
                                           [(p.operation, p.object) for p in payload.permissions])
    if isinstance(result, PendingApproval):  # a require_approval exclusion holds it (ENG-7)
        return HttpStatus(202, approval_out(result))
    return HttpStatus(200, _out(role))
