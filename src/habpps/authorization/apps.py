from django.apps import AppConfig


class AuthorizationConfig(AppConfig):
    """The extended RBAC model and the platform's single path to the engine's decisions."""

    name = "habpps.authorization"
    label = "authorization"
    verbose_name = "Habilitations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from habpps.authorization.simulation_views import register_menu

        register_menu()
