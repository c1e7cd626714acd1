"""URL map of the platform: each app mounts its own ``urls`` module under a French path."""

from django.urls import include, path

from habpps.api.authzen_views import authzen
from habpps.directory.views.home import HomeView

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("compte/", include("habpps.accounts.urls")),
    path("annuaire/", include("habpps.directory.urls")),
    path("habilitations/", include("habpps.authorization.urls")),
    path("journal/", include("habpps.journal.urls")),
    path("conventions/", include("habpps.conventions.urls")),
    path("annuaire/delegation/", include("habpps.conventions.delegation.urls")),
    path("cdap/", include("habpps.cdap.urls")),
    path("supervision/", include("habpps.supervision.urls")),
    path("atelier-roles/", include("habpps.workbench.urls")),
    path("politique/", include("habpps.authorization.simulation_urls")),
    path("api/v1/", include("habpps.api.urls")),
    # OpenID AuthZEN 1.0: paths fixed by the specification (docs/api.md)
    path("access/v1/evaluation", authzen, name="authzen-evaluation"),
    path("access/v1/evaluations", authzen, name="authzen-evaluations"),
    path(".well-known/authzen-configuration", authzen, name="authzen-configuration"),
    path("sso/", include("habpps.sso.urls")),
    # OpenID Connect provider: discovery and keys under /.well-known/, protocol endpoints under /oidc/.
    path("", include("habpps.sso.oidc_urls")),
]

# French pages with the site header instead of Django's bare English ones (habpps.errors).
handler403 = "habpps.errors.forbidden"
handler404 = "habpps.errors.not_found"
handler500 = "habpps.errors.server_error"
