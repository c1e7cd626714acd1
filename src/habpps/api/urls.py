"""URL map of the API, mounted by the project at ``api/v1/``; the reversing namespace is ``api-v1``."""

from django.urls import path

from habpps.api.api import api

urlpatterns = [path("", api.urls)]
