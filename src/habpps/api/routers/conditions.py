"""What contextual constraints read about a person, and the conditions on one profile's permissions (ENG-5).

- ``/comptes/{id}/attributs``: an account's attributes (a declared network, a department…) that constraints read
  as the person's. Same rights and service as the account page (``directory.services.attributes``): whoever
  administers the account — the engine's permission in its unit, then the delegation perimeters. ``PUT`` adds or
  changes one value (checked against the declared type by the engine: 422 in French), ``DELETE`` removes it.
- ``/profils/{code}/conditions``: the contextual constraints one profile's grant of a permission depends on (other
  profiles holding the same permission stay unbound). Same service as the profile's page
  (``authorization.scope_services``): whoever the engine lets manage contextual constraints nationally.
- ``/profils/{code}/conditions-activation``: the contextual constraints that must hold for the profile to be
  activated in a session (at a web login, when the role switcher activates it, for a decision's
  ``active_roles``). Same service and rights as the profile's page, block « Conditions d'activation ».

Every change is journalled before/after, replayed into the engine and written by ``habpps policy export``
(``user_attributes``, ``grant_constraints``, ``activation_constraints``).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.responses import Status as HttpStatus
from pydantic import Field

from habpps.accounts.models import Account
from habpps.api.actors import actor_of, require_permission
from habpps.api.auth import person_auth
from habpps.api.lookups import service_profile
from habpps.api.problems import ApiProblem
from habpps.api.schemas import Input
from habpps.authorization import permissions as perms
from habpps.authorization import scope_services
from habpps.authorization.decisions import require
from habpps.authorization.models import ActivationConstraint, ContextConstraint, GrantConstraint
from habpps.authorization.orgs import NATIONAL_UNIT
from habpps.authorization.permission_labels import PermissionLabels
from habpps.directory.models import ServiceRole
from habpps.directory.services import attributes
from habpps.directory.services.accounts import account_management_permission
from habpps.directory.views.scope import describe_conditions

router = Router(tags=["Attributs des comptes et conditions des profils"], auth=person_auth)


# -- an account's attributes ---------------------------------------------------------------------------------------
class AttributeValueIn(Input):
    value: Any = Field(description="La valeur, du type déclaré (texte, nombre, réseau IP « 10.20.0.0/16 », liste…).")


class AccountAttributeOut(Schema):
    name: str = Field(description="Nom de la valeur lue par les contraintes.")
    label: str = Field(description="Nom en clair de l'attribut.")
    value: Any
    shown: str = Field(description="La valeur en clair.")
    read_by_a_constraint: bool = Field(description="Faux : aucune contrainte ne lit plus cet attribut.")


class OfferedAttributeOut(Schema):
    name: str
    label: str
    type: str = Field(description="Ce que la valeur doit être, en clair.")


class AccountAttributesOut(Schema):
    attributes: list[AccountAttributeOut]
    offered: list[OfferedAttributeOut] = Field(description="Les attributs que les contraintes lisent.")


def _account(request: HttpRequest, account_id: int) -> Account:
    """The account, if the actor administers it (404 otherwise, as on the pages)."""
    account = get_object_or_404(Account.objects.select_related("fund", "partner__fund"), pk=account_id)
    require(actor_of(request), *account_management_permission(account.org_level, account.organisation))
    return account


def _attributes_out(account: Account) -> dict:
    declared = attributes.subject_attributes()
    return {
        "attributes": attributes.describe(account, declared),
        "offered": [{"name": a.key, "label": a.label, "type": a.hint} for a in declared.values()],
    }


@router.get("/comptes/{account_id}/attributs", response=AccountAttributesOut, summary="Attributs d'un compte")
def account_attributes(request: HttpRequest, account_id: int):
    return _attributes_out(_account(request, account_id))


@router.put("/comptes/{account_id}/attributs/{attribute}", response=AccountAttributesOut,
            summary="Donner ou changer un attribut d'un compte")
def set_account_attribute(request: HttpRequest, account_id: int, attribute: str, payload: AttributeValueIn):
    account = _account(request, account_id)
    attributes.set_account_attribute(actor_of(request), account, attribute, payload.value)
    return _attributes_out(account)


@router.delete("/comptes/{account_id}/attributs/{attribute}", response=AccountAttributesOut,
               summary="Retirer un attribut d'un compte")
def remove_account_attribute(request: HttpRequest, account_id: int, attribute: str):
    account = _account(request, account_id)
    attributes.remove_account_attribute(actor_of(request), account, attribute)
    return _attributes_out(account)


# -- conditions on a profile's permissions ------------------------------------------------------------------------
class GrantConditionIn(Input):
    operation: str = Field(min_length=1, max_length=60)
    object: str = Field(min_length=1, max_length=120)
    constraint: str = Field(min_length=1, max_length=120, description="Nom de la contrainte contextuelle.")


class GrantConditionsIn(Input):
    constraints: list[str] = Field(description="Toutes les contraintes de cette permission du profil ; vide : aucune.")


class GrantConditionOut(Schema):
    operation: str
    object: str
    permission: str = Field(description="La permission en clair.")
    constraints: list[str] = Field(description="Les contraintes qui doivent toutes être vérifiées.")


class GrantConditionsOut(Schema):
    profile: str = Field(description="Nom du profil.")
    conditions: list[GrantConditionOut]




def _constraint(name: str) -> ContextConstraint:
    constraint = ContextConstraint.objects.filter(name=name).first()
    if constraint is None:
        raise ApiProblem(422, "contrainte-inconnue", f"Aucune contrainte contextuelle ne s'appelle « {name} ».")
    return constraint


def _conditions_out(role: ServiceRole) -> dict:
    labels = PermissionLabels()
    grouped: dict[tuple[str, str], list[str]] = {}
    for link in GrantConstraint.objects.filter(role=role).select_related("constraint"):
        grouped.setdefault((link.operation, link.obj), []).append(link.constraint.name)
    return {
        "profile": role.name,
        "conditions": [{"operation": op, "object": obj, "permission": labels(op, obj), "constraints": sorted(names)}
                       for (op, obj), names in sorted(grouped.items())],
    }


@router.get("/profils/{code}/conditions", response=GrantConditionsOut,
            summary="Conditions des permissions d'un profil")
def grant_conditions(request: HttpRequest, code: str):
    require_permission(request, perms.MANAGE_CONTEXT, NATIONAL_UNIT)
    return _conditions_out(service_profile(code))


@router.post("/profils/{code}/conditions", response={201: GrantConditionsOut},
             summary="Soumettre une permission du profil à une contrainte")
def add_grant_condition(request: HttpRequest, code: str, payload: GrantConditionIn):
    actor = require_permission(request, perms.MANAGE_CONTEXT, NATIONAL_UNIT)
    role = service_profile(code)
    scope_services.add_grant_constraint(actor, role, payload.operation, payload.object, _constraint(payload.constraint))
    return HttpStatus(201, _conditions_out(role))


@router.put("/profils/{code}/conditions/{operation}/{obj}", response=GrantConditionsOut,
            summary="Remplacer les contraintes d'une permission du profil")
def set_grant_conditions(request: HttpRequest, code: str, operation: str, obj: str, payload: GrantConditionsIn):
    actor = require_permission(request, perms.MANAGE_CONTEXT, NATIONAL_UNIT)
    role = service_profile(code)
    scope_services.set_grant_constraints(actor, role, operation, obj, [_constraint(n) for n in payload.constraints])
    return _conditions_out(role)


@router.delete("/profils/{code}/conditions/{operation}/{obj}/{name}", response=GrantConditionsOut,
               summary="Retirer une contrainte d'une permission du profil")
def remove_grant_condition(request: HttpRequest, code: str, operation: str, obj: str, name: str):
    actor = require_permission(request, perms.MANAGE_CONTEXT, NATIONAL_UNIT)
    role = service_profile(code)
    link = get_object_or_404(GrantConstraint, role=role, operation=operation, obj=obj, constraint__name=name)
    scope_services.remove_grant_constraint(actor, link)
    return _conditions_out(role)


# -- conditions of a profile's activation in a session -------------------------------------------------------------
class ActivationConditionsIn(Input):
    constraints: list[str] = Field(description="Toutes les contraintes à vérifier pour activer le profil ; vide : "
                                               "aucune.")


class ActivationConditionOut(Schema):
    name: str = Field(description="Nom de la contrainte contextuelle.")
    conditions: str = Field(description="Ce que la contrainte vérifie, en clair.")


class ActivationConditionsOut(Schema):
    profile: str = Field(description="Nom du profil.")
    constraints: list[ActivationConditionOut] = Field(
        description="Les contraintes qui doivent toutes être vérifiées, au moment de l'activation, pour que le "
                    "profil soit actif dans la session.")


def _activation_out(role: ServiceRole) -> dict:
    links = ActivationConstraint.objects.filter(role=role).select_related("constraint").order_by("constraint__name")
    return {"profile": role.name,
            "constraints": [{"name": link.constraint.name, "conditions": describe_conditions(link.constraint)}
                            for link in links]}


@router.get("/profils/{code}/conditions-activation", response=ActivationConditionsOut,
            summary="Conditions d'activation d'un profil")
def activation_conditions(request: HttpRequest, code: str):
    require_permission(request, perms.MANAGE_CONTEXT, NATIONAL_UNIT)
    return _activation_out(service_profile(code))


@router.put("/profils/{code}/conditions-activation", response=ActivationConditionsOut,
            summary="Remplacer les conditions d'activation d'un profil")
def set_activation_conditions(request: HttpRequest, code: str, payload: ActivationConditionsIn):
    actor = require_permission(request, perms.MANAGE_CONTEXT, NATIONAL_UNIT)
    role = service_profile(code)
    scope_services.set_activation_constraints(actor, role, [_constraint(n) for n in payload.constraints])
    return _activation_out(role)


@router.delete("/profils/{code}/conditions-activation/{name}", response=ActivationConditionsOut,
               summary="Retirer une condition d'activation d'un profil")
def remove_activation_condition(request: HttpRequest, code: str, name: str):
    actor = require_permission(request, perms.MANAGE_CONTEXT, NATIONAL_UNIT)
    role = service_profile(code)
    link = get_object_or_404(ActivationConstraint, role=role, constraint__name=name)
    scope_services.remove_activation_constraint(actor, link)
    return _activation_out(role)
