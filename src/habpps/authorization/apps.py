from django.apps import AppConfig


class AuthorizationConfig(AppConfig):
    """The extended RBAC model and the platform's single path to the engine's decisions."""

    name = "habpps.authorization"
    label = "authorization"
    verbose_name = "Habilitations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.urls import reverse
        from django.utils.translation import gettext_lazy as _

        from habpps.authorization.decisions import is_allowed
        from habpps.authorization.menus import MenuEntry, register
        from habpps.authorization.permissions import VIEW_JOURNAL
        from habpps.authorization.scoping import JOURNAL, JOURNAL_COLUMNS, population_q
        from habpps.journal.scoping import decide_audit_population_with, decide_audit_right_with

        # The journal is below this app (this app journals what it stores): its audit right and its menu entry
        # are the engine's decision on « consulter journal », plugged in here.
        decide_audit_right_with(lambda account: is_allowed(account, VIEW_JOURNAL.operation, VIEW_JOURNAL.obj))
        # …and which entries it shows: the engine's population of « journal » (ENG-8).
        decide_audit_population_with(lambda account: population_q(account, JOURNAL, JOURNAL_COLUMNS))
        register(
            MenuEntry("journal", _("Journal"), VIEW_JOURNAL, lambda account: reverse("journal:search"), order=80)
        )
        from habpps.authorization.simulation_views import register_menu

        register_menu()

        from habpps.authorization import model_menus  # noqa: F401 — registers the model's menu entries

        # A web login opens an engine session (ENG-1): the roles a DSD set forbids together are not all active.
        user_logged_in.connect(_open_engine_session, dispatch_uid="habpps-open-engine-session")


def _open_engine_session(sender, request, user, **kwargs) -> None:
    from habpps.authorization.sessions import open_session

    if request is not None and hasattr(request, "session") and hasattr(user, "login"):
        from django.contrib import messages

        for refusal in open_session(request, user):
            # The engine refused to activate a profile (its « Conditions d'activation »): say which and why.
            messages.warning(request, f"Session ouverte sans un de vos profils : {refusal}.",
                             fail_silently=True)
