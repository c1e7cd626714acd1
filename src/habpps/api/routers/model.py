"""The extended model through the API (ENG-2, 3, 6, 7): hierarchy, separation of duty, exclusions, role
properties, account limits, the « À approuver » queue and the reported violations.

Same rights as the pages, decided by the engine inside the services (``gerer modele-habilitations``,
``approuver changements``); an engine refusal is a 422 problem carrying its explanation.
"""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from pydantic import Field

from habpps.accounts.models import Account
from habpps.api.actors import actor_of, require_permission
from habpps.api.auth import person_auth
from habpps.api.lookups import service_profile
from habpps.api.problems import ApiProblem, not_found
from habpps.api.schemas import Input
from habpps.authorization import approvals, model_services
from habpps.authorization.decisions import is_allowed
from habpps.authorization.model_permissions import APPROVE_CHANGES, MANAGE_MODEL
from habpps.authorization.orgs import NATIONAL_UNIT
from habpps.authorization.separation_models import (
    AccountLimit,
    ApprovalStatus,
    Exclusion,
    PendingApproval,
    ReportedViolation,
    RoleInheritance,
    RoleRule,
    SeparationSet,
)
from habpps.directory import services as directory_services
from habpps.directory.models import ServiceRole, Status


class ApprovalOut(Schema):
    id: int
    action: str
    action_label: str
    account: str | None
    group: int | None
    role: str | None
    org: str
    status: str
    status_label: str
    message: str
    requested_by: str | None
    requested_at: str
    expires_at: str
    decided_by: str | None
    window: dict = Field(default_factory=dict, description="Période d'accès demandée (dates ISO), vide : sans limite.")


router = Router(tags=["Modèle d'habilitation"], auth=person_auth)


def _model_reader(request: HttpRequest):
    return require_permission(request, MANAGE_MODEL, NATIONAL_UNIT)




# -- hierarchy ---------------------------------------------------------------------------------------------------------
class InheritanceIn(Input):
    senior: str = Field(description="Code du rôle supérieur (il hérite).")
    junior: str = Field(description="Code du rôle hérité.")


class InheritanceOut(Schema):
    id: int
    senior: str
    senior_name: str
    junior: str
    junior_name: str


def _inheritance_out(link: RoleInheritance) -> dict:
    return {"id": link.pk, "senior": link.senior.code, "senior_name": link.senior.name,
            "junior": link.junior.code, "junior_name": link.junior.name}


@router.get("/modele/heritages", response=list[InheritanceOut], summary="Hiérarchie des rôles")
def list_inheritance(request: HttpRequest):
    _model_reader(request)
    return [_inheritance_out(link) for link in RoleInheritance.objects.select_related("senior", "junior")]


@router.post("/modele/heritages", response={201: InheritanceOut, 202: ApprovalOut},
             summary="Ajouter un héritage (202 : en attente d'un second administrateur)")
def add_inheritance(request: HttpRequest, payload: InheritanceIn):
    senior = service_profile(payload.senior, in_body=True)
    junior = service_profile(payload.junior, in_body=True)
    link = model_services.add_inheritance(actor_of(request), senior, junior)
    if isinstance(link, PendingApproval):  # a require_approval exclusion holds it (ENG-7)
        return 202, approval_out(link)
    return 201, _inheritance_out(link)


@router.delete("/modele/heritages/{link_id}", response={204: None}, summary="Retirer un héritage")
def remove_inheritance(request: HttpRequest, link_id: int):
    model_services.remove_inheritance(actor_of(request), get_object_or_404(RoleInheritance, pk=link_id))
    return 204, None


# -- separation of duty and exclusions -----------------------------------------------------------------------------------
class MemberIn(Input):
    role: str | None = Field(None, description="Code du rôle.")
    operation: str | None = Field(None, description="Opération de la permission (exclusions seulement).")
    object: str | None = Field(None, description="Objet de la permission (exclusions seulement).")
    org: str = Field("", description="Unité (« national », « fund:ID », « partner:ID ») ; vide : partout.")


class SeparationIn(Input):
    kind: Literal["ssd", "dsd"]
    name: str
    cardinality: int = 2
    members: list[MemberIn]
    description: str = ""


class MemberOut(Schema):
    role: str | None = None
    operation: str | None = None
    object: str | None = None
    org: str = ""


class SeparationOut(Schema):
    id: int
    kind: str
    name: str
    cardinality: int
    members: list[MemberOut]


def _separation_out(sod_set: SeparationSet) -> dict:
    return {"id": sod_set.pk, "kind": sod_set.kind, "name": sod_set.name, "cardinality": sod_set.cardinality,
            "members": [{"role": m.role.code, "org": m.org} for m in sod_set.members.select_related("role")]}


