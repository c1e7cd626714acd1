from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConventionsConfig(AppConfig):
    name = "habpps.conventions"
    label = "conventions"
    verbose_name = _("Conventions")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from habpps.conventions import menus  # noqa: F401 — registers the menu entries
        from habpps.conventions.directory_perimeter import register_perimeters

        register_perimeters()  # the directory's services keep groups inside conventions and delegations
