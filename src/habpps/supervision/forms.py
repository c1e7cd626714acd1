"""The dashboards' filters (GET forms, usable without JavaScript) and the administrators' forms."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from habpps.directory import reference_data as ref
from habpps.directory.models import Partner, ServiceRole, Status
from habpps.directory.validators import normalize_siret
from habpps.supervision.aggregation import ALL_PROFILES
from habpps.supervision.events import BUSINESS_ACTION_KINDS
from habpps.supervision.models import SupervisionSettings
from habpps.supervision.supervised import Supervised

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_PERIOD_DAYS = 3 * 366


class PeriodForm(DsfrBaseForm):
    """A period of days, ending today by default (today's figures are live, ``catch_up.refresh_today``)."""

    default_days = 365

    start = forms.DateField(label=_("Du"), required=False, widget=DATE_WIDGET)
    end = forms.DateField(label=_("Au"), required=False, widget=DATE_WIDGET)

    def clean(self) -> dict:
        data = super().clean()
        end = data.get("end") or timezone.localdate()
        start = data.get("start") or end - timedelta(days=self.default_days - 1)
        if start > end:
            raise ValidationError(_("La date de début doit précéder la date de fin."), code="period_order")
        if (end - start).days > MAX_PERIOD_DAYS:
            raise ValidationError(_("La période est limitée à trois ans."), code="period_length")
        data["start"], data["end"] = start, end
        return data

    def period(self) -> tuple[date, date]:
        return self.cleaned_data["start"], self.cleaned_data["end"]


def _profile_choices(service_code: str | None = None) -> list[tuple[str, str]]:
    roles = ServiceRole.objects.filter(account_level="").exclude(status=Status.REMOVED)
    if service_code:
        roles = roles.filter(service__code=service_code)
    return list(roles.order_by("name").values_list("code", "name"))


class HabilitationFilterForm(PeriodForm):
    """SUP-4: « recherche par organisme partenaire, par rôle utilisateur, par période »."""

    siret = forms.CharField(
        label=_("Organisme partenaire (SIRET)"),
        required=False,
        max_length=20,
        help_text=_("Laisser vide pour tout votre périmètre."),
    )
    role = forms.ChoiceField(label=_("Profil"), required=False)

    def __init__(self, *args, scope: Supervised, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.scope = scope
        self.fields["role"].choices = [("", _("Tous les profils")), *_profile_choices()]

    def clean_siret(self) -> Partner | None:
        siret = normalize_siret(self.cleaned_data.get("siret") or "")
        if not siret:
            return None
        partner = (
            Partner.objects.filter(self.scope.partners())
            .filter(siret=siret)
            .exclude(status=Status.REMOVED)
            .order_by("pk")
            .first()
        )
        if partner is None:
            raise ValidationError(
                _("Aucun organisme de votre périmètre ne porte ce SIRET."), code="unknown_siret"
            )
        return partner


class SectionFilterForm(PeriodForm):
    """SUP-5: « recherche par profil, par période »."""

    default_days = 90

    profile = forms.ChoiceField(label=_("Profil"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["profile"].choices = [
            (ALL_PROFILES, _("Tous les profils")),
            *_profile_choices(ref.CDAP_SERVICE["code"]),
        ]


class ServiceForm(DsfrBaseForm):
    """SUP-2: the service whose business actions are ranked."""

    service = forms.ChoiceField(label=_("Service"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from habpps.directory.models import Service

        names = dict(Service.objects.filter(code__in=list(BUSINESS_ACTION_KINDS)).values_list("code", "name"))
        self.fields["service"].choices = [(code, names.get(code, code)) for code in BUSINESS_ACTION_KINDS]

    def chosen_service(self) -> str:
        return (self.cleaned_data.get("service") if self.is_valid() else "") or next(
            iter(BUSINESS_ACTION_KINDS)
        )


class AcknowledgeForm(DsfrBaseForm):
    note = forms.CharField(label=_("Commentaire (facultatif)"), required=False, max_length=500)


class CampaignForm(DsfrBaseForm):
    name = forms.CharField(label=_("Intitulé de la campagne"), max_length=200)
    due_at = forms.DateField(label=_("Réponse attendue avant le"), required=False, widget=DATE_WIDGET)


class SupervisionSettingsForm(DsfrBaseForm, forms.ModelForm):
    class Meta:
        model = SupervisionSettings
        fields = [
            "inactivity_months",
            "activity_window_months",
            "business_actions_alert_threshold",
            "ranking_size",
            "unused_months",
            "recertification_days",
            "reminder_days",
        ]