@router.get("/modele/separations", response=list[SeparationOut], summary="Ensembles de séparation des tâches")
def list_separations(request: HttpRequest):
    _model_reader(request)
    return [_separation_out(s) for s in SeparationSet.objects.all()]


@router.post("/modele/separations", response={201: SeparationOut}, summary="Créer un ensemble SSD ou DSD")
def create_separation(request: HttpRequest, payload: SeparationIn):
    if any(m.role is None for m in payload.members):
        raise ApiProblem(422, "membre-invalide", "Chaque membre d'un ensemble est un rôle.")
    sod_set = model_services.create_separation_set(
        actor_of(request), kind=payload.kind, name=payload.name, cardinality=payload.cardinality,
        members=[(service_profile(m.role, in_body=True), m.org) for m in payload.members],
        description=payload.description)
    return 201, _separation_out(sod_set)


@router.delete("/modele/separations/{set_id}", response={204: None}, summary="Supprimer un ensemble")
def delete_separation(request: HttpRequest, set_id: int):
    model_services.delete_separation_set(actor_of(request), get_object_or_404(SeparationSet, pk=set_id))
    return 204, None


class ExclusionIn(Input):
    name: str
    risk: Literal["block", "require_approval", "report"]
    kind: Literal["static", "dynamic"] = "static"
    cardinality: int = 2
    members: list[MemberIn]
    description: str = ""


class ExclusionOut(Schema):
    id: int
    name: str
    risk: str
    risk_label: str
    kind: str
    cardinality: int
    members: list[MemberOut]


def _exclusion_out(rule: Exclusion) -> dict:
    members = [{"role": m.role.code, "org": m.org} if m.role_id else
               {"operation": m.operation, "object": m.obj, "org": m.org} for m in rule.members.select_related("role")]
    return {"id": rule.pk, "name": rule.name, "risk": rule.risk, "risk_label": rule.get_risk_display(),
            "kind": rule.kind, "cardinality": rule.cardinality, "members": members}


@router.get("/modele/exclusions", response=list[ExclusionOut], summary="Exclusions graduées par le risque")
def list_exclusions(request: HttpRequest):
    _model_reader(request)
    return [_exclusion_out(rule) for rule in Exclusion.objects.all()]


@router.post("/modele/exclusions", response={201: ExclusionOut}, summary="Créer une exclusion")
def create_exclusion(request: HttpRequest, payload: ExclusionIn):
    members = [{"role": service_profile(m.role, in_body=True), "org": m.org} if m.role else
               {"operation": m.operation, "obj": m.object, "org": m.org} for m in payload.members]
    rule = model_services.create_exclusion(
        actor_of(request), name=payload.name, risk=payload.risk, kind=payload.kind,
        cardinality=payload.cardinality, members=members, description=payload.description)
    return 201, _exclusion_out(rule)


@router.delete("/modele/exclusions/{rule_id}", response={204: None}, summary="Supprimer une exclusion")
def delete_exclusion(request: HttpRequest, rule_id: int):
    model_services.delete_exclusion(actor_of(request), get_object_or_404(Exclusion, pk=rule_id))
    return 204, None


# -- role properties and account limits ---------------------------------------------------------------------------------
class RoleRuleIn(Input):
    descends: bool = Field(True, description="Le rôle vaut aussi dans les unités inférieures.")
    max_users: int | None = Field(None, description="Nombre maximal de titulaires ; null : sans limite.")


class RoleRuleOut(Schema):
    role: str
    name: str
    descends: bool
    max_users: int | None


@router.get("/modele/roles", response=list[RoleRuleOut], summary="Portée et limite de chaque rôle")
def list_role_rules(request: HttpRequest):
    _model_reader(request)
    rules = {rule.role_id: rule for rule in RoleRule.objects.all()}
    return [{"role": role.code, "name": role.name, "descends": rules[role.pk].descends if role.pk in rules else True,
             "max_users": rules[role.pk].max_users if role.pk in rules else None}
            for role in ServiceRole.objects.exclude(status=Status.REMOVED)]


@router.put("/modele/roles/{code}", response={200: RoleRuleOut, 202: ApprovalOut},
            summary="Régler la portée et la limite d'un rôle (202 : en attente d'un second administrateur)")
def set_role_rule(request: HttpRequest, code: str, payload: RoleRuleIn):
    role = service_profile(code, in_body=True)
    rule = model_services.set_role_rule(actor_of(request), role, descends=payload.descends,
                                        max_users=payload.max_users)
    if isinstance(rule, PendingApproval):  # a require_approval exclusion holds it (ENG-7)
        return 202, approval_out(rule)
    return 200, {"role": role.code, "name": role.name, "descends": rule.descends, "max_users": rule.max_users}


