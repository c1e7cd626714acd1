"""The national administration's pages for funds and their staff (ADM-1)."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView

from habpps.accounts.models import OrgLevel
from habpps.authorization import permissions as perms
from habpps.authorization.mixins import EngineAccessMixin, paginate, run_action
from habpps.authorization.orgs import NATIONAL_UNIT
from habpps.authorization.scoping import PARTNERS, visible_funds
from habpps.directory import services
from habpps.directory.forms import AccountForm, FundForm
from habpps.directory.models import AccountRoleAssignment, Fund
from habpps.directory.views.status import StatusChangeView


class FundAccessMixin(EngineAccessMixin):
    permission = perms.MANAGE_FUNDS

    def get_permission_org(self) -> str:
        return NATIONAL_UNIT


class FundListView(FundAccessMixin, TemplateView):
    template_name = "directory/fund_list.html"
    extra_context = {"title": gettext_lazy("Caisses")}

    def get_context_data(self, **kwargs) -> dict:
        # The engine's population of « organismes » (ENG-8), as every list page: the funds whose unit or partners
        # the viewer's population reaches (everything for the national administration this page is for).
        funds = visible_funds(self.request.user, PARTNERS)
        q = self.request.GET.get("q", "").strip()
        if q:
            funds = funds.filter(Q(name__icontains=q) | Q(code__startswith=q) | Q(department=q))
        return super().get_context_data(**paginate(self.request, funds), **kwargs)


class FundCreateView(FundAccessMixin, FormView):
    form_class = FundForm
    template_name = "directory/form_page.html"
    extra_context = {"title": gettext_lazy("Nouvelle caisse")}

    def get_context_data(self, **kwargs) -> dict:
        return super().get_context_data(cancel_url=reverse("directory:fund-list"), **kwargs)

    def form_valid(self, form):
        created = {}

        def action():
            created["fund"] = services.create_fund(self.request.user, **form.cleaned_data)

        if not run_action(self.request, form, action):
            return self.form_invalid(form)
        messages.success(self.request, _("Caisse « %(name)s » créée.") % {"name": created["fund"].name})
        return redirect("directory:fund-detail", created["fund"].pk)


class FundDetailView(FundAccessMixin, FormView):
    """A fund, its staff and their administrative roles; the form creates a staff account."""

    template_name = "directory/fund_detail.html"
    form_class = AccountForm

    def dispatch(self, request, *args, **kwargs):
        self.fund = get_object_or_404(Fund, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict:
        return {**super().get_form_kwargs(), "account_level": OrgLevel.FUND}

    def get_context_data(self, **kwargs) -> dict:
        accounts = self.fund.accounts.exclude(status="removed").order_by("last_name", "first_name")
        roles = {}
        for assignment in (
            AccountRoleAssignment.objects.current().filter(account__fund=self.fund).select_related("role")
        ):
            roles.setdefault(assignment.account_id, []).append(assignment.role)
        staff = [(account, roles.get(account.pk, [])) for account in accounts]
        return super().get_context_data(
            fund=self.fund,
            staff=staff,
            title=self.fund.name,
            breadcrumb=[{"url": reverse("directory:fund-list"), "title": _("Caisses")}],
            **kwargs,
        )

    def form_valid(self, form):
        data = form.cleaned_data
        created = {}

        def action():
            created["account"] = services.create_account(
                self.request.user,
                self.fund,
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                roles=list(data.get("roles", [])),
            )

        if not run_action(self.request, form, action):
            return self.form_invalid(form)
        messages.success(
            self.request,
            _(
                "Compte %(login)s créé ; l'identifiant et le mot de passe provisoire partent dans deux messages séparés."
            )
            % {"login": created["account"].login},
        )
        return redirect("directory:fund-detail", self.fund.pk)


class FundUpdateView(FundAccessMixin, FormView):
    form_class = FundForm
    template_name = "directory/form_page.html"

    def dispatch(self, request, *args, **kwargs):
        self.fund = get_object_or_404(Fund, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict:
        return {**super().get_form_kwargs(), "instance": self.fund}

    def get_context_data(self, **kwargs) -> dict:
        return super().get_context_data(
            title=_("Modifier « %(name)s »") % {"name": self.fund.name},
            cancel_url=reverse("directory:fund-detail", args=[self.fund.pk]),
            **kwargs,
        )

    def form_valid(self, form):
        if not run_action(
            self.request,
            form,
            lambda: services.update_fund(self.request.user, self.fund, **form.cleaned_data),
        ):
            return self.form_invalid(form)
        messages.success(self.request, _("Caisse modifiée."))
        return redirect("directory:fund-detail", self.fund.pk)


class FundStatusView(FundAccessMixin, StatusChangeView):
    def get_object(self):
        return get_object_or_404(Fund, pk=self.kwargs["pk"])

    def change(self, actor, obj, status: str) -> None:
        services.set_fund_status(actor, obj, status)

    def get_success_url(self) -> str:
        return reverse("directory:fund-detail", args=[self.object.pk])
