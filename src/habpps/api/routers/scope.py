"""Contextual constraints (ENG-5) and each profile's data scoping and action limits (ENG-8) through the API.

The same services as the pages: the engine decides whether the caller may (``gerer contraintes-contextuelles`` /
``gerer portee-des-profils`` in the national unit), checks the input with its own rules (422 in French), and
every change is journalled and replayed into the engine.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.responses import Status as HttpStatus
from pydantic import Field

from habpps.api.actors import actor_of
from habpps.api.auth import person_auth
from habpps.api.schemas import Input
from habpps.authorization import permissions as perms
from habpps.authorization import scope_services
from habpps.authorization.decisions import require
from habpps.authorization.models import (
    ActionLimit,
    ContextAttribute,
    ContextConstraint,
    FieldRule,
    PermissionConstraint,
    PopulationRule,
)
from habpps.authorization.orgs import NATIONAL_UNIT
from habpps.authorization.scope_policy import attribute_doc, field_rule_doc, population_doc
from habpps.directory.models import ServiceRole, Status

router = Router(tags=["Contraintes et portée des données"], auth=person_auth)


class AttributeIn(Input):
    name: str = Field(min_length=1, max_length=60, description="Nom en clair, cité dans les refus.")
    function: str = Field(description="current_time, weekday, current_date, current_datetime, client_ip, "
                                      "subject_attribute, object_attribute, context_value.")
    domain: str = Field("", max_length=16, description="Type, pour les attributs lus par nom.")
    parameter: str = Field("", max_length=60, description="Nom de la valeur lue, pour les attributs lus par nom.")


class ConstraintIn(Input):
    name: str = Field(min_length=1, max_length=120)
    conditions: list[dict[str, Any]] = Field(description="[{operator, operands: [{attribute}, valeur…]}]")


class ConditionsIn(Input):
    conditions: list[dict[str, Any]]


class LinkIn(Input):
    operation: str = Field(min_length=1, max_length=60)
    object: str = Field(min_length=1, max_length=120)


class PopulationIn(Input):
    resource: str = Field(min_length=1, max_length=60)
    name: str = Field(min_length=1, max_length=80)
    kind: str = Field(description="all, org_subtree, org_unit, own_file, explicit")
    field: str = Field("", max_length=60)
    values: list[str] = Field(default_factory=list)
    attribute: str = Field("", max_length=60)
    default: bool = False


class FieldRuleIn(Input):
    resource: str = Field(min_length=1, max_length=60)
    field: str = Field(min_length=1, max_length=60)
    access: str = Field(description="forbidden, read, write")
    when: str | None = Field(None, description="Nom d'une contrainte contextuelle (facultatif).")


class LimitsIn(Input):
    max_per_day: int | None = Field(None, ge=1)
    max_records: int | None = Field(None, ge=1)
    confirm_above: int | None = Field(None, ge=1)
    max_seconds: int | None = Field(None, ge=1)


class ConstraintsOut(Schema):
    attributes: list[dict[str, Any]]
    constraints: list[dict[str, Any]]


class ScopeOut(Schema):
    populations: list[dict[str, Any]]
    field_rules: list[dict[str, Any]]
    action_limits: list[dict[str, Any]]


def _constraints() -> dict:
    return {
        "attributes": [attribute_doc(a) for a in ContextAttribute.objects.all()],
        "constraints": [
            {"name": c.name, "conditions": c.conditions,
             "permissions": [{"operation": p.operation, "object": p.obj} for p in c.permissions.all()]}
            for c in ContextConstraint.objects.prefetch_related("permissions")
        ],
    }


def _national(request: HttpRequest, permission) -> Any:
    actor = actor_of(request)
    require(actor, *permission, NATIONAL_UNIT)
    return actor


@router.get("/contraintes", response=ConstraintsOut, summary="Attributs et contraintes contextuelles")
def list_constraints(request: HttpRequest):
    _national(request, perms.MANAGE_CONTEXT)
    return _constraints()


@router.post("/contraintes/attributs", response={201: ConstraintsOut}, summary="Déclarer un attribut de contexte")
def add_attribute(request: HttpRequest, payload: AttributeIn):
    actor = _national(request, perms.MANAGE_CONTEXT)
    scope_services.save_attribute(actor, None, **payload.model_dump())
    return HttpStatus(201, _constraints())


@router.delete("/contraintes/attributs/{name}", response=ConstraintsOut, summary="Supprimer un attribut inutilisé")
def delete_attribute(request: HttpRequest, name: str):
    actor = _national(request, perms.MANAGE_CONTEXT)
    scope_services.delete_attribute(actor, get_object_or_404(ContextAttribute, name=name))
    return _constraints()


@router.post("/contraintes", response={201: ConstraintsOut}, summary="Créer une contrainte contextuelle")
def add_constraint(request: HttpRequest, payload: ConstraintIn):
    actor = _national(request, perms.MANAGE_CONTEXT)
    scope_services.save_constraint(actor, None, name=payload.name, conditions=payload.conditions)
    return HttpStatus(201, _constraints())


@router.put("/contraintes/{name}", response=ConstraintsOut, summary="Remplacer les conditions d'une contrainte")
def replace_conditions(request: HttpRequest, name: str, payload: ConditionsIn):
    actor = _national(request, perms.MANAGE_CONTEXT)
    constraint = get_object_or_404(ContextConstraint, name=name)
    scope_services.save_constraint(actor, constraint, name=name, conditions=payload.conditions)
    return _constraints()


@router.delete("/contraintes/{name}", response=ConstraintsOut, summary="Supprimer une contrainte")
def delete_constraint(request: HttpRequest, name: str):
    actor = _national(request, perms.MANAGE_CONTEXT)
    scope_services.delete_constraint(actor, get_object_or_404(ContextConstraint, name=name))
    return _constraints()


@router.post("/contraintes/{name}/permissions", response={201: ConstraintsOut},
             summary="Conditionner une permission par la contrainte")
def link_permission(request: HttpRequest, name: str, payload: LinkIn):
    actor = _national(request, perms.MANAGE_CONTEXT)
    constraint = get_object_or_404(ContextConstraint, name=name)
    scope_services.link_permission(actor, payload.operation, payload.object, constraint)
    return HttpStatus(201, _constraints())


@router.delete("/contraintes/{name}/permissions/{operation}/{obj}", response=ConstraintsOut,
               summary="Retirer la condition d'une permission")
def unlink_permission(request: HttpRequest, name: str, operation: str, obj: str):
    actor = _national(request, perms.MANAGE_CONTEXT)
    link = get_object_or_404(PermissionConstraint, constraint__name=name, operation=operation, obj=obj)
    scope_services.unlink_permission(actor, link)
    return _constraints()


# -- a profile's scoping -----------------------------------------------------------------------------------------
def _role(code: str) -> ServiceRole:
    return get_object_or_404(ServiceRole.objects.exclude(status=Status.REMOVED), code=code)


def _scope(role: ServiceRole) -> dict:
    return {
        "populations": [{"resource": r.resource, **population_doc(r)} for r in PopulationRule.objects.filter(role=role)],
        "field_rules": [{"resource": r.resource, **field_rule_doc(r)}
                        for r in FieldRule.objects.filter(role=role).select_related("when")],
        "action_limits": [{"action": r.action, **r.limits()} for r in ActionLimit.objects.filter(role=role)],
    }


@router.get("/profils/{code}/portee", response=ScopeOut, summary="Populations, droits sur les champs et limites")
def get_scope(request: HttpRequest, code: str):
    _national(request, perms.MANAGE_SCOPING)
    return _scope(_role(code))


@router.post("/profils/{code}/populations", response={201: ScopeOut}, summary="Ajouter une population")
def add_population(request: HttpRequest, code: str, payload: PopulationIn):
    actor, role = _national(request, perms.MANAGE_SCOPING), _role(code)
    data = payload.model_dump()
    scope_services.add_population(actor, role, is_default=data.pop("default"), **data)
    return HttpStatus(201, _scope(role))


@router.delete("/profils/{code}/populations/{resource}/{name}", response=ScopeOut, summary="Supprimer une population")
def delete_population(request: HttpRequest, code: str, resource: str, name: str):
    actor, role = _national(request, perms.MANAGE_SCOPING), _role(code)
    scope_services.delete_population(actor, get_object_or_404(PopulationRule, role=role, resource=resource, name=name))
    return _scope(role)


@router.post("/profils/{code}/champs", response={201: ScopeOut}, summary="Fixer un droit sur un champ")
def set_field_rule(request: HttpRequest, code: str, payload: FieldRuleIn):
    actor, role = _national(request, perms.MANAGE_SCOPING), _role(code)
    when = get_object_or_404(ContextConstraint, name=payload.when) if payload.when else None
    scope_services.set_field_rule(actor, role, resource=payload.resource, field=payload.field,
                                  access=payload.access, when=when)
    return HttpStatus(201, _scope(role))


@router.put("/profils/{code}/limites/{action}", response=ScopeOut,
            summary="Fixer les limites d'une action (aucune : les lever)")
def set_limits(request: HttpRequest, code: str, action: str, payload: LimitsIn):
    actor, role = _national(request, perms.MANAGE_SCOPING), _role(code)
    scope_services.set_action_limits(actor, role, action, **payload.model_dump())
    return _scope(role)
