"""Forms of the conventions pages, rendered with the State design system; the rules themselves live in the
services, whose refusals come back next to the field they concern."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from habpps.conventions.models import PaperDecision, PaperStepKind
from habpps.directory.models import Partner, Service, ServiceRole, Status


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class ConventionForm(DsfrBaseForm):
    """Step 7: the convention of a partner of the fund, as written on the signed paper."""

    partner = forms.ModelChoiceField(label=_("Organisme partenaire"), queryset=Partner.objects.none())
    reference = forms.CharField(label=_("Référence de la convention"), max_length=60)
    service_contract = forms.CharField(label=_("Référence du contrat de services"), max_length=120)
    ends_on = forms.DateField(
        label=_("Échéance"),
        required=False,
        widget=DateInput(),
        help_text=_("Vide si la convention est sans échéance."),
    )
    instructor_number = forms.CharField(
        label=_("Numéro instructeur RSA"),
        max_length=20,
        required=False,
        help_text=_("Pour les organismes instructeurs du RSA uniquement."),
    )
    documents_complete = forms.BooleanField(
        label=_("Les documents contractuels reçus sont complets"), required=False, initial=True
    )
    documents_note = forms.CharField(
        label=_("Documents manquants demandés au partenaire"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, partners, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partners

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("documents_complete") and not (data.get("documents_note") or "").strip():
            self.add_error("documents_note", _("Indiquez les documents manquants."))
        return data


class VersionForm(DsfrBaseForm):
    service_contract = forms.CharField(label=_("Référence du contrat de services"), max_length=120)
    ends_on = forms.DateField(label=_("Échéance"), required=False, widget=DateInput())
    instructor_number = forms.CharField(label=_("Numéro instructeur RSA"), max_length=20, required=False)


class BulletinForm(DsfrBaseForm):
    """The bulletin of one service: for each of its profiles, granted or not, and an optional user limit.

    Every profile of the service is listed; those the national doctrine does not allow for the partner's type
    say so, and the service refuses them with the doctrine's explanation.
    """

    def __init__(self, *args, service: Service, partner: Partner, granted: dict[int, int | None], **kwargs):
        super().__init__(*args, **kwargs)
        self.service = service
        allowed = set(
            ServiceRole.objects.filter(doctrine_rules__partner_type=partner.partner_type_id).values_list(
                "pk", flat=True
            )
        )
        self.roles = list(service.roles.filter(status=Status.ACTIVE, account_level="").order_by("name"))
        for role in self.roles:
            self.fields[f"grant_{role.pk}"] = forms.BooleanField(
                label=role.name,
                required=False,
                initial=role.pk in granted,
                help_text=""
                if role.pk in allowed
                else _("Hors doctrine nationale pour ce type de partenaire."),
            )
            self.fields[f"max_{role.pk}"] = forms.IntegerField(
                label=_("Nombre maximal d'utilisateurs — %(role)s") % {"role": role.name},
                required=False,
                min_value=1,
                initial=granted.get(role.pk),
                help_text=_("Vide : pas de limite."),
            )

    def profiles(self) -> dict[ServiceRole, int | None]:
        return {
            role: self.cleaned_data.get(f"max_{role.pk}")
            for role in self.roles
            if self.cleaned_data.get(f"grant_{role.pk}")
        }


class ReasonForm(DsfrBaseForm):
    reason = forms.CharField(label=_("Motif"), widget=forms.Textarea(attrs={"rows": 3}))


class DocumentsRequestForm(DsfrBaseForm):
    note = forms.CharField(label=_("Documents manquants"), widget=forms.Textarea(attrs={"rows": 2}))


class PaperStepForm(DsfrBaseForm):
    kind = forms.ChoiceField(label=_("Étape"), choices=PaperStepKind.choices)
    occurred_on = forms.DateField(label=_("Date"), widget=DateInput())
    decision = forms.ChoiceField(label=_("Décision"), choices=PaperDecision.choices)
    note = forms.CharField(label=_("Observations"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    document = forms.FileField(
        label=_("Document (PDF)"), required=False, help_text=_("Un PDF ; son contenu est vérifié.")
    )
