"""The provider's endpoints, mounted at the site root so that the issuer is the site itself.

django-oauth-toolkit reverses its views in the ``oauth2_provider`` namespace; this module is that namespace:
the discovery document and the key set under ``/.well-known/``, the protocol endpoints under ``/oidc/``.
"""

from django.urls import path, re_path
from oauth2_provider import views as oauth_views

from habpps.sso.views.provider import AuthorizationView, DiscoveryView

app_name = "oauth2_provider"

urlpatterns = [
    re_path(r"^\.well-known/openid-configuration/?$", DiscoveryView.as_view(), name="oidc-connect-discovery-info"),
    path(".well-known/jwks.json", oauth_views.JwksInfoView.as_view(), name="jwks-info"),
    path(
        ".well-known/oauth-authorization-server",
        oauth_views.OAuthServerMetadataView.as_view(),
        name="oauth-server-metadata",
    ),
    path("oidc/authorize/", AuthorizationView.as_view(), name="authorize"),
    path("oidc/token/", oauth_views.TokenView.as_view(), name="token"),
    path("oidc/userinfo/", oauth_views.UserInfoView.as_view(), name="user-info"),
    path("oidc/logout/", oauth_views.RPInitiatedLogoutView.as_view(), name="rp-initiated-logout"),
    path("oidc/revoke/", oauth_views.RevokeTokenView.as_view(), name="revoke-token"),
    path("oidc/introspect/", oauth_views.IntrospectTokenView.as_view(), name="introspect"),
]
