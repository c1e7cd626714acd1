"""Pages that change when a granted profile or role may be used (time-bound access, ENG-5).

Reached by whoever may manage the group (or the account) the grant belongs to — the engine decides, as for the
grant itself; the services check the window with the engine's rules and journal it before and after.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import FormView

from habpps.accounts.models import Account
from habpps.authorization.access_windows import Window
from habpps.authorization.decisions import require
from habpps.authorization.forms import AccessWindowForm
from habpps.authorization.mixins import EngineAccessMixin, run_action
from habpps.authorization.model_permissions import MANAGE_MODEL
from habpps.authorization.models import AccountWindow, RoleWindow
from habpps.authorization.orgs import NATIONAL_UNIT
from habpps.directory import services
from habpps.directory.models import AccountRoleAssignment, GroupRoleAssignment, ServiceRole, Status
from habpps.directory.services.accounts import account_management_permission
from habpps.directory.views.groups import GroupAccessMixin


class WindowFormMixin(FormView):
    """The form page of one grant's window; subclasses name the grant, the service and where to go back."""

    template_name = "directory/window_form.html"
    form_class = AccessWindowForm

    def get_form(self, form_class=None):
        if self.request.method == "POST":
            return AccessWindowForm(self.request.POST, prefix="periode")
        return AccessWindowForm.for_assignment(self.assignment, prefix="periode")

    def get_context_data(self, **kwargs) -> dict:
        return super().get_context_data(
            title=self.title(),
            assignment=self.assignment,
            cancel_url=self.back_url(),
            submit_label=_("Enregistrer la période d'accès"),
            **kwargs,
        )

    def form_valid(self, form):
        if not run_action(self.request, form, lambda: self.save(form.window())):
            return self.form_invalid(form)
        messages.success(self.request, _("Période d'accès enregistrée."))
        return redirect(self.back_url())


class GroupProfileWindowView(GroupAccessMixin, WindowFormMixin):
    def dispatch(self, request, *args, **kwargs):
        self.assignment = get_object_or_404(
            GroupRoleAssignment.objects.current().select_related("group__partner", "role"),
            group_id=kwargs["pk"],
            role_id=kwargs["role_pk"],
        )
        self.group = self.assignment.group
        return super().dispatch(request, *args, **kwargs)

    def title(self) -> str:
        return _("Période d'accès du profil « %(role)s » — groupe « %(group)s »") % {
            "role": self.assignment.role.name,
            "group": self.group.name,
        }

    def back_url(self) -> str:
        return reverse("directory:group-detail", args=[self.group.pk])

    def save(self, window) -> None:
        services.set_group_role_window(self.request.user, self.assignment, window)


class AccountRoleWindowView(EngineAccessMixin, WindowFormMixin):
    def dispatch(self, request, *args, **kwargs):
        self.assignment = get_object_or_404(
            AccountRoleAssignment.objects.current().select_related("account", "role"),
            account_id=kwargs["pk"],
            role_id=kwargs["role_pk"],
        )
        return super().dispatch(request, *args, **kwargs)

    def check_access(self) -> None:
        account: Account = self.assignment.account
        require(self.request.user, *account_management_permission(account.org_level, account.organisation))

    def title(self) -> str:
        return _("Période d'accès du rôle « %(role)s » de %(name)s") % {
            "role": self.assignment.role.name,
            "name": self.assignment.account.full_name,
        }

    def back_url(self) -> str:
        return reverse("directory:account-detail", args=[self.assignment.account_id])

    def save(self, window) -> None:
        services.set_account_role_window(self.request.user, self.assignment, window)


class WholeWindowMixin(WindowFormMixin):
    """The window of a whole account or a whole profile: set, changed, or lifted at once (« Lever la période »).

    ``self.assignment`` is the stored row, or an unsaved one when there is none (no bounds), so that the page
    describes it like any grant's window."""

    template_name = "directory/whole_window_form.html"

    def post(self, request, *args, **kwargs):
        if "lever" in request.POST:
            result = []
            form = AccessWindowForm(prefix="periode")
            if run_action(request, form, lambda: result.append(self.save(Window()))):
                messages.success(request, _("Période levée : plus aucune limite de temps."))
                return redirect(self.back_url())
            return self.render_to_response(self.get_context_data(form=form))
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs) -> dict:
        return super().get_context_data(bounded=bool(Window.of(self.assignment)) if self.assignment.pk else False,
                                        explanation=self.explanation(), **kwargs)


class AccountWindowView(EngineAccessMixin, WholeWindowMixin):
    """When an account may use anything at all (a temporary agent's contract dates, office hours)."""

    def dispatch(self, request, *args, **kwargs):
        self.account = get_object_or_404(Account.objects.select_related("fund", "partner__fund"), pk=kwargs["pk"])
        self.assignment = AccountWindow.objects.filter(account=self.account).first() or AccountWindow(
            account=self.account)
        return super().dispatch(request, *args, **kwargs)

    def check_access(self) -> None:
        account = self.account
        require(self.request.user, *account_management_permission(account.org_level, account.organisation))

    def title(self) -> str:
        return _("Période d'accès du compte de %(name)s") % {"name": self.account.full_name}

    def explanation(self) -> str:
        return _("Hors de cette période, ce compte ne peut rien faire, quels que soient ses rôles et ses profils "
                 "(par exemple les dates du contrat d'un agent temporaire).")

    def back_url(self) -> str:
        return reverse("directory:account-detail", args=[self.account.pk])

    def save(self, window) -> None:
        services.set_account_window(self.request.user, self.account, window)


class RoleWindowView(EngineAccessMixin, WholeWindowMixin):
    """When a profile, or an administrative role, may be used at all by whoever holds it."""

    permission = MANAGE_MODEL

    def get_permission_org(self) -> str:
        return NATIONAL_UNIT

    def dispatch(self, request, *args, **kwargs):
        self.role = get_object_or_404(ServiceRole.objects.exclude(status=Status.REMOVED), pk=kwargs["pk"])
        self.assignment = RoleWindow.objects.filter(role=self.role).first() or RoleWindow(role=self.role)
        return super().dispatch(request, *args, **kwargs)

    def title(self) -> str:
        return _("Période d'usage du rôle « %(role)s »") % {"role": self.role.name}

    def explanation(self) -> str:
        return _("Hors de cette période, personne ne peut se servir de ce rôle, qu'il le détienne directement, par "
                 "un groupe ou par héritage.")

    def back_url(self) -> str:
        return reverse("authorization:role-rules")

    def save(self, window) -> None:
        services.set_role_window(self.request.user, self.role, window)
