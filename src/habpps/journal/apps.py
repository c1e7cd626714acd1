"""Django application configuration of the journal."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JournalConfig(AppConfig):
    name = "habpps.journal"
    label = "journal"
    verbose_name = _("Journal")
    default_auto_field = "django.db.models.BigAutoField"
