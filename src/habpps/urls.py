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
    path("annuaire/delegation/", include("habpps.directory.delegation.urls")),
    path("cdap/", include("habpps.cdap.urls")),
    path("supervision/", include("habpps.supervision.urls")),
    path("atelier-roles/", include("habpps.workbench.urls")),
    path("api/v1/", include("habpps.api.urls")),
    # OpenID AuthZEN 1.0: paths fixed by the specification (docs/api.md)
    path("access/v1/evaluation", authzen, name="authzen-evaluation"),
    path("access/v1/evaluations", authzen, name="authzen-evaluations"),
    path(".well-known/authzen-configuration", authzen, name="authzen-configuration"),
]
