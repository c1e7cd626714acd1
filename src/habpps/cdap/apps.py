"""Django application configuration of CDAP: its menu entries, decided by the engine."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CdapConfig(AppConfig):
    name = "habpps.cdap"
    label = "cdap"
    verbose_name = _("CDAP — consultation du dossier allocataire")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.urls import reverse

        from habpps.authorization.menus import MenuEntry, register
        from habpps.authorization.orgs import NATIONAL_UNIT
        from habpps.cdap import permissions

        register(
            MenuEntry(
                "cdap",
                _("Consulter un dossier"),
                permissions.USE_CDAP,
                lambda account: reverse("cdap:lookup"),
                order=5,
            )
        )
        register(
            MenuEntry(
                "cdap-doctrine",
                _("Rubriques CDAP"),
                permissions.EDIT_SECTION_DOCTRINE,
                lambda account: reverse("cdap:doctrine"),
                org=lambda account: NATIONAL_UNIT,
                order=35,
            )
        )
        register(
            MenuEntry(
                "cdap-report",
                _("Consultations d'un dossier"),
                permissions.AUDIT_CONSULTATIONS,
                lambda account: reverse("cdap:report"),
                order=85,
            )
        )
