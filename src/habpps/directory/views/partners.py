"""Pages of partner organisations (ADM-2, ADM-3), scoped by the engine: the list shows the viewer's population of
« organismes » (`habpps.authorization.scoping`) — a fund's staff see their own fund's partners by default."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView

from habpps.accounts.models import OrgLevel
from habpps.authorization import perimeters
from habpps.authorization import permissions as perms
from habpps.authorization.decisions import is_allowed
from habpps.authorization.mixins import EngineAccessMixin, paginate, run_action
from habpps.authorization.orgs import partner_unit
from habpps.authorization.scoping import visible_partners
from habpps.directory import services
from habpps.directory.forms import AccountForm, PartnerForm
from habpps.directory.models import AccountRoleAssignment, Partner
from habpps.directory.views.status import StatusChangeView


def get_partner_for(account, pk: int) -> Partner:
    """The partner ``pk`` if the viewer may see it (directory or own organisation), else 404."""
    partner = get_object_or_404(Partner.objects.select_related("fund", "partner_type"), pk=pk)
    unit = partner_unit(partner.pk)
    if not (
        is_allowed(account, *perms.VIEW_PARTNERS, unit) or is_allowed(account, *perms.MANAGE_GROUPS, unit)
    ):
        raise Http404
    return partner


class PartnerListView(EngineAccessMixin, TemplateView):
    permission = perms.VIEW_PARTNERS
    template_name = "directory/partner_list.html"
    extra_context = {"title": gettext_lazy("Organismes partenaires")}

    def get_context_data(self, **kwargs) -> dict:
        # The engine's population of « organismes » (ENG-8); each partner is still decided when opened.
        partners = visible_partners(self.request.user)
        q = self.request.GET.get("q", "").strip()
        if q:
            partners = partners.filter(
                Q(name__icontains=q) | Q(siret__startswith=q.replace(" ", "")) | Q(city__icontains=q)
            )
        return super().get_context_data(
            can_create=is_allowed(self.request.user, *perms.MANAGE_PARTNERS),
            **paginate(self.request, partners),
            **kwargs,
        )


class PartnerCreateView(EngineAccessMixin, FormView):
    """A fund admin creates a partner of their own fund."""

    permission = perms.MANAGE_PARTNERS
    form_class = PartnerForm
    template_name = "directory/form_page.html"
    extra_context = {"title": gettext_lazy("Nouvel organisme partenaire")}

    def check_access(self) -> None:
        if self.request.user.org_level != OrgLevel.FUND:
            raise Http404
        super().check_access()

    def get_context_data(self, **kwargs) -> dict:
        return super().get_context_data(cancel_url=reverse("directory:partner-list"), **kwargs)

    def form_valid(self, form):
        created = {}

        def action():
            created["partner"] = services.create_partner(
                self.request.user, self.request.user.fund, **form.cleaned_data
            )

        if not run_action(self.request, form, action):
            return self.form_invalid(form)
        messages.success(self.request, _("Organisme « %(name)s » créé.") % {"name": created["partner"].name})
        return redirect("directory:partner-detail", created["partner"].pk)


class PartnerDetailView(EngineAccessMixin, FormView):
    """A partner's identity, groups and accounts; the form creates an account of the partner."""

    template_name = "directory/partner_detail.html"
    form_class = AccountForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.partner = get_partner_for(request.user, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict:
        user, partner = self.request.user, self.partner

        def role_allowed(role) -> bool:
            # Asked of the engine's perimeters (delegation), as the service will when the form is posted.
            return perimeters.first_refusal(lambda p: p.account_creation_refusal(user, partner, [role])) is None

        return {**super().get_form_kwargs(), "account_level": OrgLevel.PARTNER, "role_allowed": role_allowed}

    def get_context_data(self, **kwargs) -> dict:
        user, unit = self.request.user, partner_unit(self.partner.pk)
        accounts = self.partner.accounts.exclude(status="removed").order_by("last_name", "first_name")
        roles: dict[int, list] = {}
        assignments = AccountRoleAssignment.objects.current().filter(account__partner=self.partner)
        for assignment in assignments.select_related("role"):
            roles.setdefault(assignment.account_id, []).append(assignment.role)
        breadcrumb = (
            [{"url": reverse("directory:partner-list"), "title": _("Organismes partenaires")}]
            if is_allowed(user, *perms.VIEW_PARTNERS)
            else []
        )
        groups = list(self.partner.groups.exclude(status="removed"))
        can_manage_groups = is_allowed(user, *perms.MANAGE_GROUPS, unit)
        return super().get_context_data(
            partner=self.partner,
            groups=groups,
            # A delegate opens only the groups of his perimeter and creates none (``habpps.authorization.perimeters``).
            manageable_group_ids={
                group.pk
                for group in groups
                if can_manage_groups and not perimeters.group_refusal(user, group)
            },
            can_create_groups=can_manage_groups and not perimeters.group_creation_refusal(user, self.partner),
            staff=[(account, roles.get(account.pk, [])) for account in accounts],
            can_manage_partner=is_allowed(user, *perms.MANAGE_PARTNERS, unit),
            can_manage_groups=can_manage_groups,
            can_manage_accounts=is_allowed(user, *perms.MANAGE_PARTNER_ACCOUNTS, unit),
            can_view_habilitations=is_allowed(user, *perms.VIEW_HABILITATIONS, unit),
            title=self.partner.name,
            breadcrumb=breadcrumb or [{"url": reverse("home"), "title": _("Mon organisme")}],
            **kwargs,
        )

    def form_valid(self, form):
        data = form.cleaned_data
        created = {}

        def action():
            created["account"] = services.create_account(
                self.request.user,
                self.partner,
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
        return redirect("directory:partner-detail", self.partner.pk)


class PartnerUpdateView(EngineAccessMixin, FormView):
    permission = perms.MANAGE_PARTNERS
    form_class = PartnerForm
    template_name = "directory/form_page.html"

    def dispatch(self, request, *args, **kwargs):
        self.partner = get_object_or_404(Partner, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_permission_org(self) -> str:
        return partner_unit(self.partner.pk)

    def get_form_kwargs(self) -> dict:
        return {**super().get_form_kwargs(), "instance": self.partner}

    def get_context_data(self, **kwargs) -> dict:
        return super().get_context_data(
            title=_("Modifier « %(name)s »") % {"name": self.partner.name},
            cancel_url=reverse("directory:partner-detail", args=[self.partner.pk]),
            **kwargs,
        )

    def form_valid(self, form):
        if not run_action(
            self.request,
            form,
            lambda: services.update_partner(self.request.user, self.partner, **form.cleaned_data),
        ):
            return self.form_invalid(form)
        messages.success(self.request, _("Organisme modifié."))
        return redirect("directory:partner-detail", self.partner.pk)


class PartnerStatusView(StatusChangeView):
    permission = perms.MANAGE_PARTNERS

    def get_object(self):
        return get_object_or_404(Partner, pk=self.kwargs["pk"])

    def get_permission_org(self) -> str:
        return partner_unit(self.object.pk)

    def change(self, actor, obj, status: str) -> None:
        services.set_partner_status(actor, obj, status)

    def get_success_url(self) -> str:
        return reverse("directory:partner-detail", args=[self.object.pk])
