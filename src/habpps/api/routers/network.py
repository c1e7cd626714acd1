"""The network through the API (ADM-1..3, ADM-6, ENG-4): funds, partner organisations and their groups.

Each endpoint asks what its page asks: the same engine permission in the same unit, the same scoping of lists,
the same administrative service for every change (one transaction, version bump, journal). A partner's own
administrators act through the delegated administration (ADM-4), bounded by their convention, as on their pages.
"""

from __future__ import annotations

from datetime import date, time
from typing import Annotated, Literal

from django.db.models import Q
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema
from ninja.responses import Status as HttpStatus
from pydantic import Field

from habpps.accounts.models import OrgLevel
from habpps.api.actors import actor_of, require_permission
from habpps.api.auth import person_auth
from habpps.api.problems import ApiProblem, forbidden, not_found
from habpps.api.routers.accounts import AccountIn, AccountOut, account_out, create_account_in
from habpps.api.schemas import PAGE_FIELD, SEARCH_FIELD, Input, PageMeta, StatusIn, paginate
from habpps.authorization import permissions as perms
from habpps.authorization.access_windows import Window
from habpps.authorization.decisions import require
from habpps.authorization.orgs import partner_unit
from habpps.authorization.scoping import visible_partners
from habpps.conventions.delegation import authority as delegation_rules
from habpps.conventions.delegation import services as delegation
from habpps.directory import services
from habpps.directory.models import Fund, Group, PartnerType, ServiceRole, Status
from habpps.directory.views.partners import get_partner_for

router = Router(tags=["Annuaire"], auth=person_auth)


# -- schemas ----------------------------------------------------------------------------------------------------------
class FundOut(Schema):
    id: int
    code: str
    name: str
    department: str
    status: str


class FundIn(Input):
    code: str = Field(min_length=1, max_length=8)
    name: str = Field(min_length=1, max_length=200)
    department: str = Field("", max_length=3)


class FundPatch(Input):
    code: str | None = Field(None, min_length=1, max_length=8)
    name: str | None = Field(None, min_length=1, max_length=200)
    department: str | None = Field(None, max_length=3)


class PartnerOut(Schema):
    id: int
    fund_id: int
    name: str
    siret: str
    partner_type: str
    person_kind: str
    street: str
    postal_code: str
    city: str
    status: str


class PartnerIn(Input):
    name: str = Field(min_length=1, max_length=200)
    siret: str = Field(min_length=1, max_length=20, description="14 chiffres, clé de Luhn vérifiée.")
    partner_type: str = Field(min_length=1, max_length=40, description="Code du type de partenaire.")
    person_kind: Literal["legal", "natural"] = "legal"
    street: str = Field(min_length=1, max_length=200)
    postal_code: str = Field(min_length=1, max_length=5)
    city: str = Field(min_length=1, max_length=120)


class PartnerPatch(Input):
    name: str | None = Field(None, min_length=1, max_length=200)
    siret: str | None = Field(None, min_length=1, max_length=20)
    partner_type: str | None = Field(None, min_length=1, max_length=40)
    person_kind: Literal["legal", "natural"] | None = None
    street: str | None = Field(None, min_length=1, max_length=200)
    postal_code: str | None = Field(None, min_length=1, max_length=5)
    city: str | None = Field(None, min_length=1, max_length=120)


class GroupOut(Schema):
    id: int
    partner_id: int
    name: str
    description: str
    status: str


class GroupIn(Input):
    name: str = Field(min_length=1, max_length=120)
    description: str = Field("", max_length=2000)


class GroupPatch(Input):
    name: str | None = Field(None, min_length=1, max_length=120)
    description: str | None = Field(None, max_length=2000)


class MemberOut(Schema):
    id: int
    login: str
    first_name: str
    last_name: str


class WindowIn(Input):
    """When a granted profile may be used (ENG-5); every field optional, none at all: no limit."""

    valid_from: date | None = Field(None, description="Premier jour d'accès (AAAA-MM-JJ).")
    valid_until: date | None = Field(None, description="Dernier jour d'accès, inclus : l'accès s'arrête de lui-même.")
    daily_from: time | None = Field(None, description="Chaque jour, à partir de (HH:MM).")
    daily_until: time | None = Field(None, description="Chaque jour, jusqu'à (HH:MM, exclue).")
    weekdays: list[Annotated[int, Field(ge=1, le=7)]] = Field(
        default_factory=list, max_length=7, description="Jours autorisés, 1 (lundi) à 7 (dimanche) ; vide : tous."
    )

    def window(self) -> Window:
        return Window.from_data(self.model_dump())


class WindowOut(Schema):
    valid_from: date | None = None
    valid_until: date | None = None
    daily_from: time | None = None
    daily_until: time | None = None
    weekdays: list[int] = []
    description: str = Field(description="La période en clair.")
    state: str = Field(description="« à venir », « en cours » ou « terminé ».")


