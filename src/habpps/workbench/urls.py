"""URLs of the role-engineering workbench, mounted under ``/atelier-roles/``."""

from django.urls import path

from habpps.workbench.views import gap, home, mining, rationalisation, role_models

app_name = "workbench"

urlpatterns = [
    path("", home.HomeView.as_view(), name="home"),
    path("modeles/nouveau/", role_models.ModelCreateView.as_view(), name="model-create"),
    path("modeles/comparer/", role_models.ModelDiffView.as_view(), name="model-diff"),
    path("modeles/<int:pk>/", role_models.ModelDetailView.as_view(), name="model-detail"),
    path("modeles/<int:pk>/modifier/", role_models.ModelEditView.as_view(), name="model-edit"),
    path("modeles/<int:pk>/hierarchie.svg", role_models.HierarchySvgView.as_view(), name="model-svg"),
    path("modeles/<int:pk>/modele.yaml", role_models.ModelDownloadView.as_view(), name="model-download"),
    path("modeles/<int:pk>/politique.<str:fmt>", role_models.PolicyExportView.as_view(), name="model-policy"),
    path("modeles/<int:pk>/tracabilite/", role_models.TraceabilityView.as_view(), name="model-trace"),
    path("modeles/<int:pk>/regles/", role_models.RulePreviewView.as_view(), name="model-rules"),
    path(
        "modeles/<int:pk>/rationalisation/",
        rationalisation.RationalisationView.as_view(),
        name="rationalisation",
    ),
    path(
        "modeles/<int:pk>/rationalisation/decomposer/",
        rationalisation.DecomposeView.as_view(),
        name="rationalisation-decompose",
    ),
    path(
        "modeles/<int:pk>/rationalisation/generaliser/",
        rationalisation.GeneraliseView.as_view(),
        name="rationalisation-generalise",
    ),
    path(
        "modeles/<int:pk>/rationalisation/<int:rid>/",
        rationalisation.RationalisationDetailView.as_view(),
        name="rationalisation-detail",
    ),
    path("fouilles/nouvelle/", mining.RunCreateView.as_view(), name="run-create"),
    path("fouilles/<int:pk>/", mining.RunDetailView.as_view(), name="run-detail"),
    path("fouilles/<int:pk>/modele/", mining.RunAcceptView.as_view(), name="run-accept"),
    path("ecarts/", gap.GapView.as_view(), name="gap"),
]
