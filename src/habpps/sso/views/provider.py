"""The provider's endpoints where Habpps adds to django-oauth-toolkit: authorization and discovery."""

from __future__ import annotations

import json

from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from oauth2_provider import views as oauth_views
from oauth2_provider.settings import oauth2_settings

from habpps.sso.models import ServiceClient
from habpps.sso.signins import may_sign_in, open_sign_in


class NoHabilitation(Exception):
    def __init__(self, client: ServiceClient) -> None:
        super().__init__(client.service.name)
        self.client = client


class AuthorizationView(oauth_views.AuthorizationView):
    """The authorization endpoint behind Habpps's own login (password policy, freeze, second factor, forced
    change and one live session all apply before this view is reached); no consent screen for the portal's
    services. A person holding no profile of the service is not signed into it."""

    def create_authorization_response(self, request, scopes, credentials, allow):
        client = ServiceClient.objects.select_related("service").filter(
            application__client_id=credentials["client_id"]
        ).first()
        if client is not None and allow and not may_sign_in(client, request.user):
            raise NoHabilitation(client)
        uri, headers, body, status = super().create_authorization_response(request, scopes, credentials, allow)
        if client is not None and allow:
            open_sign_in(client, request.user, request.session.session_key or "", oauth2_settings.oidc_issuer(request))
        return uri, headers, body, status

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except NoHabilitation as refusal:
            return TemplateResponse(
                request,
                "sso/no_habilitation.html",
                {"title": _("Accès au service refusé"), "service": refusal.client.service},
                status=403,
            )


class DiscoveryView(oauth_views.ConnectDiscoveryInfoView):
    """OpenID Provider metadata, with what the toolkit does not know: back-channel logout and our claims."""

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        data = json.loads(response.content)
        data["backchannel_logout_supported"] = True
        data["backchannel_logout_session_supported"] = False
        data["subject_types_supported"] = ["pairwise"]
        data["code_challenge_methods_supported"] = ["S256"]
        data["grant_types_supported"] = ["authorization_code", "refresh_token"]
        result = JsonResponse(data)
        result["Access-Control-Allow-Origin"] = "*"
        return result
