"""Django application configuration of the journal."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JournalConfig(AppConfig):
    name = "habpps.journal"
    label = "journal"
    verbose_name = _("Journal")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The menu entry is decided by the engine like every other: shown to whoever may audit the journal.
        from django.urls import reverse

        from habpps.authorization import permissions
        from habpps.authorization.menus import MenuEntry, register

        register(
            MenuEntry(
                "journal",
                _("Journal"),
                permissions.VIEW_JOURNAL,
                lambda account: reverse("journal:search"),
                order=80,
            )
        )
