from django.urls import path

from habpps.conventions.views import detail, queues

app_name = "conventions"

urlpatterns = [
    path("", queues.FundQueueView.as_view(), name="fund-queue"),
    path("reseau/", queues.NetworkConventionsView.as_view(), name="network"),
    path("verifications/", queues.VerifierQueueView.as_view(), name="verifier-queue"),
    path("nouvelle/", queues.ConventionCreateView.as_view(), name="create"),
    path("<int:pk>/", detail.ConventionDetailView.as_view(), name="detail"),
    path("<int:pk>/version/<slug:action>/", detail.VersionActionView.as_view(), name="version-action"),
    path("<int:pk>/action/<slug:action>/", detail.ConventionActionView.as_view(), name="convention-action"),
    path("documents/<int:pk>/", detail.PaperDocumentView.as_view(), name="paper-document"),
]
