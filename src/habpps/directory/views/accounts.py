"""Pages about accounts: « Pourquoi ? » (ADM-7), « Mes habilitations », status and administrative roles."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView
from dsfr.forms import DsfrBaseForm

from habpps.accounts import clock
from habpps.accounts.freezes import clear_failures
from habpps.accounts.models import Account, AccountSession, OrgLevel, SessionEndReason
from habpps.accounts.policy import current_policy
from habpps.accounts.sessions import end_session, live_sessions
from habpps.authorization import perimeters
from habpps.authorization import permissions as perms
from habpps.authorization.decisions import AccessRefused, is_allowed, require
from habpps.authorization.explanations import habilitations_of, holders_of
from habpps.authorization.mixins import EngineAccessMixin, held_message, paginate, run_action
from habpps.authorization.models import AccountLimit, AccountWindow
from habpps.authorization.policy_cache import current_policy as current_engine
from habpps.authorization.scoping import visible_accounts
from habpps.directory import services
from habpps.directory.forms import GrantForm
from habpps.directory.models import (
    AccountRoleAssignment,
    GroupMembership,
    GroupRoleAssignment,
    ServiceRole,
    Status,
)
from habpps.directory.services import attributes
from habpps.directory.services.accounts import account_management_permission
from habpps.directory.views.conditions import activation_conditions, grant_conditions
from habpps.directory.views.status import StatusChangeView
from habpps.engine import NotFound
from habpps.journal.services import record_event


def filter_habilitations(request, habilitations):
    q = request.GET.get("q", "").strip().lower()
    if not q:
        return habilitations
    return [
        h for h in habilitations if q in f"{h.label} {h.operation} {h.obj} {h.role_label} {h.group_label}".lower()
    ]


class MyHabilitationsView(LoginRequiredMixin, TemplateView):
    """What the viewer may do and why — everyone may read their own."""

    template_name = "directory/habilitations.html"
    extra_context = {"title": gettext_lazy("Mes habilitations")}

    def get_context_data(self, **kwargs) -> dict:
        found = filter_habilitations(self.request, habilitations_of(self.request.user))
        return super().get_context_data(subject=self.request.user, **paginate(self.request, found), **kwargs)


def role_allowed(viewer, account: Account, role) -> bool:
    """Whether the delegation perimeters let ``viewer`` give or take ``role`` on ``account`` (engine rules)."""
    return perimeters.first_refusal(lambda p: p.account_role_refusal(viewer, account, role)) is None


def manageable_roles(account: Account, viewer=None):
    held = AccountRoleAssignment.objects.current().filter(account=account).values("role_id")
    roles = ServiceRole.objects.filter(account_level=account.org_level, status=Status.ACTIVE).exclude(pk__in=held)
    if viewer is None:
        return roles
    return roles.filter(pk__in=[role.pk for role in roles if role_allowed(viewer, account, role)])


def refused_roles(viewer, account: Account) -> list[dict]:
    """The roles of the account's level the perimeters (the engine's administrative RBAC) refuse ``viewer`` to give
    it, grouped by the refusal's sentence: [{message, roles}] — the page says why instead of offering them."""
    refused: dict[str, list] = {}
    for role in manageable_roles(account):
        refusal = perimeters.first_refusal(lambda p, role=role: p.account_role_refusal(viewer, account, role))
        if refusal is not None:
            refused.setdefault(refusal.message, []).append(role)
    return [{"message": message, "roles": roles} for message, roles in refused.items()]


