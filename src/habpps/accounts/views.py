"""Pages of authentication: login (with the second-factor step), logout, password change and reset, second
factor enrolment, and the national administrator's policy page (AUT-1..8)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import FormView, TemplateView, UpdateView

from habpps.accounts import clock, pending_login, session_takeover
from habpps.accounts.authentication import count_second_factor_failure
from habpps.accounts.client import client_address
from habpps.accounts.forms import (
    AuthenticationPolicyForm,
    CurrentPasswordForm,
    LoginForm,
    NewPasswordForm,
    PasswordChangeForm,
    PasswordResetRequestForm,
    RecoveryCodeForm,
    SecondFactorCodeForm,
    refuse_if_session_live,
)
from habpps.accounts.freezes import is_frozen
from habpps.accounts.models import AuthenticationPolicy, SecondFactorDevice
from habpps.accounts.password_change import change_password
from habpps.accounts.password_reset import complete_reset, request_reset, valid_request
from habpps.accounts.permissions import MANAGE_AUTHENTICATION_POLICY
from habpps.accounts.policy import current_policy, password_expires_at
from habpps.accounts.second_factor import (
    begin_enrolment,
    confirm_enrolment,
    has_second_factor,
    provisioning_qr_svg,
    remove_second_factor,
    second_factor_required,
    use_recovery_code,
    verify_code,
)
from habpps.accounts.sessions import follow_new_session_key
from habpps.authorization.mixins import EngineAccessMixin
from habpps.authorization.orgs import NATIONAL_UNIT
from habpps.authorization.sessions import session_limit
from habpps.journal.services import record_event

RESET_SESSION_KEY = "habpps.password_reset"
sensitive = method_decorator(sensitive_post_parameters(), name="dispatch")


class LoginView(auth_views.LoginView):
    """Login; an account with a second factor goes through its code before it is signed in (AUT-8)."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True
    extra_context = {"title": gettext_lazy("Connexion")}

    def form_valid(self, form):
        account = form.get_user()
        if has_second_factor(account):
            pending_login.begin(self.request, account, self.get_success_url())
            return redirect("accounts:second-factor-verify")
        auth_login(self.request, account)
        return redirect(self.get_success_url())

    def form_invalid(self, form):
        offer_close = form.has_error(NON_FIELD_ERRORS, "session_live") and form.credential_check is not None
        if offer_close:
            session_takeover.offer(self.request, form.credential_check.account, self.get_success_url())
        response = self.render_to_response(self.get_context_data(form=form, offer_close_other=offer_close))
        if form.has_error(NON_FIELD_ERRORS, "throttled"):
            response.status_code = 429
        return response


@method_decorator(never_cache, name="dispatch")
class CloseOtherSessionView(View):
    """POST « Fermer l'autre session et me connecter », offered after a right password (AUT-6)."""

    def post(self, request):
        account = session_takeover.offered_account(request)
        if account is None:
            messages.error(request, _("Votre demande a expiré. Saisissez à nouveau vos identifiants."))
            return redirect("accounts:login")
        next_url = session_takeover.next_url(request)
        session_takeover.forget(request)
        if session_limit(account.login) is not None:
            # The account got a maximum of sessions of its own meanwhile: the engine decides, no takeover.
            messages.error(request, _("Votre compte a maintenant sa propre limite de sessions ouvertes : saisissez à "
                                      "nouveau vos identifiants."))
            return redirect("accounts:login")
        if has_second_factor(account):
            pending_login.begin(request, account, next_url)
            request.session[session_takeover.CONFIRMED] = account.pk
            return redirect("accounts:second-factor-verify")
        auth_login(request, account)  # the login signal ends the other session as replaced (journalled)
        messages.info(request, _("Votre autre session a été fermée."))
        return redirect(next_url)


class LogoutView(auth_views.LogoutView):
    """Logout is a POST (a link could be triggered by a third-party page)."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.success(request, _("Vous êtes déconnecté."))
        return response


@method_decorator(never_cache, name="dispatch")
class SecondFactorVerifyView(FormView):
    """Second step of a login: the authenticator's code, or a recovery code (AUT-8)."""

    template_name = "accounts/second_factor_verify.html"
    form_class = SecondFactorCodeForm
    extra_context = {"title": gettext_lazy("Double authentification")}

    def dispatch(self, request, *args, **kwargs):
        self.account = pending_login.account(request)
        if self.account is None:
            messages.error(request, _("Votre connexion a expiré. Saisissez à nouveau vos identifiants."))
            return redirect("accounts:login")
        return super().dispatch(request, *args, **kwargs)

    def check(self, form) -> bool:
        device = SecondFactorDevice.objects.get(account=self.account)
        return verify_code(device, form.cleaned_data["code"])

    def form_valid(self, form):
        request = self.request
        if is_frozen(self.account, clock.now()):
            return self.abandon_frozen()
        if not self.check(form):
            if count_second_factor_failure(self.account, client_address=client_address(request)):
                return self.abandon_frozen()
            form.add_error(None, _("Code incorrect."))
            return self.form_invalid(form)
        close_other = request.session.pop(session_takeover.CONFIRMED, None) == self.account.pk
        if close_other and session_limit(self.account.login) is not None:
            close_other = False  # a maximum of sessions of its own: the engine decides, nothing is closed
        if not close_other:
            try:
                refuse_if_session_live(request, self.account)
            except ValidationError as error:
                form.add_error(None, error)
                return self.form_invalid(form)
        next_url = pending_login.finish(request)
        auth_login(request, self.account)
        if close_other:  # the login signal has ended the other session as replaced (journalled)
            messages.info(request, _("Votre autre session a été fermée."))
        return redirect(next_url)

    def abandon_frozen(self):
        pending_login.abandon(self.request)
        messages.error(self.request, _("Trop d'échecs : votre compte est gelé temporairement."))
        return redirect("accounts:login")


