from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "habpps.directory"
    label = "directory"
    verbose_name = _("Annuaire")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from habpps.directory import questions
        from habpps.directory.menus import register_entries

        register_entries()
        questions.register()  # the decision API asks the account questions as the directory's services do
