"""The national administrator's deployment pages (ADM-1): per service, from which date each profile is open,
nationally and in the funds that differ."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView, View

from habpps.authorization import permissions as perms
from habpps.authorization.decisions import AccessRefused
from habpps.authorization.mixins import run_action
from habpps.directory import deployment
from habpps.directory.models import Fund, ProfileOpening, Service, ServiceRole, Status
from habpps.directory.views.catalogue import NationalMixin


class OpeningForm(forms.Form):
    """One entry of the calendar: a profile, the fund it concerns (none: every fund), its opening date."""

    role = forms.ModelChoiceField(label=gettext_lazy("Profil d'accès"), queryset=ServiceRole.objects.none())
    fund = forms.ModelChoiceField(
        label=gettext_lazy("Caisse"),
        queryset=Fund.objects.exclude(status=Status.REMOVED),
        required=False,
        empty_label=gettext_lazy("Toutes les caisses (calendrier national)"),
    )
    opens_on = forms.DateField(
        label=gettext_lazy("Ouvert à partir du"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy("Laisser vide : profil fermé (ouverture non programmée)."),
    )

    def __init__(self, *args, service: Service, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = service_profiles(service)


def service_profiles(service: Service):
    return ServiceRole.objects.filter(service=service, account_level="").exclude(status=Status.REMOVED)


class DeploymentView(NationalMixin, TemplateView):
    """Every service with its profiles' national opening dates and how many funds differ."""

    permission = perms.MANAGE_CATALOGUE
    template_name = "directory/deployment.html"
    extra_context = {"title": gettext_lazy("Déploiement des services")}

    def get_context_data(self, **kwargs) -> dict:
        rows = []
        for service in Service.objects.filter(is_administrative=False).exclude(status=Status.REMOVED):
            openings = ProfileOpening.objects.filter(role__service=service)
            national = {o.role_id: o for o in openings if o.fund_id is None}
            funds: dict[int, int] = {}
            for opening in openings:
                if opening.fund_id is not None:
                    funds[opening.role_id] = funds.get(opening.role_id, 0) + 1
            profiles = [(role, national.get(role.pk), funds.get(role.pk, 0)) for role in service_profiles(service)]
            rows.append((service, profiles))
        return super().get_context_data(rows=rows, today=timezone.localdate(), **kwargs)


class ServiceDeploymentView(NationalMixin, FormView):
    """One service's calendar: national dates, each fund's own dates, and the form to set one."""

    permission = perms.MANAGE_CATALOGUE
    template_name = "directory/service_deployment.html"
    form_class = OpeningForm

    def dispatch(self, request, *args, **kwargs):
        self.service = get_object_or_404(Service, pk=kwargs["pk"], is_administrative=False)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict:
        return {**super().get_form_kwargs(), "service": self.service}

    def get_context_data(self, **kwargs) -> dict:
        openings = (
            ProfileOpening.objects.filter(role__service=self.service)
            .select_related("role", "fund")
            .order_by("role__name", "fund__code")
        )
        profiles = []
        for role in service_profiles(self.service):
            mine = [o for o in openings if o.role_id == role.pk]
            national = next((o for o in mine if o.fund_id is None), None)
            profiles.append((role, national, [o for o in mine if o.fund_id is not None]))
        return super().get_context_data(
            title=_("Déploiement de %(service)s") % {"service": self.service.name},
            service=self.service,
            profiles=profiles,
            today=timezone.localdate(),
            **kwargs,
        )

    def form_valid(self, form):
        data = form.cleaned_data
        action = lambda: deployment.set_opening(  # noqa: E731 — one call, for run_action
            self.request.user, data["role"], data["fund"], data["opens_on"]
        )
        if not run_action(self.request, form, action):
            return self.form_invalid(form)
        messages.success(self.request, _("Calendrier de « %(role)s » enregistré.") % {"role": data["role"].name})
        return redirect("directory:service-deployment", pk=self.service.pk)


class OpeningClearView(NationalMixin, View):
    """Remove one calendar entry (a fund's own date, or a profile's national calendar)."""

    permission = perms.MANAGE_CATALOGUE

    def post(self, request, pk: int):
        opening = get_object_or_404(ProfileOpening.objects.select_related("role", "fund"), pk=pk)
        try:
            deployment.clear_opening(request.user, opening.role, opening.fund)
        except AccessRefused as refusal:
            raise Http404 from refusal
        messages.success(request, _("Date d'ouverture retirée."))
        return redirect("directory:service-deployment", pk=opening.role.service_id)
