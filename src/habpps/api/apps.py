"""Django application configuration of the REST API."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "habpps.api"
    label = "api"
    verbose_name = _("API REST")
    default_auto_field = "django.db.models.BigAutoField"
