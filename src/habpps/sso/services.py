"""Registering a service as an OIDC client, changing it and rotating its secret: journalled, secrets hashed.

A client secret is drawn here, handed back once to be shown to the administrator, and stored only as
django-oauth-toolkit's hash: nobody — administrator, auditor or database reader — can read it again; a lost
secret is rotated, never recovered.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import Application

from habpps.authorization import permissions as perms
from habpps.authorization.decisions import authorize
from habpps.authorization.orgs import NATIONAL_UNIT
from habpps.directory.models import Service
from habpps.journal.services import record_event
from habpps.sso.models import ServiceClient


@dataclass(frozen=True)
class ClientSettings:
    """What the administrator says of a service's client."""

    redirect_uris: list[str]
    post_logout_redirect_uris: list[str]
    backchannel_logout_uri: str
    confidential: bool


def _record(client: ServiceClient) -> dict:
    app = client.application
    return {
        "service": client.service.name,
        "client_id": app.client_id,
        "type": "confidentiel" if client.confidential else "public (PKCE)",
        "redirect_uris": app.redirect_uris.split(),
        "post_logout_redirect_uris": app.post_logout_redirect_uris.split(),
        "backchannel_logout_uri": client.backchannel_logout_uri,
    }


def _apply(app: Application, values: ClientSettings) -> None:
    app.redirect_uris = " ".join(values.redirect_uris)
    app.post_logout_redirect_uris = " ".join(values.post_logout_redirect_uris)
    app.client_type = Application.CLIENT_CONFIDENTIAL if values.confidential else Application.CLIENT_PUBLIC


def register_client(actor, service: Service, values: ClientSettings) -> tuple[ServiceClient, str]:
    """Make ``service`` an OIDC client; returns the client and its secret in clear (to show once; "" if public)."""
    authorize(actor, perms.MANAGE_CATALOGUE.operation, perms.MANAGE_CATALOGUE.obj, NATIONAL_UNIT)
    secret = generate_client_secret() if values.confidential else ""
    with transaction.atomic():
        app = Application(
            name=service.name,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            algorithm=Application.RS256_ALGORITHM,
            skip_authorization=True,  # the portal's own services: no consent screen
            client_secret=secret,
            hash_client_secret=True,
        )
        _apply(app, values)
        app.full_clean(exclude=["client_secret", "user"])
        app.save()
        client = ServiceClient.objects.create(
            service=service, application=app, backchannel_logout_uri=values.backchannel_logout_uri
        )
        record_event(
            "admin.sso.client.create", actor=actor, org_scope="national", target=service.code, after=_record(client)
        )
    return client, secret


def update_client(actor, client: ServiceClient, values: ClientSettings) -> ServiceClient:
    authorize(actor, perms.MANAGE_CATALOGUE.operation, perms.MANAGE_CATALOGUE.obj, NATIONAL_UNIT)
    with transaction.atomic():
        before = _record(client)
        app = client.application
        became_public = client.confidential and not values.confidential
        _apply(app, values)
        if became_public:
            app.client_secret = ""
        app.full_clean(exclude=["client_secret", "user"])
        app.save()
        client.backchannel_logout_uri = values.backchannel_logout_uri
        client.save(update_fields=["backchannel_logout_uri"])
        record_event(
            "admin.sso.client.update",
            actor=actor,
            org_scope="national",
            target=client.service.code,
            before=before,
            after=_record(client),
        )
    return client


def rotate_secret(actor, client: ServiceClient) -> str:
    """Draw a new secret (the old one stops working at once) and return it in clear, to show once."""
    authorize(actor, perms.MANAGE_CATALOGUE.operation, perms.MANAGE_CATALOGUE.obj, NATIONAL_UNIT)
    secret = generate_client_secret()
    with transaction.atomic():
        app = client.application
        app.client_type = Application.CLIENT_CONFIDENTIAL
        app.client_secret = secret
        app.hash_client_secret = True
        app.save()
        client.secret_rotated_at = timezone.now()
        client.save(update_fields=["secret_rotated_at"])
        record_event(
            "admin.sso.client.secret_rotate",
            actor=actor,
            org_scope="national",
            target=client.service.code,
            data={"service": client.service.name, "client_id": app.client_id},
        )
    return secret