class ProfileOut(Schema):
    id: int
    code: str
    name: str
    window: WindowOut | None = None


class GroupDetailOut(GroupOut):
    members: list[MemberOut]
    profiles: list[ProfileOut]


class MemberIn(Input):
    account: str = Field(min_length=1, max_length=40, description="Identifiant de connexion du compte.")


class ProfileIn(Input):
    role: str = Field(min_length=1, max_length=60, description="Code du profil d'accès.")
    window: WindowIn | None = Field(None, description="Période d'accès (facultative) : dates, heures, jours.")


class FundPage(PageMeta):
    items: list[FundOut]


class PartnerPage(PageMeta):
    items: list[PartnerOut]


class ListFilter(Schema):
    q: str = SEARCH_FIELD
    page: int = PAGE_FIELD


def partner_out(partner) -> dict:
    return {
        **{name: getattr(partner, name) for name in PartnerOut.model_fields if name != "partner_type"},
        "partner_type": partner.partner_type.code,
    }


def _partner_fields(values: dict) -> dict:
    if "partner_type" in values:
        partner_type = PartnerType.objects.filter(code=values["partner_type"], status=Status.ACTIVE).first()
        if partner_type is None:
            raise ApiProblem(
                422,
                "regle-de-gestion",
                "Type de partenaire inconnu.",
                [
                    {
                        "location": "body.partner_type",
                        "code": "unknown",
                        "message": "Type de partenaire inconnu.",
                    }
                ],
            )
        values["partner_type"] = partner_type
    return values


def _unknown(field: str, message: str) -> ApiProblem:
    return ApiProblem(
        422,
        "regle-de-gestion",
        message,
        [{"location": f"body.{field}", "code": "unknown", "message": message}],
    )


# -- funds (ADM-1) ----------------------------------------------------------------------------------------------------
@router.get("/caisses", response=FundPage, summary="Caisses du réseau")
def list_funds(request: HttpRequest, filters: Query[ListFilter]):
    require_permission(request, perms.MANAGE_FUNDS)
    funds = Fund.objects.exclude(status=Status.REMOVED)
    if filters.q:
        funds = funds.filter(Q(name__icontains=filters.q) | Q(code__startswith=filters.q))
    return paginate(funds.order_by("code"), filters.page)


@router.post("/caisses", response={201: FundOut}, summary="Créer une caisse")
def create_fund(request: HttpRequest, payload: FundIn):
    actor = require_permission(request, perms.MANAGE_FUNDS)
    return HttpStatus(201, services.create_fund(actor, **payload.model_dump()))


@router.get("/caisses/{fund_id}", response=FundOut, summary="Une caisse")
def get_fund(request: HttpRequest, fund_id: int):
    require_permission(request, perms.MANAGE_FUNDS)
    return get_object_or_404(Fund, pk=fund_id)


@router.patch("/caisses/{fund_id}", response=FundOut, summary="Modifier une caisse")
def update_fund(request: HttpRequest, fund_id: int, payload: FundPatch):
    actor = require_permission(request, perms.MANAGE_FUNDS)
    fund = get_object_or_404(Fund, pk=fund_id)
    return services.update_fund(actor, fund, **payload.model_dump(exclude_unset=True))


@router.post(
    "/caisses/{fund_id}/statut", response=FundOut, summary="Suspendre, réactiver ou supprimer une caisse"
)
def set_fund_status(request: HttpRequest, fund_id: int, payload: StatusIn):
    actor = require_permission(request, perms.MANAGE_FUNDS)
    return services.set_fund_status(actor, get_object_or_404(Fund, pk=fund_id), payload.status)


@router.get("/caisses/{fund_id}/comptes", response=list[AccountOut], summary="Agents d'une caisse")
def list_fund_accounts(request: HttpRequest, fund_id: int):
    require_permission(request, perms.MANAGE_FUNDS)
    fund = get_object_or_404(Fund, pk=fund_id)
    return [
        account_out(a) for a in fund.accounts.exclude(status="removed").order_by("last_name", "first_name")
    ]


@router.post("/caisses/{fund_id}/comptes", response={201: AccountOut}, summary="Créer un agent de caisse")
def create_fund_account(request: HttpRequest, fund_id: int, payload: AccountIn):
    actor = require_permission(request, perms.MANAGE_FUNDS)
    fund = get_object_or_404(Fund, pk=fund_id)
    return HttpStatus(201, account_out(create_account_in(actor, fund, payload)))


