"""URLs of the policy pages: « Simuler » (what-if of a policy document or one change, and applying a document)
and the download of the current policy document."""

from django.urls import path

from habpps.authorization.simulation_views import PolicyExportView, SimulationView

app_name = "simulation"

urlpatterns = [
    path("simuler/", SimulationView.as_view(), name="simulate"),
    path("export.yaml", PolicyExportView.as_view(), name="export"),
]
