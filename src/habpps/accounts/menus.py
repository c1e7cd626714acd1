"""Menu entries of the authentication side, decided by the engine like every other (UI-1)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from habpps.accounts.permissions import MANAGE_AUTHENTICATION_POLICY
from habpps.authorization.menus import MenuEntry, register
from habpps.authorization.orgs import NATIONAL_UNIT


def register_entries() -> None:
    register(
        MenuEntry(
            "auth-policy",
            _("Politique d'authentification"),
            MANAGE_AUTHENTICATION_POLICY,
            lambda account: reverse("accounts:policy"),
            org=lambda account: NATIONAL_UNIT,
            order=35,
        )
    )
    register(
        MenuEntry(
            "security", _("Sécurité du compte"), None, lambda account: reverse("accounts:security"), order=95
        )
    )
