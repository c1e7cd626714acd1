"""Single sign-on clients through the API: the national administrator registers a catalogue service as an
OpenID Connect client, changes its addresses and rotates its secret — the same services as the pages."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from pydantic import Field

from habpps.api.actors import require_permission
from habpps.api.auth import person_auth
from habpps.api.problems import not_found
from habpps.api.schemas import Input
from habpps.authorization import permissions as perms
from habpps.authorization.orgs import NATIONAL_UNIT
from habpps.directory.models import Service, Status
from habpps.sso import services
from habpps.sso.forms import ClientForm
from habpps.sso.models import ServiceClient

router = Router(tags=["Connexion unique"], auth=person_auth)


class ClientOut(Schema):
    service: str = Field(description="Code du service au catalogue.")
    service_name: str
    client_id: str
    confidential: bool = Field(description="Client confidentiel (avec secret) ou public (PKCE seul).")
    redirect_uris: list[str]
    post_logout_redirect_uris: list[str]
    backchannel_logout_uri: str


class ClientWithSecretOut(ClientOut):
    client_secret: str = Field(description="Le secret en clair : affiché cette seule fois, jamais conservé.")


class ClientIn(Input):
    redirect_uris: list[str] = Field(min_length=1, max_length=20)
    post_logout_redirect_uris: list[str] = Field(default_factory=list, max_length=20)
    backchannel_logout_uri: str = Field("", max_length=500)
    confidential: bool = True


def _out(client: ServiceClient, secret: str | None = None) -> dict:
    app = client.application
    data = {
        "service": client.service.code,
        "service_name": client.service.name,
        "client_id": app.client_id,
        "confidential": client.confidential,
        "redirect_uris": app.redirect_uris.split(),
        "post_logout_redirect_uris": app.post_logout_redirect_uris.split(),
        "backchannel_logout_uri": client.backchannel_logout_uri,
    }
    if secret is not None:
        data["client_secret"] = secret
    return data


def _service(code: str) -> Service:
    service = Service.objects.exclude(status=Status.REMOVED).filter(code=code, is_administrative=False).first()
    if service is None:
        raise not_found("Service inconnu au catalogue.")
    return service


def _settings(payload: ClientIn):
    """The same checks as the page's form (addresses, one per line there, a list here)."""
    form = ClientForm(
        data={
            "redirect_uris": "\n".join(payload.redirect_uris),
            "post_logout_redirect_uris": "\n".join(payload.post_logout_redirect_uris),
            "backchannel_logout_uri": payload.backchannel_logout_uri,
            "confidential": "1" if payload.confidential else "0",
        }
    )
    if not form.is_valid():
        raise ValidationError({field: errors for field, errors in form.errors.items()})
    return form.settings()


@router.get("/services/clients-oidc", response=list[ClientOut], summary="Services enregistrés comme clients OIDC")
def list_clients(request: HttpRequest):
    require_permission(request, perms.MANAGE_CATALOGUE, NATIONAL_UNIT)
    return [_out(client) for client in ServiceClient.objects.select_related("service", "application")]


@router.get("/services/{service_code}/client-oidc", response=ClientOut, summary="Le client OIDC d'un service")
def get_client(request: HttpRequest, service_code: str):
    require_permission(request, perms.MANAGE_CATALOGUE, NATIONAL_UNIT)
    return _out(get_object_or_404(ServiceClient, service=_service(service_code)))


@router.put(
    "/services/{service_code}/client-oidc",
    response={200: ClientOut, 201: ClientWithSecretOut},
    summary="Enregistrer un service comme client OIDC, ou changer ses adresses",
)
def put_client(request: HttpRequest, service_code: str, payload: ClientIn):
    actor = require_permission(request, perms.MANAGE_CATALOGUE, NATIONAL_UNIT)
    service = _service(service_code)
    values = _settings(payload)
    client = ServiceClient.objects.filter(service=service).first()
    if client is None:
        client, secret = services.register_client(actor, service, values)
        return 201, _out(client, secret)
    return 200, _out(services.update_client(actor, client, values))


@router.post(
    "/services/{service_code}/client-oidc/secret",
    response=ClientWithSecretOut,
    summary="Renouveler le secret d'un client OIDC (l'ancien cesse aussitôt de fonctionner)",
)
def rotate_secret(request: HttpRequest, service_code: str):
    actor = require_permission(request, perms.MANAGE_CATALOGUE, NATIONAL_UNIT)
    client = get_object_or_404(ServiceClient, service=_service(service_code))
    return _out(client, services.rotate_secret(actor, client))
