"""Forms of CDAP, validated server-side with French messages next to their fields."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from habpps.cdap.models import AbuseLimits, Section
from habpps.cdap.numbers import normalize_beneficiary_number, validate_beneficiary_number
from habpps.cdap.periods import Period
from habpps.directory.models import Fund

EARLIEST_DAY = date(1946, 1, 1)  # the family-benefits branch has no older file
MAX_PERIOD_DAYS = 366 * 10


class LookupForm(DsfrBaseForm):
    """The only way into a file: its beneficiary number (CDP-1)."""

    number = forms.CharField(
        label=_("Numéro d'allocataire"),
        help_text=_("7 chiffres, tels qu'ils figurent sur les courriers de la caisse."),
        max_length=20,
        validators=[validate_beneficiary_number],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_number(self) -> str:
        return normalize_beneficiary_number(self.cleaned_data["number"])


class DateInput(forms.DateInput):
    """A native date picker: works without JavaScript (CDP-5)."""

    input_type = "date"

    def __init__(self, attrs=None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class PeriodForm(DsfrBaseForm):
    du = forms.DateField(label=_("Du"), widget=DateInput(), input_formats=["%Y-%m-%d", "%d/%m/%Y"])
    au = forms.DateField(label=_("Au"), widget=DateInput(), input_formats=["%Y-%m-%d", "%d/%m/%Y"])

    error_messages = {
        "order": _("La date de début doit précéder la date de fin."),
        "span": _("La période ne peut pas dépasser dix ans."),
        "early": _("Aucune donnée n'est antérieure au 1er janvier 1946."),
    }

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("du"), cleaned.get("au")
        if start and start < EARLIEST_DAY:
            self.add_error("du", self.error_messages["early"])
        if start and end:
            if start > end:
                self.add_error("au", self.error_messages["order"])
            elif (end - start).days > MAX_PERIOD_DAYS:
                self.add_error("du", self.error_messages["span"])
        return cleaned

    @property
    def period(self) -> Period:
        return Period(self.cleaned_data["du"], self.cleaned_data["au"])


class SectionForm(DsfrBaseForm, forms.ModelForm):
    class Meta:
        model = Section
        fields = ["code", "name", "position", "document_title"]


class LimitsForm(DsfrBaseForm, forms.ModelForm):
    class Meta:
        model = AbuseLimits
        fields = ["daily_ceiling", "alert_threshold"]

    def clean(self) -> dict:
        cleaned = super().clean()
        ceiling, threshold = cleaned.get("daily_ceiling"), cleaned.get("alert_threshold")
        if ceiling and threshold and threshold > ceiling:
            self.add_error(
                "alert_threshold", _("Le seuil d'alerte ne peut pas dépasser le plafond quotidien.")
            )
        return cleaned


class ReportForm(DsfrBaseForm):
    """Which file to report on: a fund (when the auditor's scope has several) and a number."""

    fund = forms.ModelChoiceField(label=_("Caisse"), queryset=Fund.objects.none(), empty_label=None)
    number = LookupForm.base_fields["number"]

    def __init__(self, *args, funds, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["fund"].queryset = funds
        self.only_fund = funds.first() if funds.count() == 1 else None
        if self.only_fund is not None:
            # An auditor of one fund or partner asks about the files of that fund: nothing to choose.
            del self.fields["fund"]

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.only_fund is not None:
            cleaned["fund"] = self.only_fund
        return cleaned

    def clean_number(self) -> str:
        return normalize_beneficiary_number(self.cleaned_data["number"])
