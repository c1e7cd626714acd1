"""Password validators of the access policy (AUT-1), pluggable like Django's own through AUTH_PASSWORD_VALIDATORS.

Each reads its figures from the administrator-edited ``AuthenticationPolicy`` when it runs, so a change of
policy applies to the very next password chosen. Messages are French and say what to do.
"""

from __future__ import annotations

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from habpps.accounts.policy import current_policy


def character_classes(password: str) -> dict[str, bool]:
    """Which of the four classes of the slides the password contains (accented letters count as letters)."""
    return {
        "uppercase": any(char.isupper() for char in password),
        "lowercase": any(char.islower() for char in password),
        "digit": any(char.isdigit() for char in password),
        "special": any(not char.isalnum() for char in password),
    }


class LengthValidator:
    """Between the policy's minimum and maximum number of characters (8 to 20 in the slides)."""

    def validate(self, password: str, user=None) -> None:
        policy = current_policy()
        low, high = policy.password_min_length, policy.password_max_length
        if not low <= len(password) <= high:
            raise ValidationError(
                _("Le mot de passe doit comporter entre %(low)d et %(high)d caractères.")
                % {"low": low, "high": high},
                code="password_length",
            )

    def get_help_text(self) -> str:
        policy = current_policy()
        return _("Entre %(low)d et %(high)d caractères.") % {
            "low": policy.password_min_length,
            "high": policy.password_max_length,
        }


class CharacterClassesValidator:
    """At least one character of each class the policy requires (upper, lower, digit, special)."""

    LABELS = {
        "uppercase": gettext_lazy("une lettre majuscule"),
        "lowercase": gettext_lazy("une lettre minuscule"),
        "digit": gettext_lazy("un chiffre"),
        "special": gettext_lazy("un caractère spécial"),
    }

    def required(self) -> list[str]:
        policy = current_policy()
        flags = {
            "uppercase": policy.require_uppercase,
            "lowercase": policy.require_lowercase,
            "digit": policy.require_digit,
            "special": policy.require_special,
        }
        return [name for name, wanted in flags.items() if wanted]

    def validate(self, password: str, user=None) -> None:
        present = character_classes(password)
        missing = [str(self.LABELS[name]) for name in self.required() if not present[name]]
        if missing:
            raise ValidationError(
                _("Le mot de passe doit contenir aussi : %(missing)s.") % {"missing": ", ".join(missing)},
                code="password_classes",
            )

    def get_help_text(self) -> str:
        required = [str(self.LABELS[name]) for name in self.required()]
        return _("Au moins %(classes)s.") % {"classes": ", ".join(required)} if required else ""


class LoginIdentifierValidator:
    """Neither equal to the login identifier nor containing it, whatever the case (AUT-1)."""

    def validate(self, password: str, user=None) -> None:
        login = getattr(user, "login", "") or ""
        if login and login.casefold() in password.casefold():
            raise ValidationError(
                _("Le mot de passe ne doit pas contenir votre identifiant."), code="password_contains_login"
            )

    def get_help_text(self) -> str:
        return _("Il ne doit pas contenir votre identifiant.")


class PasswordHistoryValidator:
    """Different from the last N passwords, the current one included (history depth 3 in the slides)."""

    def validate(self, password: str, user=None) -> None:
        if user is None or user.pk is None:
            return
        depth = current_policy().password_history_depth
        if depth == 0:
            return
        recent = [user.password] if user.has_usable_password() else []
        recent += list(
            user.password_history.values_list("password", flat=True)[: max(depth - len(recent), 0)]
        )
        if any(check_password(password, encoded) for encoded in recent[:depth]):
            raise ValidationError(
                ngettext(
                    "Le mot de passe doit être différent du précédent.",
                    "Le mot de passe doit être différent des %(depth)d précédents.",
                    depth,
                )
                % {"depth": depth},
                code="password_reused",
            )

    def get_help_text(self) -> str:
        depth = current_policy().password_history_depth
        if depth == 0:
            return ""
        return ngettext("Différent du précédent.", "Différent des %(depth)d précédents.", depth) % {
            "depth": depth
        }
