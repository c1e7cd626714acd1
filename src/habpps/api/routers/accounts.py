"""Accounts, their roles, and « Pourquoi ? » / « Qui ? » through the API (ADM-5..7, ENG-9).

The explanations are the engine's (``habpps.authorization.explanations``): each habilitation with the group, role,
inheritance chain and unit it comes from; and for any question « may X do Y? » the engine's decision with its
reasons — asked by an administrator about an account of their scope.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema
from ninja.responses import Status as HttpStatus
from pydantic import Field

from habpps.accounts.models import Account, OrgLevel
from habpps.api.actors import actor_of, require_permission
from habpps.api.auth import person_auth
from habpps.api.problems import ApiProblem
from habpps.api.routers.model import ApprovalOut, approval_out
from habpps.api.schemas import PAGE_FIELD, SEARCH_FIELD, Input, PageMeta, StatusIn, paginate
from habpps.authorization import permissions as perms
from habpps.authorization.decisions import explain, require
from habpps.authorization.explanations import Habilitation, habilitations_of, holders_of
from habpps.authorization.models import PendingApproval
from habpps.authorization.scoping import visible_accounts
from habpps.conventions.delegation import services as delegation
from habpps.directory import services
from habpps.directory.models import AccountRoleAssignment, ServiceRole, Status
from habpps.directory.services.accounts import account_management_permission

router = Router(tags=["Comptes et habilitations"], auth=person_auth)


class AccountOut(Schema):
    id: int
    login: str
    first_name: str
    last_name: str
    email: str
    org_level: str
    fund_id: int | None
    partner_id: int | None
    status: str
    roles: list[str] = Field(description="Codes des rôles détenus par le compte lui-même.")


class AccountIn(Input):
    first_name: str = Field(min_length=1, max_length=150)
    last_name: str = Field(min_length=1, max_length=150)
    email: str = Field(min_length=3, max_length=254)
    roles: list[str] = Field(
        default_factory=list, max_length=20, description="Codes de rôles d'administration."
    )


class RoleIn(Input):
    role: str = Field(min_length=1, max_length=60, description="Code du rôle.")


class HabilitationOut(Schema):
    operation: str
    object: str
    assigned_role: str
    role_label: str
    permission_role: str
    chain: list[str]
    group: str | None
    group_label: str
    unit: str
    unit_label: str
    sentence: str = Field(description="L'explication du moteur, en français.")


class RoleOut(Schema):
    id: int
    code: str
    name: str
    service: str
    account_level: str
    status: str


class HolderPage(PageMeta):
    items: list[AccountOut]


class HabilitationFilter(Schema):
    q: str = SEARCH_FIELD


class HolderFilter(Schema):
    q: str = SEARCH_FIELD
    page: int = PAGE_FIELD


class QuestionIn(Input):
    user: str = Field(min_length=1, max_length=40, description="Identifiant du compte concerné.")
    operation: str = Field(min_length=1, max_length=60)
    obj: str = Field(alias="object", min_length=1, max_length=120)
    org: str | None = Field(
        None, min_length=1, max_length=60, description="Unité (défaut : celle du compte)."
    )


class AccessExplanationOut(Schema):
    granted: bool
    reason: str
    message: str
    path: dict | None
    closest: dict
    failed_constraints: list[dict]


def account_out(account: Account) -> dict:
    roles = (
        AccountRoleAssignment.objects.current().filter(account=account).values_list("role__code", flat=True)
    )
    return {
        **{name: getattr(account, name) for name in AccountOut.model_fields if name != "roles"},
        "roles": sorted(roles),
    }


def _roles(codes: list[str]) -> list[ServiceRole]:
    found = {r.code: r for r in ServiceRole.objects.filter(code__in=codes).exclude(status=Status.REMOVED)}
    missing = [code for code in codes if code not in found]
    if missing:
        raise ApiProblem(
            422,
            "regle-de-gestion",
            "Rôle inconnu.",
            [
                {"location": "body.roles", "code": "unknown", "message": f"Rôle inconnu : « {code} »."}
                for code in missing
            ],
        )
    return [found[code] for code in codes]


def create_account_in(actor, organisation, payload: AccountIn) -> Account:
    """Create an account of a fund or partner as its page does (delegated administration for a partner's own)."""
    if actor.org_level == OrgLevel.PARTNER:
        if payload.roles:
            raise ApiProblem(
                422, "regle-de-gestion", "L'administration déléguée ne donne pas de rôle d'administration."
            )
        return delegation.create_account(
            actor,
            organisation,
            first_name=payload.first_name,
            last_name=payload.last_name,
            email=payload.email,
        )
    return services.create_account(
        actor,
        organisation,
        first_name=payload.first_name,
        last_name=payload.last_name,
        email=payload.email,
        roles=_roles(payload.roles),
    )


def habilitation_out(h: Habilitation) -> dict:
    return {
        "operation": h.operation,
        "object": h.obj,
        "assigned_role": h.assigned_role,
        "role_label": h.role_label,
        "permission_role": h.permission_role,
        "chain": list(h.chain),
        "group": h.group,
        "group_label": h.group_label,
        "unit": h.unit,
        "unit_label": h.unit_label,
        "sentence": h.sentence,
    }


def _filtered(habilitations: list[Habilitation], q: str) -> list[dict]:
    q = q.strip().lower()
    return [
        habilitation_out(h)
        for h in habilitations
        if not q or q in f"{h.operation} {h.obj} {h.role_label} {h.group_label}".lower()
    ]


def _account_for(request: HttpRequest, account_id: int) -> Account:
    """The account, if the actor may read its habilitations in its unit (as the « Pourquoi ? » page), else 404."""
    account = get_object_or_404(Account.objects.select_related("fund", "partner__fund"), pk=account_id)
    require(actor_of(request), *perms.VIEW_HABILITATIONS, account.org_unit)
    return account


@router.get("/moi", response=AccountOut, summary="Le compte qui appelle")
def me(request: HttpRequest):
    return account_out(actor_of(request))


@router.get("/moi/habilitations", response=list[HabilitationOut], summary="Mes habilitations et leur origine")
def my_habilitations(request: HttpRequest, filters: Query[HabilitationFilter]):
    return _filtered(habilitations_of(actor_of(request)), filters.q)


@router.get("/comptes/{account_id}", response=AccountOut, summary="Un compte")
def get_account(request: HttpRequest, account_id: int):
    return account_out(_account_for(request, account_id))


@router.get(
    "/comptes/{account_id}/habilitations",
    response=list[HabilitationOut],
    summary="« Pourquoi ? » : habilitations effectives d'un compte et leur origine",
)
def account_habilitations(request: HttpRequest, account_id: int, filters: Query[HabilitationFilter]):
    return _filtered(habilitations_of(_account_for(request, account_id)), filters.q)


@router.post("/comptes/{account_id}/statut", response=AccountOut, summary="Suspendre, réactiver ou supprimer")
def set_account_status(request: HttpRequest, account_id: int, payload: StatusIn):
    actor = actor_of(request)
    account = get_object_or_404(Account.objects.select_related("fund", "partner__fund"), pk=account_id)
    require(actor, *account_management_permission(account.org_level, account.organisation))
    if actor.org_level == OrgLevel.PARTNER:
        return account_out(delegation.set_account_status(actor, account, payload.status))
    return account_out(services.set_account_status(actor, account, payload.status))


@router.post("/comptes/{account_id}/roles", response={201: AccountOut, 202: ApprovalOut},
             summary="Donner un rôle au compte (202 : en attente d'un second administrateur)")
def grant_role(request: HttpRequest, account_id: int, payload: RoleIn):
    account = get_object_or_404(Account.objects.select_related("fund", "partner__fund"), pk=account_id)
    (role,) = _roles([payload.role])
    result = services.grant_account_role(actor_of(request), account, role)
    if isinstance(result, PendingApproval):
        return HttpStatus(202, approval_out(result))
    return HttpStatus(201, account_out(account))


@router.delete("/comptes/{account_id}/roles/{code}", response=AccountOut, summary="Retirer un rôle au compte")
def revoke_role(request: HttpRequest, account_id: int, code: str):
    account = get_object_or_404(Account.objects.select_related("fund", "partner__fund"), pk=account_id)
    (role,) = _roles([code])
    services.revoke_account_role(actor_of(request), account, role)
    return account_out(account)


@router.get("/profils", response=list[RoleOut], summary="Catalogue des profils et rôles en vigueur")
def list_roles(request: HttpRequest):
    roles = (
        ServiceRole.objects.filter(status=Status.ACTIVE)
        .select_related("service")
        .order_by("service__name", "name")
    )
    return [
        {**{n: getattr(r, n) for n in RoleOut.model_fields if n != "service"}, "service": r.service.code}
        for r in roles
    ]


@router.get("/profils/{code}/titulaires", response=HolderPage, summary="« Qui ? » : titulaires d'un profil")
def role_holders(request: HttpRequest, code: str, filters: Query[HolderFilter]):
    actor = require_permission(request, perms.VIEW_HABILITATIONS)
    role = get_object_or_404(ServiceRole, code=code)
    holders = holders_of(role)
    accounts = visible_accounts(actor).order_by("last_name", "first_name")  # the engine's population (ENG-8)
    if filters.q:
        accounts = accounts.filter(login__icontains=filters.q) | accounts.filter(
            last_name__icontains=filters.q
        )
    page = paginate([a for a in accounts if a.login in holders], filters.page)
    return {**page, "items": [account_out(a) for a in page["items"]]}


@router.post(
    "/explications", response=AccessExplanationOut, summary="Pourquoi tel compte peut (ou non) faire ceci ?"
)
def explain_access(request: HttpRequest, payload: QuestionIn):
    account = Account.objects.select_related("fund", "partner__fund").filter(login=payload.user).first()
    if account is None:
        raise ApiProblem(404, "introuvable", "Cette ressource n'existe pas ou ne vous est pas accessible.")
    require(actor_of(request), *perms.VIEW_HABILITATIONS, account.org_unit)
    decision = explain(account, payload.operation, payload.obj, payload.org)
    return {**decision.as_dict(), "message": decision.message}