class AccountDetailView(EngineAccessMixin, TemplateView):
    """« Pourquoi ? » for one account: each effective habilitation and where it comes from (ADM-7)."""

    permission = perms.VIEW_HABILITATIONS
    template_name = "directory/account_detail.html"

    def dispatch(self, request, *args, **kwargs):
        self.account = get_object_or_404(
            Account.objects.select_related("fund", "partner__fund"), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_permission_org(self) -> str:
        return self.account.org_unit

    def get_context_data(self, **kwargs) -> dict:
        account, user = self.account, self.request.user
        found = filter_habilitations(self.request, habilitations_of(account))
        # What the viewer may do here is asked of the engine (permission in the unit, then the delegation
        # perimeters), exactly as the services will when the buttons are used: no button leads to a refusal.
        can_manage = (
            is_allowed(user, *account_management_permission(account.org_level, account.organisation))
            and account.pk != user.pk
            and perimeters.first_refusal(lambda p: p.account_refusal(user, account)) is None
        )
        roles = [
            assignment
            for assignment in AccountRoleAssignment.objects.current().filter(account=account).select_related("role")
        ]
        for assignment in roles:
            assignment.revocable = can_manage and role_allowed(user, account, assignment.role)
        return super().get_context_data(
            subject=account,
            roles=roles,
            account_window=AccountWindow.objects.filter(account=account).first(),
            account_attributes=attributes.describe(account),
            held_conditions=held_conditions(account, roles),
            held_activations=held_activations(account, roles),
            open_sessions=open_sessions(account) if can_manage else [],
            max_sessions=AccountLimit.objects.filter(account=account).values_list("max_sessions", flat=True)
            .first(),
            can_limit=services.may_limit_roles(user, account),
            can_manage=can_manage,
            role_form=kwargs.pop("role_form", None)
            or GrantForm(roles=manageable_roles(account, user), label=_("Rôle"), prefix="role"),
            role_refusals=refused_roles(user, account) if can_manage and account.status == "active" else [],
            title=_("Habilitations de %(name)s") % {"name": account.full_name},
            breadcrumb=self.breadcrumb(),
            **paginate(self.request, found),
            **kwargs,
        )

    def breadcrumb(self) -> list[dict]:
        organisation = self.account.organisation
        if self.account.org_level == OrgLevel.PARTNER:
            return [
                {
                    "url": reverse("directory:partner-detail", args=[organisation.pk]),
                    "title": organisation.name,
                }
            ]
        if self.account.org_level == OrgLevel.FUND and is_allowed(self.request.user, *perms.MANAGE_FUNDS):
            return [
                {"url": reverse("directory:fund-detail", args=[organisation.pk]), "title": organisation.name}
            ]
        return []


def _held_roles(account: Account, direct: list) -> dict:
    groups = GroupMembership.objects.current().filter(account=account).values("group_id")
    via_groups = GroupRoleAssignment.objects.current().filter(group_id__in=groups).select_related("role")
    return {a.role_id: a.role for a in [*direct, *via_groups]}


def held_activations(account: Account, direct: list) -> list[dict]:
    """The conditions of the activation of the roles and profiles ``account`` holds, for the account page:
    [{role, constraints: [{name, conditions, via}]}] — a profile whose conditions fail at login is not active.
    A role is activated only if the conditions of the roles it inherits hold too (the engine's rule): those
    are listed with ``via``, the inherited profile they belong to."""
    roles = _held_roles(account, direct)
    rbac = current_engine().rbac

    def inherited(code: str) -> set[str]:
        try:
            return rbac.role_inherited(code)
        except NotFound:  # a profile out of force is absent from the engine: it brings nobody
            return set()

    juniors_of = {role.pk: inherited(role.code) for role in roles.values()}
    conditioned = list(
        ServiceRole.objects.filter(code__in=set().union(*juniors_of.values()), activation_constraints__isnull=False)
        .distinct().order_by("name")
    )
    found = []
    for role in sorted(roles.values(), key=lambda r: r.name):
        constraints = [{**item, "via": None} for item in activation_conditions(role)]
        for junior in conditioned:
            if junior.code in juniors_of[role.pk]:
                constraints += [{**item, "via": junior} for item in activation_conditions(junior)]
        found.append({"role": role, "constraints": constraints})
    return [item for item in found if item["constraints"]]


def held_conditions(account: Account, direct: list) -> list[dict]:
    """The conditions on the permissions of the roles and profiles ``account`` holds (directly or through a
    group), for the account page: [{role, permissions: [{permission, constraints}]}]."""
    roles = _held_roles(account, direct)
    found = grant_conditions(list(roles))
    return [{"role": roles[role_id], "permissions": items}
            for role_id, items in sorted(found.items(), key=lambda kv: roles[kv[0]].name)]


class AccountRoleGrantView(AccountDetailView):
    def post(self, request, *args, **kwargs):
        # Every role of the level is accepted here, so that a refused one gets the engine's explanation.
        form = GrantForm(request.POST, roles=manageable_roles(self.account), prefix="role")
        result = []
        if form.is_valid() and run_action(
            request,
            form,
            lambda: result.append(services.grant_account_role(
                request.user, self.account, form.cleaned_data["role"], form.window()
            )),
        ):
            held_message(request, result[0]) or messages.success(request, _("Rôle attribué."))
            return redirect("directory:account-detail", self.account.pk)
        return self.render_to_response(self.get_context_data(role_form=form))


class AccountRoleRevokeView(LoginRequiredMixin, View):
    def post(self, request, pk: int, role_pk: int):
        account = get_object_or_404(Account, pk=pk)
        assignment = get_object_or_404(
            AccountRoleAssignment.objects.current(), account=account, role_id=role_pk
        )
        try:
            services.revoke_account_role(request.user, account, assignment.role)
        except AccessRefused as refusal:
            raise Http404 from refusal
        except ValidationError as refusal:  # a perimeter's refusal: said in French, never a 500
            messages.error(request, " ".join(refusal.messages))
            return redirect("directory:account-detail", account.pk)
        messages.success(request, _("Rôle « %(role)s » retiré.") % {"role": assignment.role.name})
        return redirect("directory:account-detail", account.pk)


def open_sessions(account: Account) -> list[AccountSession]:
    """The account's live sessions (not ended, not idle past the policy's timeout), newest first."""
    return list(live_sessions(account, current_policy(), clock.now()).order_by("-last_activity_at"))


class AccountSessionEndView(LoginRequiredMixin, View):
    """An administrator closes one of a person's open sessions (the « Sessions » tab of an identity provider).

    Whoever may manage the account — the engine decides — may end its sessions; the person's browser is
    anonymous on its next request, and the journal says who closed it.
    """

    def post(self, request, pk: int, session_pk: int):
        account = get_object_or_404(Account.objects.select_related("fund", "partner__fund"), pk=pk)
        if not is_allowed(request.user, *account_management_permission(account.org_level, account.organisation)):
            raise Http404
        record = get_object_or_404(AccountSession, pk=session_pk, account=account, ended_at__isnull=True)
        end_session(record, SessionEndReason.ADMIN, actor=request.user)  # journalled with who closed it
        messages.success(request, _("Session de %(name)s fermée.") % {"name": account.full_name})
        return redirect("directory:account-detail", account.pk)


class AccountUnfreezeView(LoginRequiredMixin, View):
    """« Débloquer »: an administrator lifts a freeze after failed logins, for whoever the engine lets him manage."""

    def post(self, request, pk: int):
        account = get_object_or_404(Account.objects.select_related("fund", "partner__fund"), pk=pk)
        allowed = is_allowed(
            request.user, *account_management_permission(account.org_level, account.organisation)
        ) and perimeters.first_refusal(lambda p: p.account_refusal(request.user, account)) is None
        if not allowed:
            raise Http404
        if account.is_frozen_now:
            clear_failures(account)
            record_event(
                "auth.account.unfreeze", actor=request.user, org_scope=account.org_scope, target=account.login
            )
            messages.success(request, _("Compte de %(name)s débloqué.") % {"name": account.full_name})
        return redirect("directory:account-detail", account.pk)


class AccountStatusView(StatusChangeView):
    def get_object(self):
        return get_object_or_404(
            Account.objects.select_related("fund", "partner__fund"), pk=self.kwargs["pk"]
        )

    def check_access(self) -> None:
        require(
            self.request.user, *account_management_permission(self.object.org_level, self.object.organisation)
        )

    def change(self, actor, obj, status: str) -> None:
        services.set_account_status(actor, obj, status)

    def get_success_url(self) -> str:
        return reverse("directory:account-detail", args=[self.object.pk])


class RoleHoldersView(EngineAccessMixin, TemplateView):
    """« Qui ? »: the accounts of the viewer's scope that hold a profile, searchable and paginated (ADM-7)."""

    permission = perms.VIEW_HABILITATIONS
    template_name = "directory/role_holders.html"

    def get_context_data(self, **kwargs) -> dict:
        role = get_object_or_404(ServiceRole.objects.select_related("service"), pk=self.kwargs["pk"])
        holders = holders_of(role)
        accounts = visible_accounts(self.request.user)  # the engine's population of « comptes » (ENG-8)
        q = self.request.GET.get("q", "").strip()
        if q:
            accounts = accounts.filter(
                Q(login__icontains=q)
                | Q(last_name__icontains=q)
                | Q(first_name__icontains=q)
                | Q(partner__name__icontains=q)
            )
        found = [
            account for account in accounts.order_by("last_name", "first_name") if account.login in holders
        ]
        return super().get_context_data(
            role=role,
            title=_("Qui détient « %(role)s » ?") % {"role": role.name},
            **paginate(self.request, found),
            **kwargs,
        )


class AccountLimitForm(DsfrBaseForm):
    max_roles = forms.IntegerField(label=gettext_lazy("Nombre maximal de rôles"), min_value=1, required=False,
                                   help_text=gettext_lazy("Vide : pas de limite."))
    max_sessions = forms.IntegerField(
        label=gettext_lazy("Nombre de sessions ouvertes en même temps"), min_value=1, max_value=100,
        required=False,
        help_text=gettext_lazy(
            "Combien de connexions cette personne peut garder ouvertes à la fois (plusieurs postes ou "
            "navigateurs). Au-delà, une nouvelle connexion est refusée tant qu'elle ne s'est pas déconnectée "
            "ailleurs. Vide : la règle de la plateforme, une seule session à la fois."),
    )


class AccountLimitView(LoginRequiredMixin, FormView):
    """Most roles one account may hold and most sessions it may have open at once (ENG-6): who administers the
    model or manages the account."""

    template_name = "directory/form_page.html"
    form_class = AccountLimitForm

    def dispatch(self, request, *args, **kwargs):
        self.account = get_object_or_404(Account, pk=kwargs["pk"])
        if request.user.is_authenticated and not services.may_limit_roles(request.user, self.account):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        limit = AccountLimit.objects.filter(account=self.account).first()
        return {"max_roles": limit.max_roles if limit else None,
                "max_sessions": limit.max_sessions if limit else None}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("Limites du compte de %(name)s : rôles et sessions") % {"name": self.account.full_name},
            cancel_url=reverse("directory:account-detail", args=[self.account.pk]), **kwargs)

    def form_valid(self, form):
        if not run_action(self.request, form, lambda: services.set_account_limit(
                self.request.user, self.account, form.cleaned_data["max_roles"],
                max_sessions=form.cleaned_data["max_sessions"])):
            return self.form_invalid(form)
        messages.success(self.request, _("Limite enregistrée."))
        return redirect("directory:account-detail", pk=self.account.pk)