class RecoveryCodeView(SecondFactorVerifyView):
    """The same step with a single-use recovery code, for a lost authenticator."""

    template_name = "accounts/recovery_code.html"
    form_class = RecoveryCodeForm

    def check(self, form) -> bool:
        return use_recovery_code(self.account, form.cleaned_data["recovery_code"])


@method_decorator(never_cache, name="dispatch")
class SecuritySettingsView(LoginRequiredMixin, TemplateView):
    """The viewer's own security: password validity, second factor."""

    template_name = "accounts/security.html"
    extra_context = {"title": gettext_lazy("Sécurité du compte")}

    def get_context_data(self, **kwargs) -> dict:
        account, policy = self.request.user, current_policy()
        return super().get_context_data(
            password_expires_at=password_expires_at(account, policy),
            has_second_factor=has_second_factor(account),
            second_factor_required=second_factor_required(account, policy),
            **kwargs,
        )


@method_decorator(never_cache, name="dispatch")
@sensitive
class PasswordChangeView(LoginRequiredMixin, FormView):
    """Choose a personal password: forced after a temporary or expired one (AUT-4), or at will."""

    template_name = "accounts/password_change.html"
    form_class = PasswordChangeForm
    extra_context = {"title": gettext_lazy("Changer de mot de passe")}

    def get_form_kwargs(self) -> dict:
        return {**super().get_form_kwargs(), "account": self.request.user}

    def form_valid(self, form):
        request, account = self.request, self.request.user
        try:
            change_password(
                account,
                form.cleaned_data["new_password1"],
                kind="change",
                client_address=client_address(request),
            )
        except ValidationError as error:
            form.add_error("new_password1", error)
            return self.form_invalid(form)
        old_key = request.session.session_key
        update_session_auth_hash(request, account)  # keeps this session, under a new key
        follow_new_session_key(old_key, request.session.session_key)
        messages.success(request, _("Votre mot de passe a été changé."))
        return redirect("home")


@method_decorator(never_cache, name="dispatch")
class PasswordResetRequestView(FormView):
    """Ask for a reset link; the answer is the same whether the login exists or not (AUT-5)."""

    template_name = "accounts/password_reset_request.html"
    form_class = PasswordResetRequestForm
    extra_context = {"title": gettext_lazy("Mot de passe oublié")}

    def form_valid(self, form):
        request = self.request
        request_reset(
            form.cleaned_data["username"],
            lambda token: request.build_absolute_uri(reverse("accounts:password-reset-link", args=[token])),
            client_address=client_address(request),
        )
        messages.info(
            request,
            _(
                "Si cet identifiant correspond à un compte actif, un courriel contenant un lien de "
                "réinitialisation vient d'être envoyé à son adresse. Le lien ne sert qu'une fois."
            ),
        )
        return redirect("accounts:login")


def invalid_reset_link(request) -> TemplateResponse:
    """The page of a used, expired or mangled reset link."""
    return TemplateResponse(request, "accounts/password_reset_invalid.html", {"title": _("Lien invalide")})


@method_decorator(never_cache, name="dispatch")
class PasswordResetLinkView(View):
    """The link of the e-mail: its token moves into the session, out of the address bar and any Referer."""

    def get(self, request, token: str):
        if valid_request(token) is None:
            return invalid_reset_link(request)
        request.session[RESET_SESSION_KEY] = token
        return redirect("accounts:password-reset-set")