# -- partners (ADM-2, ADM-3) ------------------------------------------------------------------------------------------
@router.get("/partenaires", response=PartnerPage, summary="Organismes partenaires visibles")
def list_partners(request: HttpRequest, filters: Query[ListFilter]):
    actor = require_permission(request, perms.VIEW_PARTNERS)
    partners = visible_partners(actor)  # the engine's population of « organismes » (ENG-8), as on the page
    if filters.q:
        partners = partners.filter(
            Q(name__icontains=filters.q)
            | Q(siret__startswith=filters.q.replace(" ", ""))
            | Q(city__icontains=filters.q)
        )
    page = paginate(partners, filters.page)
    return {**page, "items": [partner_out(p) for p in page["items"]]}


@router.post("/partenaires", response={201: PartnerOut}, summary="Créer un partenaire de sa caisse")
def create_partner(request: HttpRequest, payload: PartnerIn):
    actor = require_permission(request, perms.MANAGE_PARTNERS)
    if actor.org_level != OrgLevel.FUND:
        raise forbidden("Seuls les agents d'une caisse créent les partenaires de leur caisse.")
    partner = services.create_partner(actor, actor.fund, **_partner_fields(payload.model_dump()))
    return HttpStatus(201, partner_out(partner))


@router.get("/partenaires/{partner_id}", response=PartnerOut, summary="Un organisme partenaire")
def get_partner(request: HttpRequest, partner_id: int):
    return partner_out(get_partner_for(actor_of(request), partner_id))


@router.patch("/partenaires/{partner_id}", response=PartnerOut, summary="Modifier l'identité d'un partenaire")
def update_partner(request: HttpRequest, partner_id: int, payload: PartnerPatch):
    actor = actor_of(request)
    partner = get_partner_for(actor, partner_id)
    values = _partner_fields(payload.model_dump(exclude_unset=True))
    return partner_out(services.update_partner(actor, partner, **values))


@router.post(
    "/partenaires/{partner_id}/statut", response=PartnerOut, summary="Suspendre, réactiver ou supprimer"
)
def set_partner_status(request: HttpRequest, partner_id: int, payload: StatusIn):
    actor = actor_of(request)
    partner = get_partner_for(actor, partner_id)
    return partner_out(services.set_partner_status(actor, partner, payload.status))


@router.get("/partenaires/{partner_id}/comptes", response=list[AccountOut], summary="Comptes d'un partenaire")
def list_partner_accounts(request: HttpRequest, partner_id: int):
    partner = get_partner_for(actor_of(request), partner_id)
    accounts = partner.accounts.exclude(status="removed").order_by("last_name", "first_name")
    return [account_out(a) for a in accounts]


@router.post("/partenaires/{partner_id}/comptes", response={201: AccountOut}, summary="Créer un compte")
def create_partner_account(request: HttpRequest, partner_id: int, payload: AccountIn):
    actor = actor_of(request)
    partner = get_partner_for(actor, partner_id)
    return HttpStatus(201, account_out(create_account_in(actor, partner, payload)))


@router.get("/partenaires/{partner_id}/groupes", response=list[GroupOut], summary="Groupes d'un partenaire")
def list_groups(request: HttpRequest, partner_id: int):
    actor = actor_of(request)
    partner = get_partner_for(actor, partner_id)
    groups = partner.groups.exclude(status=Status.REMOVED).order_by("name")
    if actor.org_level == OrgLevel.PARTNER:
        # As the delegation page lists them: a delegate sees the groups of his sub-perimeter only (ADM-4).
        authority = delegation_rules.authority_of(actor, partner)
        if authority is None:
            raise not_found()
        if authority.group_ids is not None:
            groups = groups.filter(pk__in=authority.group_ids)
    return list(groups)


@router.post("/partenaires/{partner_id}/groupes", response={201: GroupOut}, summary="Créer un groupe")
def create_group(request: HttpRequest, partner_id: int, payload: GroupIn):
    actor = actor_of(request)
    partner = get_partner_for(actor, partner_id)
    if actor.org_level == OrgLevel.PARTNER:
        return HttpStatus(201, delegation.create_group(actor, partner, **payload.model_dump()))
    return HttpStatus(201, services.create_group(actor, partner, **payload.model_dump()))


# -- groups (ENG-4, ADM-4) --------------------------------------------------------------------------------------------
def _group_for(request: HttpRequest, group_id: int) -> Group:
    """The group, if the actor manages the groups of its partner (as the group page requires), else 404."""
    group = get_object_or_404(
        Group.objects.select_related("partner__fund", "partner__partner_type"), pk=group_id
    )
    actor = actor_of(request)
    require(actor, *perms.MANAGE_GROUPS, partner_unit(group.partner_id))
    if actor.org_level == OrgLevel.PARTNER:
        # Reads obey the perimeter writes obey (finding 6): a delegate's group page is a 404 outside the
        # sub-perimeter his administrator gave him, so is the API, for reading as for changing.
        authority = delegation_rules.authority_of(actor, group.partner)
        if authority is None or not authority.covers_group(group):
            raise not_found()
    return group


