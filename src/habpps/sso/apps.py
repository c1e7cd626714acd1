from django.apps import AppConfig


class SsoConfig(AppConfig):
    """OpenID Connect provider for the portal's services."""

    name = "habpps.sso"
    label = "sso"
    verbose_name = "Authentification unique"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from habpps.sso import receivers  # noqa: F401  (connects the sign-out and journal receivers)
