"""Supervision pages, mounted by the project under ``supervision/``."""

from django.urls import path

from habpps.supervision.views import dashboards, findings, recertification, settings

app_name = "supervision"

urlpatterns = [
    path("", dashboards.HomeView.as_view(), name="home"),
    path("non-connectes/", dashboards.InactiveUsersView.as_view(), name="inactive"),
    path("actions-metier/", dashboards.BusinessActionsView.as_view(), name="business-actions"),
    path("gels/", dashboards.FreezesView.as_view(), name="freezes"),
    path("habilitations/", dashboards.HabilitationsView.as_view(), name="habilitations"),
    path("rubriques/", dashboards.SectionsView.as_view(), name="sections"),
    path("organismes/", dashboards.PartnerListView.as_view(), name="partners"),
    path("organismes/<int:pk>/", dashboards.PartnerIndicatorsView.as_view(), name="partner"),
    path("moindre-privilege/", dashboards.LeastPrivilegeView.as_view(), name="least-privilege"),
    path("constats/<int:pk>/acquitter/", findings.AcknowledgeFindingView.as_view(), name="acknowledge"),
    path(
        "infractions/<int:pk>/prendre-en-compte/",
        findings.AcknowledgeViolationView.as_view(),
        name="violation-acknowledge",
    ),
    path("recertification/", recertification.CampaignListView.as_view(), name="campaigns"),
    path("recertification/<int:pk>/", recertification.CampaignDetailView.as_view(), name="campaign"),
    path(
        "recertification/<int:pk>/cloturer/",
        recertification.CampaignCloseView.as_view(),
        name="campaign-close",
    ),
    path("recertification/a-traiter/", recertification.CertifyView.as_view(), name="recertification-todo"),
    path(
        "recertification/habilitations/<int:pk>/<str:decision>/",
        recertification.ItemDecisionView.as_view(),
        name="recertification-decide",
    ),
    path("parametres/", settings.SettingsView.as_view(), name="settings"),
]
