from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConventionsConfig(AppConfig):
    name = "habpps.conventions"
    label = "conventions"
    verbose_name = _("Conventions")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from habpps.authorization import admin_questions
        from habpps.conventions import (
            author_rule,
            menus,  # noqa: F401 — registers the menu entries
            policy_rules,
        )
        from habpps.conventions.delegation.services import DELEGATE, delegation_answer
        from habpps.conventions.four_eyes import VERIFY_VERSION, verification_answer
        from habpps.conventions.refusals import register_perimeters

        policy_rules.register()  # perimeters, four-eyes rule and delegations, compiled into the engine
        register_perimeters()  # the directory's services ask before changing a partner's groups
        admin_questions.register(VERIFY_VERSION, verification_answer)  # the decision API asks as the pages
        admin_questions.register(DELEGATE, delegation_answer)
        for question in author_rule.QUESTIONS.values():  # abandonner-version, retirer-version
            admin_questions.register(question, author_rule.take_back_answer(question))
