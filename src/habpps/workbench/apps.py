from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkbenchConfig(AppConfig):
    name = "habpps.workbench"
    label = "workbench"
    verbose_name = _("Atelier des rôles")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from habpps.workbench import menus  # noqa: F401 — registers the menu entry
