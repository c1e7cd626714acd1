"""The national administration's pages for the service catalogue, partner types and doctrine (ADM-1)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView

from habpps.authorization import permissions as perms
from habpps.authorization.mixins import EngineAccessMixin, held_message, run_action
from habpps.authorization.orgs import NATIONAL_UNIT
from habpps.directory import services
from habpps.directory.forms import PartnerTypeForm, ServiceRoleForm
from habpps.directory.models import PartnerType, Service, ServiceRole, Status


class NationalMixin(EngineAccessMixin):
    def get_permission_org(self) -> str:
        return NATIONAL_UNIT


class ServiceListView(NationalMixin, TemplateView):
    permission = perms.MANAGE_CATALOGUE
    template_name = "directory/service_list.html"
    extra_context = {"title": gettext_lazy("Catalogue des services")}

    def get_context_data(self, **kwargs) -> dict:
        services_ = Service.objects.exclude(status=Status.REMOVED).prefetch_related("roles__permissions")
        return super().get_context_data(services=services_, **kwargs)


def _permissions_text(role: ServiceRole) -> str:
    return "\n".join(f"{p.operation} {p.obj}" for p in role.permissions.order_by("obj", "operation"))


class ServiceRoleCreateView(NationalMixin, FormView):
    permission = perms.MANAGE_CATALOGUE
    form_class = ServiceRoleForm
    template_name = "directory/form_page.html"

    def dispatch(self, request, *args, **kwargs):
        self.service = get_object_or_404(Service, pk=kwargs["service_pk"], is_administrative=False)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs) -> dict:
        return super().get_context_data(
            title=_("Nouveau profil d'accès de %(service)s") % {"service": self.service.name},
            cancel_url=reverse("directory:service-list"),
            **kwargs,
        )

    def form_valid(self, form):
        data = form.cleaned_data

        result = []

        def action():
            role = services.create_service_role(
                self.request.user,
                self.service,
                code=data["code"],
                name=data["name"],
                description=data["description"],
            )
            result.append(services.set_role_permissions(self.request.user, role, data["permissions"]))

        if not run_action(self.request, form, action):
            return self.form_invalid(form)
        if held_message(self.request, result[0]):  # created; its permissions wait for a second administrator
            return redirect("directory:service-list")
        messages.success(self.request, _("Profil « %(name)s » créé.") % {"name": data["name"]})
        return redirect("directory:service-list")


class ServiceRoleUpdateView(NationalMixin, FormView):
    permission = perms.MANAGE_CATALOGUE
    form_class = ServiceRoleForm
    template_name = "directory/form_page.html"

    def dispatch(self, request, *args, **kwargs):
        self.role = get_object_or_404(ServiceRole, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self) -> dict:
        role = self.role
        return {
            "code": role.code,
            "name": role.name,
            "description": role.description,
            "permissions": _permissions_text(role),
        }

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.fields["code"].disabled = True
        return form

    def get_context_data(self, **kwargs) -> dict:
        return super().get_context_data(
            title=_("Profil « %(name)s »") % {"name": self.role.name},
            cancel_url=reverse("directory:service-list"),
            **kwargs,
        )

    def form_valid(self, form):
        data = form.cleaned_data

        result = []

        def action():
            services.update_service_role(
                self.request.user, self.role, name=data["name"], description=data["description"]
            )
            result.append(services.set_role_permissions(self.request.user, self.role, data["permissions"]))

        if not run_action(self.request, form, action):
            return self.form_invalid(form)
        if held_message(self.request, result[0]):  # a require_approval exclusion holds the new permissions
            return redirect("directory:service-list")
        messages.success(self.request, _("Profil « %(name)s » enregistré.") % {"name": data["name"]})
        return redirect("directory:service-list")


class PartnerTypeCreateView(NationalMixin, FormView):
    permission = perms.MANAGE_DOCTRINE
    form_class = PartnerTypeForm
    template_name = "directory/form_page.html"
    extra_context = {"title": gettext_lazy("Nouveau type de partenaire")}

    def get_context_data(self, **kwargs) -> dict:
        return super().get_context_data(cancel_url=reverse("directory:doctrine"), **kwargs)

    def form_valid(self, form):
        if not run_action(
            self.request, form, lambda: services.create_partner_type(self.request.user, **form.cleaned_data)
        ):
            return self.form_invalid(form)
        messages.success(self.request, _("Type de partenaire créé."))
        return redirect("directory:doctrine")


class DoctrineView(NationalMixin, TemplateView):
    """The doctrine as a table: partner types in rows, profiles in columns, a checkbox in each cell."""

    permission = perms.MANAGE_DOCTRINE
    template_name = "directory/doctrine.html"
    extra_context = {"title": gettext_lazy("Doctrine nationale")}

    def matrix(self):
        types = list(PartnerType.objects.exclude(status=Status.REMOVED).prefetch_related("doctrine_rules"))
        roles = list(
            ServiceRole.objects.filter(account_level="")
            .exclude(status=Status.REMOVED)
            .select_related("service")
        )
        return types, roles

    def get_context_data(self, **kwargs) -> dict:
        types, roles = self.matrix()
        rows = []
        for partner_type in types:
            allowed = {rule.role_id for rule in partner_type.doctrine_rules.all()}
            rows.append((partner_type, [(role, role.pk in allowed) for role in roles]))
        return super().get_context_data(roles=roles, rows=rows, **kwargs)

    def post(self, request, *args, **kwargs):
        types, roles = self.matrix()
        by_pk = {role.pk: role for role in roles}
        allowed = {}
        for partner_type in types:
            chosen = request.POST.getlist(f"type-{partner_type.pk}")
            allowed[partner_type] = [by_pk[int(pk)] for pk in chosen if pk.isdigit() and int(pk) in by_pk]
        services.set_doctrine(request.user, allowed)
        messages.success(request, _("Doctrine enregistrée."))
        return redirect("directory:doctrine")
