"""Forms of the authentication pages, rendered with the State design system (DSFR); messages in French."""

from __future__ import annotations

from django import forms
from django.contrib.auth.password_validation import password_validators_help_texts
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from habpps.accounts import clock
from habpps.accounts.authentication import CredentialCheck, CredentialOutcome, check_credentials
from habpps.accounts.client import client_address
from habpps.accounts.models import Account, AuthenticationPolicy, ConcurrentSessionMode
from habpps.accounts.policy import current_policy
from habpps.accounts.sessions import live_sessions
from habpps.authorization.sessions import admit_login, session_limit, session_limit_text
from habpps.engine import RBACError
from habpps.journal.services import record_event

# Longer input cannot be a login or a password; refusing it early keeps a huge body from costing a hash.
LOGIN_MAX_LENGTH = 150
PASSWORD_MAX_LENGTH = 1024


class LoginForm(DsfrBaseForm):
    """Identifier and password; one message for every failure so that nothing reveals which part was wrong."""

    error_messages = {
        "invalid_login": _("Identifiant ou mot de passe incorrect."),
        "throttled": _(
            "Trop de tentatives de connexion ont échoué depuis votre adresse réseau. Réessayez plus tard."
        ),
        "temporary_password_expired": _(
            "Votre mot de passe provisoire a expiré. Demandez-en un nouveau avec « Mot de passe oublié »."
        ),
        "session_live": _(
            "Une session est déjà ouverte avec ce compte (un autre onglet, un autre appareil, ou un ordinateur "
            "resté allumé). Une seule session à la fois est permise : fermez l'autre session avec le bouton "
            "ci-dessous pour vous connecter ici. Sinon, elle se fermera seule après %(minutes)d minutes "
            "d'inactivité."
        ),
    }

    username = forms.CharField(label=_("Identifiant"), max_length=LOGIN_MAX_LENGTH)
    password = forms.CharField(
        label=_("Mot de passe"),
        max_length=PASSWORD_MAX_LENGTH,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, request=None, *args, **kwargs) -> None:
        self.request = request
        self.user_cache: Account | None = None
        self.credential_check: CredentialCheck | None = None
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(
            {"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        )

    def clean(self) -> dict:
        cleaned = super().clean()
        login, password = cleaned.get("username"), cleaned.get("password")
        if login is None or password is None:
            return cleaned
        check = check_credentials(login, password, client_address=client_address(self.request))
        self.credential_check = check
        if check.outcome is CredentialOutcome.THROTTLED:
            raise ValidationError(self.error_messages["throttled"], code="throttled")
        if check.outcome is CredentialOutcome.TEMPORARY_PASSWORD_EXPIRED:
            raise ValidationError(
                self.error_messages["temporary_password_expired"], code="temporary_password_expired"
            )
        if not check.accepted:
            raise ValidationError(self.error_messages["invalid_login"], code="invalid_login")
        refuse_if_session_live(self.request, check.account)
        self.user_cache = check.account
        return cleaned

    def get_user(self) -> Account | None:
        return self.user_cache


def refuse_if_session_live(request, account: Account) -> None:
    """Refuse a login the account's sessions rule out.

    An account with a maximum of sessions of its own (ENG-6, set on its page) is the engine's to decide: the login
    is refused while its live sessions already reach that maximum, with the engine's explanation — whatever the
    platform's mode. Other accounts follow the platform's rule (AUT-6): in the « blocage du multi-sessions »
    mode, a login is refused while the account has a live session; in the other, it ends the old one."""
    policy = current_policy()
    others = live_sessions(account, policy, clock.now())
    if request is not None and request.session.session_key:
        others = others.exclude(session_key=request.session.session_key)
    if session_limit(account.login) is not None:
        try:
            admit_login(account.login, others.values_list("session_key", flat=True))
        except RBACError as refusal:
            explanation = session_limit_text(refusal, policy.idle_timeout_minutes, live=others.count())
            record_event(
                "auth.session.refused",
                org_scope=account.org_scope,
                target=account.login,
                data={"client": client_address(request), "rule": "max_sessions",
                      "maximum": refusal.details.get("maximum"), "engine": refusal.message},
            )
            raise ValidationError(explanation, code="session_limit") from refusal
        return
    if policy.concurrent_sessions != ConcurrentSessionMode.REFUSE_NEW:
        return
    if others.exists():
        record_event(
            "auth.session.refused",
            org_scope=account.org_scope,
            target=account.login,
            data={"client": client_address(request)},
        )
        raise ValidationError(
            LoginForm.error_messages["session_live"],
            code="session_live",
            params={"minutes": policy.idle_timeout_minutes},
        )


class AccountBoundForm(DsfrBaseForm):
    """A form about one account (``account=``), whose rules depend on it."""

    def __init__(self, *args, account: Account, **kwargs) -> None:
        self.account = account
        super().__init__(*args, **kwargs)


class NewPasswordForm(AccountBoundForm):
    """A new password typed twice; the policy itself is checked by ``change_password`` (AUT-1)."""

    new_password1 = forms.CharField(
        label=_("Nouveau mot de passe"),
        strip=False,
        max_length=PASSWORD_MAX_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password2 = forms.CharField(
        label=_("Confirmation du nouveau mot de passe"),
        strip=False,
        max_length=PASSWORD_MAX_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        rules = " ".join(str(text) for text in password_validators_help_texts() if text)
        self.fields["new_password1"].help_text = rules

    def clean_new_password2(self) -> str:
        first, second = self.cleaned_data.get("new_password1"), self.cleaned_data["new_password2"]
        if first and first != second:
            raise ValidationError(
                _("Les deux mots de passe ne sont pas identiques."), code="password_mismatch"
            )
        return second


class CurrentPasswordForm(AccountBoundForm):
    """The current password, asked again before a sensitive change (OWASP ASVS 2.1.6)."""

    old_password = forms.CharField(
        label=_("Mot de passe actuel"),
        strip=False,
        max_length=PASSWORD_MAX_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def clean_old_password(self) -> str:
        password = self.cleaned_data["old_password"]
        if not self.account.check_password(password):
            raise ValidationError(_("Le mot de passe actuel est incorrect."), code="password_incorrect")
        return password


class PasswordChangeForm(CurrentPasswordForm, NewPasswordForm):
    """The current password, then the new one twice."""

    field_order = ["old_password", "new_password1", "new_password2"]


class PasswordResetRequestForm(DsfrBaseForm):
    username = forms.CharField(
        label=_("Identifiant"),
        max_length=LOGIN_MAX_LENGTH,
        help_text=_("L'identifiant reçu par courriel à la création de votre compte."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )


class SecondFactorCodeForm(DsfrBaseForm):
    code = forms.CharField(
        label=_("Code à 6 chiffres de votre application d'authentification"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class RecoveryCodeForm(DsfrBaseForm):
    recovery_code = forms.CharField(
        label=_("Code de secours"),
        max_length=20,
        help_text=_("Un des codes de secours remis lors de la configuration, au format xxxxx-xxxxx."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )


class AuthenticationPolicyForm(DsfrBaseForm, forms.ModelForm):
    """Every figure of the access policy, for the national administrator (AUT-1..8)."""

    class Meta:
        model = AuthenticationPolicy
        exclude = ["updated_at", "updated_by"]
        widgets = {
            "second_factor_funds": forms.SelectMultiple(attrs={"size": 6}),
            "second_factor_partners": forms.SelectMultiple(attrs={"size": 6}),
            "second_factor_roles": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Funds, partners and profiles are reached through the policy's own relations (the accounts app does not
        # import the directory that builds on it); "removed" and "active" are the directory's life-cycle values.
        def related(name: str):
            return AuthenticationPolicy._meta.get_field(name).related_model

        self.fields["second_factor_funds"].queryset = related("second_factor_funds").objects.exclude(status="removed")
        self.fields["second_factor_partners"].queryset = (
            related("second_factor_partners").objects.exclude(status="removed").select_related("fund")
        )
        self.fields["second_factor_partners"].label_from_instance = lambda p: f"{p.name} — {p.fund.name}"
        self.fields["second_factor_roles"].queryset = (
            related("second_factor_roles").objects.filter(status="active").select_related("service")
        )
