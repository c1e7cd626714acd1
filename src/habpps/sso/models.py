"""A portal service registered as an OpenID Connect client, and who signed into it."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from oauth2_provider.models import Application


def new_subject_salt() -> str:
    return secrets.token_hex(16)


class ServiceClient(models.Model):
    """The OIDC client of one service of the catalogue.

    The OAuth side (client id, hashed secret, redirect and post-logout URIs, client type) lives in
    django-oauth-toolkit's ``Application``; this row ties it to the catalogue's service and adds what the
    toolkit lacks: the back-channel logout URI and the salt of the service's pairwise subjects.
    """

    service = models.OneToOneField(
        "directory.Service", verbose_name=_("service"), on_delete=models.PROTECT, related_name="oidc_client"
    )
    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="habpps_client")
    backchannel_logout_uri = models.URLField(_("adresse de déconnexion par canal arrière"), blank=True)
    subject_salt = models.CharField(max_length=32, default=new_subject_salt, editable=False)
    created_at = models.DateTimeField(_("enregistré le"), auto_now_add=True)
    secret_rotated_at = models.DateTimeField(_("secret renouvelé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("client OpenID Connect")
        verbose_name_plural = _("clients OpenID Connect")
        ordering = ["service__name"]

    def __str__(self) -> str:
        return str(self.service)

    @property
    def confidential(self) -> bool:
        return self.application.client_type == Application.CLIENT_CONFIDENTIAL


class SignIn(models.Model):
    """A person signed into a service through Habpps: whom to tell when his session or habilitation ends."""

    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="service_sign_ins"
    )
    client = models.ForeignKey(ServiceClient, on_delete=models.CASCADE, related_name="sign_ins")
    session_key = models.CharField(max_length=40, blank=True)
    # The issuer its ID token named, which its logout token must name too (it follows the request's host
    # unless HABPPS_OIDC_ISSUER fixes it).
    issuer = models.CharField(max_length=300, blank=True)
    signed_in_at = models.DateTimeField(_("connecté le"))
    ended_at = models.DateTimeField(_("déconnecté le"), null=True, blank=True)
    end_reason = models.CharField(_("motif"), max_length=40, blank=True)
    backchannel_status = models.CharField(_("service prévenu"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("connexion à un service")
        verbose_name_plural = _("connexions aux services")
        ordering = ["-signed_in_at"]
        indexes = [models.Index(fields=["account", "ended_at"]), models.Index(fields=["ended_at"])]


class ExampleLogout(models.Model):
    """The example service's own memory of back-channel logouts it received (demo): which subject, when."""

    subject = models.CharField(max_length=64, db_index=True)
    received_at = models.DateTimeField(auto_now_add=True)
