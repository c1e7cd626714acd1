"""URL map of the processes dedicated to decisions: the decision endpoints, at their usual paths."""

from django.urls import path

from habpps.api.api import decision_api
from habpps.api.authzen_views import authzen

urlpatterns = [
    path("api/v1/", decision_api.urls),
    path("access/v1/evaluation", authzen),
    path("access/v1/evaluations", authzen),
    path(".well-known/authzen-configuration", authzen),
]