class AccountLimitIn(Input):
    max_roles: int | None = Field(None, description="Nombre maximal de rôles ; null : sans limite. Absent : inchangé.")
    max_sessions: int | None = Field(
        None, description="Nombre maximal de sessions ouvertes en même temps ; null : la règle de la plateforme "
                          "(une seule session à la fois). Absent : inchangé.")


class AccountLimitOut(Schema):
    max_roles: int | None
    max_sessions: int | None


@router.put("/comptes/{account_id}/limite-roles", response=AccountLimitOut,
            summary="Limiter le nombre de rôles et de sessions simultanées d'un compte")
def set_account_limit(request: HttpRequest, account_id: int, payload: AccountLimitIn):
    account = get_object_or_404(Account, pk=account_id)
    given = payload.model_fields_set
    keep = directory_services.KEEP
    limit = directory_services.set_account_limit(
        actor_of(request), account, payload.max_roles if "max_roles" in given else keep,
        max_sessions=payload.max_sessions if "max_sessions" in given else keep)
    return {"max_roles": limit.max_roles, "max_sessions": limit.max_sessions}


@router.get("/comptes/{account_id}/limite-roles", response=AccountLimitOut,
            summary="Limites de rôles et de sessions simultanées d'un compte")
def account_limit(request: HttpRequest, account_id: int):
    account = get_object_or_404(Account, pk=account_id)
    if not directory_services.may_limit_roles(actor_of(request), account):
        raise not_found()
    limit = AccountLimit.objects.filter(account=account).first()
    return {"max_roles": limit.max_roles if limit else None, "max_sessions": limit.max_sessions if limit else None}


# -- « À approuver » and reported violations ------------------------------------------------------------------------------
def approval_out(item: PendingApproval) -> dict:
    status = item.effective_status
    return {"id": item.pk, "action": item.action, "action_label": item.get_action_display(),
            "account": item.account.login if item.account_id else None, "group": item.group_id,
            "role": item.role.code if item.role_id else None, "org": item.org, "status": status,
            "status_label": str(ApprovalStatus(status).label), "message": item.message,
            "requested_by": item.requested_by.login if item.requested_by_id else None,
            "requested_at": item.requested_at.isoformat(), "expires_at": item.expires_at.isoformat(),
            "decided_by": item.decided_by.login if item.decided_by_id else None, "window": item.window}


class RejectIn(Input):
    reason: str = ""


@router.get("/a-approuver", response=list[ApprovalOut], summary="Changements en attente d'un second administrateur")
def list_approvals(request: HttpRequest):
    actor = require_permission(request, APPROVE_CHANGES)
    return [approval_out(item) for item in approvals.visible_approvals(actor)]


def _visible_approval(request: HttpRequest, pk: int) -> PendingApproval:
    item = get_object_or_404(PendingApproval, pk=pk)
    if not is_allowed(actor_of(request), *APPROVE_CHANGES, item.org):
        raise not_found()
    return item


@router.post("/a-approuver/{approval_id}/approuver", response=ApprovalOut, summary="Approuver et appliquer")
def approve(request: HttpRequest, approval_id: int):
    return approval_out(approvals.approve(actor_of(request), _visible_approval(request, approval_id)))


@router.post("/a-approuver/{approval_id}/refuser", response=ApprovalOut, summary="Refuser")
def reject(request: HttpRequest, approval_id: int, payload: RejectIn):
    return approval_out(approvals.reject(actor_of(request), _visible_approval(request, approval_id), payload.reason))


class ViolationOut(Schema):
    id: int
    exclusion: str
    account: str
    held: list[str]
    action: str
    at: str
    acknowledged: bool


@router.get("/infractions-signalees", response=list[ViolationOut], summary="Infractions signalées (SUP-7)")
def list_violations(request: HttpRequest):
    _model_reader(request)
    return [{"id": v.pk, "exclusion": v.exclusion, "account": v.subject, "held": v.held, "action": v.action,
             "at": v.at.isoformat(), "acknowledged": v.acknowledged_at is not None}
            for v in ReportedViolation.objects.all()]


@router.post("/infractions-signalees/{violation_id}/prise-en-compte", response={204: None},
             summary="Prendre en compte une infraction signalée")
def acknowledge(request: HttpRequest, violation_id: int):
    actor = _model_reader(request)
    approvals.acknowledge(actor, get_object_or_404(ReportedViolation, pk=violation_id))
    return 204, None
