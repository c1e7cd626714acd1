"""django-oauth-toolkit's validator with Habpps's claims: pairwise subject, organisation, habilitations."""

from __future__ import annotations

from oauth2_provider.oauth2_validators import OAuth2Validator

from habpps.sso.claims import claims_for

CLAIMS = [
    "sub",
    "preferred_username",
    "name",
    "given_name",
    "family_name",
    "email",
    "organisation",
    "habilitations",
]


class HabppsValidator(OAuth2Validator):
    """Claims per scope: ``profile`` gives the name, login and organisation, ``email`` the address and
    ``habilitations`` the service's profiles; ``openid`` alone gives the pairwise subject only."""

    oidc_claim_scope = {
        **OAuth2Validator.oidc_claim_scope,
        "organisation": "profile",
        "habilitations": "habilitations",
    }

    def get_additional_claims(self, request):
        # The token endpoint knows the client; the userinfo endpoint knows the access token it was given.
        application = getattr(request, "client", None) or request.access_token.application
        return claims_for(application.habpps_client, request.user)

    def get_discovery_claims(self, request):
        return list(CLAIMS)