def group_detail(group: Group) -> dict:
    members = group.memberships.current().select_related("account").order_by("account__last_name")
    profiles = group.role_assignments.current().select_related("role").order_by("role__name")
    return {
        **{name: getattr(group, name) for name in GroupOut.model_fields},
        "members": [m.account for m in members],
        "profiles": [profile_out(a) for a in profiles],
    }


def window_out(assignment) -> dict | None:
    """The window of a grant for the API, None when it has no limit in time."""
    window = assignment.access_window
    if not window:
        return None
    return {**window.columns(), "weekdays": list(window.weekdays), "description": window.describe(),
            "state": assignment.access_state}


def profile_out(assignment) -> dict:
    role = assignment.role
    return {"id": role.pk, "code": role.code, "name": role.name, "window": window_out(assignment)}


@router.get("/groupes/{group_id}", response=GroupDetailOut, summary="Un groupe, ses membres et ses profils")
def get_group(request: HttpRequest, group_id: int):
    return group_detail(_group_for(request, group_id))


@router.patch("/groupes/{group_id}", response=GroupOut, summary="Renommer ou décrire un groupe")
def update_group(request: HttpRequest, group_id: int, payload: GroupPatch):
    group = _group_for(request, group_id)
    return services.update_group(actor_of(request), group, **payload.model_dump(exclude_unset=True))


@router.post("/groupes/{group_id}/statut", response=GroupOut, summary="Suspendre, réactiver ou supprimer")
def set_group_status(request: HttpRequest, group_id: int, payload: StatusIn):
    group = _group_for(request, group_id)
    return services.set_group_status(actor_of(request), group, payload.status)


def _member(group: Group, login: str, field: str = "account"):
    account = group.partner.accounts.filter(login=login).first()
    if account is None:
        raise _unknown(field, "Aucun compte de cet organisme ne porte cet identifiant.")
    return account


def _profile(code: str) -> ServiceRole:
    role = ServiceRole.objects.filter(code=code).exclude(status=Status.REMOVED).first()
    if role is None:
        raise _unknown("role", "Profil d'accès inconnu.")
    return role


@router.post("/groupes/{group_id}/membres", response={201: GroupDetailOut}, summary="Ajouter un membre")
def add_member(request: HttpRequest, group_id: int, payload: MemberIn):
    actor, group = actor_of(request), _group_for(request, group_id)
    account = _member(group, payload.account)
    if actor.org_level == OrgLevel.PARTNER:
        delegation.add_member(actor, group, account)
    else:
        services.add_group_member(actor, group, account)
    return HttpStatus(201, group_detail(group))


@router.delete("/groupes/{group_id}/membres/{login}", response=GroupDetailOut, summary="Retirer un membre")
def remove_member(request: HttpRequest, group_id: int, login: str):
    actor, group = actor_of(request), _group_for(request, group_id)
    account = _member(group, login)
    if actor.org_level == OrgLevel.PARTNER:
        delegation.remove_member(actor, group, account)
    else:
        services.remove_group_member(actor, group, account)
    return group_detail(group)


@router.post("/groupes/{group_id}/profils", response={201: GroupDetailOut}, summary="Attribuer un profil")
def assign_profile(request: HttpRequest, group_id: int, payload: ProfileIn):
    actor, group = actor_of(request), _group_for(request, group_id)
    role = _profile(payload.role)
    window = payload.window.window() if payload.window else None
    if actor.org_level == OrgLevel.PARTNER:
        delegation.assign_profile(actor, group, role, window)
    else:
        services.assign_group_role(actor, group, role, window)
    return HttpStatus(201, group_detail(group))


@router.put(
    "/groupes/{group_id}/profils/{code}/periode", response=GroupDetailOut, summary="Changer la période d'accès"
)
def set_profile_window(request: HttpRequest, group_id: int, code: str, payload: WindowIn):
    """Bound in time (or free) a profile the group holds; the access stops by itself after the last day."""
    actor, group = actor_of(request), _group_for(request, group_id)
    assignment = group.role_assignments.current().filter(role=_profile(code)).first()
    if assignment is None:
        raise _unknown("role", "Le groupe n'a pas ce profil.")
    if actor.org_level == OrgLevel.PARTNER:
        delegation.set_profile_window(actor, assignment, payload.window())
    else:
        services.set_group_role_window(actor, assignment, payload.window())
    return group_detail(group)


@router.delete("/groupes/{group_id}/profils/{code}", response=GroupDetailOut, summary="Retirer un profil")
def withdraw_profile(request: HttpRequest, group_id: int, code: str):
    actor, group = actor_of(request), _group_for(request, group_id)
    role = _profile(code)
    if actor.org_level == OrgLevel.PARTNER:
        delegation.withdraw_profile(actor, group, role)
    else:
        services.unassign_group_role(actor, group, role)
    return group_detail(group)
