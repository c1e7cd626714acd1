"""URL map of the processes dedicated to decisions: the two decision endpoints, at their usual paths."""

from django.urls import path

from habpps.api.api import decision_api

urlpatterns = [path("api/v1/", decision_api.urls)]
