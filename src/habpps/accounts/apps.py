from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "habpps.accounts"
    label = "accounts"
    verbose_name = _("Comptes")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from habpps.accounts import signals  # noqa: F401  (connects the journal and session receivers)
        from habpps.accounts.menus import register_entries

        register_entries()
