"""URL of the page « Simuler » (what-if of a policy document or one change)."""

from django.urls import path

from habpps.authorization.simulation_views import SimulationView

app_name = "simulation"

urlpatterns = [
    path("", SimulationView.as_view(), name="simulate"),
]