@method_decorator(never_cache, name="dispatch")
@sensitive
class PasswordResetSetView(FormView):
    """Choose the new password the link allows, once (AUT-5)."""

    template_name = "accounts/password_reset_set.html"
    form_class = NewPasswordForm
    extra_context = {"title": gettext_lazy("Choisir un nouveau mot de passe")}

    def dispatch(self, request, *args, **kwargs):
        self.reset = valid_request(request.session.get(RESET_SESSION_KEY, ""))
        if self.reset is None:
            request.session.pop(RESET_SESSION_KEY, None)
            return invalid_reset_link(request)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict:
        return {**super().get_form_kwargs(), "account": self.reset.account}

    def form_valid(self, form):
        request = self.request
        try:
            complete_reset(
                self.reset, form.cleaned_data["new_password1"], client_address=client_address(request)
            )
        except ValidationError as error:
            form.add_error("new_password1", error)
            return self.form_invalid(form)
        except LookupError:
            return invalid_reset_link(request)
        request.session.pop(RESET_SESSION_KEY, None)
        messages.success(request, _("Votre mot de passe a été changé. Connectez-vous avec le nouveau."))
        return redirect("accounts:login")


@method_decorator(never_cache, name="dispatch")
class SecondFactorEnrolView(LoginRequiredMixin, FormView):
    """Configure an authenticator: scan the QR code, confirm with a first code, keep the recovery codes."""

    template_name = "accounts/second_factor_enrol.html"
    form_class = SecondFactorCodeForm
    extra_context = {"title": gettext_lazy("Configurer la double authentification")}

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and has_second_factor(request.user):
            messages.info(request, _("La double authentification est déjà configurée pour votre compte."))
            return redirect("accounts:security")
        return super().dispatch(request, *args, **kwargs)

    def device(self) -> SecondFactorDevice:
        device = SecondFactorDevice.objects.filter(account=self.request.user).first()
        return device or begin_enrolment(self.request.user)

    def get_context_data(self, **kwargs) -> dict:
        device = self.device()
        secret = " ".join(device.secret[i : i + 4] for i in range(0, len(device.secret), 4))
        return super().get_context_data(qr_svg=provisioning_qr_svg(device), secret=secret, **kwargs)

    def form_valid(self, form):
        codes = confirm_enrolment(self.device(), form.cleaned_data["code"])
        if codes is None:
            form.add_error("code", _("Code incorrect : vérifiez l'heure de votre téléphone et réessayez."))
            return self.form_invalid(form)
        return self.response_class(
            request=self.request,
            template=["accounts/recovery_codes.html"],
            context={"codes": codes, "title": _("Vos codes de secours")},
            using=self.template_engine,
        )


@method_decorator(never_cache, name="dispatch")
@sensitive
class SecondFactorRemoveView(LoginRequiredMixin, FormView):
    """Remove one's authenticator (to configure a new one), after giving the password; not when required."""

    template_name = "accounts/second_factor_remove.html"
    form_class = CurrentPasswordForm
    extra_context = {"title": gettext_lazy("Retirer la double authentification")}

    def get_form_kwargs(self) -> dict:
        return {**super().get_form_kwargs(), "account": self.request.user}

    def form_valid(self, form):
        account = self.request.user
        remove_second_factor(account)
        if second_factor_required(account, current_policy()):
            messages.warning(request=self.request, message=_("Configurez votre nouvelle application."))
            return redirect("accounts:second-factor-enrol")
        messages.success(self.request, _("La double authentification est retirée de votre compte."))
        return redirect("accounts:security")


class AuthenticationPolicyView(EngineAccessMixin, UpdateView):
    """The national administrator edits every figure of the access policy; it applies at the next request."""

    permission = MANAGE_AUTHENTICATION_POLICY
    form_class = AuthenticationPolicyForm
    template_name = "accounts/policy.html"
    extra_context = {"title": gettext_lazy("Politique d'authentification")}

    def get_permission_org(self) -> str:
        return NATIONAL_UNIT

    def get_object(self, queryset=None) -> AuthenticationPolicy:
        return current_policy()

    def form_valid(self, form):
        before = policy_record(AuthenticationPolicy.objects.get(pk=form.instance.pk))
        with transaction.atomic():
            policy = form.save(commit=False)
            policy.updated_at, policy.updated_by = clock.now(), self.request.user
            policy.save()
            form.save_m2m()
            record_event(
                "admin.auth_policy.update",
                actor=self.request.user,
                org_scope=NATIONAL_UNIT,
                target="auth_policy",
                before=before,
                after=policy_record(policy),
            )
        messages.success(
            self.request, _("Politique d'authentification enregistrée ; elle s'applique dès maintenant.")
        )
        return redirect("accounts:policy")


def policy_record(policy: AuthenticationPolicy) -> dict:
    """The policy's figures and second-factor lists, for the journal's before/after."""
    record = {
        field.attname: getattr(policy, field.attname)
        for field in policy._meta.concrete_fields
        if field.name not in {"updated_at", "updated_by"}
    }
    for name in ("second_factor_funds", "second_factor_partners", "second_factor_roles"):
        record[name] = sorted(getattr(policy, name).values_list("pk", flat=True))
    return record
