"""When a whole account, or a whole profile, may be used at all (ENG-5 temporal) through the API.

Same rights and same service as the pages (``directory.services.windows``): an account's window by whoever
administers the account (the engine's permission in its unit, then the delegation perimeters), a profile's by who
administers the model. ``PUT`` sets or changes the window, ``DELETE`` lifts it; an invalid window is a 422 with the
engine's French explanation.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from pydantic import Field

from habpps.accounts.models import Account
from habpps.api.actors import actor_of, require_permission
from habpps.api.auth import person_auth
from habpps.api.lookups import service_profile
from habpps.api.routers.network import WindowIn
from habpps.authorization.access_windows import Window
from habpps.authorization.decisions import require
from habpps.authorization.model_permissions import MANAGE_MODEL
from habpps.authorization.orgs import NATIONAL_UNIT
from habpps.directory import services
from habpps.directory.services.accounts import account_management_permission

router = Router(tags=["Périodes d'accès"], auth=person_auth)


class WholeWindowOut(Schema):
    bounded: bool = Field(description="Faux : aucune limite de temps.")
    valid_from: str | None = None
    valid_until: str | None = None
    daily_from: str | None = None
    daily_until: str | None = None
    weekdays: list[int] = []
    description: str = Field(description="La période en clair.")


def _out(window: Window) -> dict:
    return {"bounded": bool(window), **window.as_json(), "weekdays": list(window.weekdays),
            "description": window.describe()}


def _account(request: HttpRequest, account_id: int) -> Account:
    """The account, if the actor administers it (404 otherwise, as on the pages)."""
    account = get_object_or_404(Account.objects.select_related("fund", "partner__fund"), pk=account_id)
    require(actor_of(request), *account_management_permission(account.org_level, account.organisation))
    return account




@router.get("/comptes/{account_id}/periode", response=WholeWindowOut, summary="Période d'accès d'un compte")
def account_window(request: HttpRequest, account_id: int):
    return _out(services.account_window(_account(request, account_id)))


@router.put("/comptes/{account_id}/periode", response=WholeWindowOut, summary="Limiter un compte dans le temps")
def set_account_window(request: HttpRequest, account_id: int, payload: WindowIn):
    account = _account(request, account_id)
    services.set_account_window(actor_of(request), account, payload.window())
    return _out(services.account_window(account))


@router.delete("/comptes/{account_id}/periode", response=WholeWindowOut, summary="Lever la période d'un compte")
def lift_account_window(request: HttpRequest, account_id: int):
    account = _account(request, account_id)
    services.set_account_window(actor_of(request), account, Window())
    return _out(services.account_window(account))


@router.get("/profils/{code}/periode", response=WholeWindowOut, summary="Période d'usage d'un profil ou d'un rôle")
def role_window(request: HttpRequest, code: str):
    require_permission(request, MANAGE_MODEL, NATIONAL_UNIT)
    return _out(services.role_window(service_profile(code)))


@router.put("/profils/{code}/periode", response=WholeWindowOut, summary="Limiter un profil dans le temps")
def set_role_window(request: HttpRequest, code: str, payload: WindowIn):
    actor = require_permission(request, MANAGE_MODEL, NATIONAL_UNIT)
    role = service_profile(code)
    services.set_role_window(actor, role, payload.window())
    return _out(services.role_window(role))


@router.delete("/profils/{code}/periode", response=WholeWindowOut, summary="Lever la période d'un profil")
def lift_role_window(request: HttpRequest, code: str):
    actor = require_permission(request, MANAGE_MODEL, NATIONAL_UNIT)
    role = service_profile(code)
    services.set_role_window(actor, role, Window())
    return _out(services.role_window(role))
