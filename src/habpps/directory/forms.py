"""Forms of the directory, rendered with the State design system; every rule answers in French next to its field.

Forms only collect and check input; the change itself is made by ``habpps.directory.services`` so that the web
pages, the API and the command line apply the same rules.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from habpps.accounts.models import Account
from habpps.authorization.forms import AccessWindowFields
from habpps.directory.models import Fund, Group, Partner, PartnerType, ServiceRole, Status
from habpps.directory.validators import normalize_siret, validate_siret


class DsfrModelForm(DsfrBaseForm, forms.ModelForm):
    """A model form with the design system's rendering."""


class FundForm(DsfrModelForm):
    class Meta:
        model = Fund
        fields = ["code", "name", "department"]


class PartnerForm(DsfrModelForm):
    siret = forms.CharField(
        label=_("SIRET"), max_length=20, help_text=_("14 chiffres ; les espaces sont acceptés.")
    )

    class Meta:
        model = Partner
        fields = ["name", "siret", "partner_type", "person_kind", "street", "postal_code", "city"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner_type"].queryset = PartnerType.objects.filter(status=Status.ACTIVE)

    def clean_siret(self) -> str:
        siret = normalize_siret(self.cleaned_data["siret"])
        validate_siret(siret)
        return siret


class GroupForm(DsfrModelForm):
    class Meta:
        model = Group
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class AccountForm(DsfrBaseForm):
    """A new account; its login is generated and its temporary password mailed, never shown (AUT-3)."""

    first_name = forms.CharField(label=_("Prénom"), max_length=150)
    last_name = forms.CharField(label=_("Nom"), max_length=150)
    email = forms.EmailField(label=_("Adresse électronique"))
    roles = forms.ModelMultipleChoiceField(
        label=_("Rôles d'administration"),
        queryset=ServiceRole.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, account_level: str, role_allowed=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        roles = ServiceRole.objects.filter(account_level=account_level, status=Status.ACTIVE)
        if role_allowed is not None:  # only the roles the engine lets the viewer give (a delegate gives none)
            roles = roles.filter(pk__in=[role.pk for role in roles if role_allowed(role)])
        self.fields["roles"].queryset = roles
        if not roles.exists():
            del self.fields["roles"]


class AccountChoiceForm(DsfrBaseForm):
    account = forms.ModelChoiceField(label=_("Compte"), queryset=Account.objects.none())

    def __init__(self, *args, accounts, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = accounts


class RoleChoiceForm(DsfrBaseForm):
    role = forms.ModelChoiceField(label=_("Profil"), queryset=ServiceRole.objects.none())

    def __init__(self, *args, roles, label=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = roles
        if label:
            self.fields["role"].label = label


class GrantForm(RoleChoiceForm, AccessWindowFields):
    """Give a profile, optionally bounded in time (ENG-5: start and end dates, daily hours, weekdays)."""

    field_order = ["role", "valid_from", "valid_until", "daily_from", "daily_until", "weekdays"]


class ServiceRoleForm(DsfrBaseForm):
    """An access profile and the permissions it holds, one ``operation objet`` pair per line."""

    code = forms.SlugField(
        label=_("Code"), max_length=60, help_text=_("Nom du rôle dans le moteur, ex. cdap-ass-cesf.")
    )
    name = forms.CharField(label=_("Libellé"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    permissions = forms.CharField(
        label=_("Permissions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Une permission par ligne : l'opération, une espace, puis l'objet (ex. « consulter cdap.section.droits »)."
        ),
    )

    def clean_permissions(self) -> list[tuple[str, str]]:
        pairs = []
        for number, line in enumerate(self.cleaned_data["permissions"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = line.split()
            if len(parts) != 2:
                raise forms.ValidationError(
                    _("Ligne %(number)d : écrivez l'opération puis l'objet, séparés par une espace."),
                    params={"number": number},
                )
            pairs.append((parts[0], parts[1]))
        return pairs


class PartnerTypeForm(DsfrModelForm):
    class Meta:
        model = PartnerType
        fields = ["code", "name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class StatusForm(DsfrBaseForm):
    """Confirmation of a suspension, reactivation or removal (no JavaScript needed)."""

    status = forms.ChoiceField(choices=Status.choices, widget=forms.HiddenInput)
