from django.apps import AppConfig


class AuthorizationConfig(AppConfig):
    """The extended RBAC model and the platform's single path to the engine's decisions."""

    name = "habpps.authorization"
    label = "authorization"
    verbose_name = "Habilitations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from habpps.authorization import model_menus  # noqa: F401 — registers the model's menu entries
