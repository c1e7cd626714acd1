"""The national administrator's pages: which services are OIDC clients, register, change, rotate the secret."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView

from habpps.authorization import permissions as perms
from habpps.authorization.mixins import EngineAccessMixin, run_action
from habpps.authorization.orgs import NATIONAL_UNIT
from habpps.directory.models import Service, Status
from habpps.sso import services
from habpps.sso.forms import ClientForm
from habpps.sso.models import ServiceClient


class CatalogueMixin(EngineAccessMixin):
    permission = perms.MANAGE_CATALOGUE

    def get_permission_org(self) -> str:
        return NATIONAL_UNIT


class ClientListView(CatalogueMixin, TemplateView):
    template_name = "sso/client_list.html"
    extra_context = {"title": gettext_lazy("Connexion unique des services")}

    def get_context_data(self, **kwargs) -> dict:
        # One query for the clients and their live sign-ins, not two per service.
        clients = {
            client.service_id: client
            for client in ServiceClient.objects.select_related("application").annotate(
                live=Count("sign_ins", filter=Q(sign_ins__ended_at__isnull=True))
            )
        }
        rows = [
            {"service": service, "client": clients.get(service.pk), "live": getattr(clients.get(service.pk), "live", 0)}
            for service in Service.objects.exclude(status=Status.REMOVED).filter(is_administrative=False)
        ]
        discovery = self.request.build_absolute_uri("/.well-known/openid-configuration")
        return super().get_context_data(rows=rows, discovery=discovery, **kwargs)


class ClientFormView(CatalogueMixin, FormView):
    """Register a service as a client, or change its addresses and type."""

    form_class = ClientForm
    template_name = "sso/client_form.html"

    def dispatch(self, request, *args, **kwargs):
        self.service = get_object_or_404(
            Service.objects.exclude(status=Status.REMOVED), pk=kwargs["service_pk"], is_administrative=False
        )
        self.client = ServiceClient.objects.filter(service=self.service).select_related("application").first()
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self) -> dict:
        return ClientForm.initial_for(self.client) if self.client else super().get_initial()

    def get_context_data(self, **kwargs) -> dict:
        title = (
            _("Connexion unique de %(service)s") if self.client else _("Enregistrer %(service)s comme client")
        ) % {"service": self.service.name}
        return super().get_context_data(
            title=title, client=self.client, service=self.service, cancel_url=reverse("sso:client-list"), **kwargs
        )

    def form_valid(self, form):
        created: dict = {}

        def action():
            if self.client is None:
                created["client"], created["secret"] = services.register_client(
                    self.request.user, self.service, form.settings()
                )
            else:
                services.update_client(self.request.user, self.client, form.settings())

        if not run_action(self.request, form, action):
            return self.form_invalid(form)
        if created:
            return _show_credentials(self.request, created["client"], created["secret"], created=True)
        messages.success(self.request, _("Client de %(service)s enregistré.") % {"service": self.service.name})
        return redirect("sso:client-list")


class SecretRotateView(CatalogueMixin, TemplateView):
    """GET asks for confirmation (what stops working), POST draws the new secret and shows it once."""

    template_name = "sso/secret_confirm.html"

    def dispatch(self, request, *args, **kwargs):
        self.client = get_object_or_404(ServiceClient.objects.select_related("service", "application"),
                                        service_id=kwargs["service_pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs) -> dict:
        return super().get_context_data(
            title=_("Renouveler le secret de %(service)s") % {"service": self.client.service.name},
            client=self.client,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        secret = services.rotate_secret(request.user, self.client)
        return _show_credentials(request, self.client, secret, created=False)


def _show_credentials(request, client: ServiceClient, secret: str, *, created: bool) -> TemplateResponse:
    """The one and only page that shows a secret: never cached, never stored in clear."""
    response = TemplateResponse(
        request,
        "sso/credentials.html",
        {
            "title": _("Identifiants de %(service)s") % {"service": client.service.name},
            "client": client,
            "secret": secret,
            "created": created,
            "discovery": request.build_absolute_uri("/.well-known/openid-configuration"),
        },
    )
    response["Cache-Control"] = "no-store"
    return response
