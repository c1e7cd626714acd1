"""Forms of the extended model's pages: inheritance, separation sets, exclusions, role properties, decisions."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from habpps.authorization.model_services import unit_choices
from habpps.authorization.separation_models import ExclusionKind, Risk, SeparationKind
from habpps.authorization.stored import ServiceRole, Status

MEMBER_ROWS = 4


class RoleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, role: ServiceRole) -> str:
        return f"{role.name} — {role.service.name}"


def roles_in_catalogue():
    return ServiceRole.objects.exclude(status=Status.REMOVED).select_related("service").order_by(
        "-service__is_administrative", "service__name", "name")


class InheritanceForm(DsfrBaseForm):
    senior = RoleChoiceField(label=_("Rôle supérieur (il hérite)"), queryset=ServiceRole.objects.none())
    junior = RoleChoiceField(label=_("Rôle hérité"), queryset=ServiceRole.objects.none(),
                             help_text=_("Le rôle supérieur obtient toutes les permissions du rôle hérité."))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["senior"].queryset = self.fields["junior"].queryset = roles_in_catalogue()


class _MembersForm(DsfrBaseForm):
    """Up to ``MEMBER_ROWS`` members, each a role (or a permission) anywhere or in one unit."""

    with_permissions = False

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        units = unit_choices()
        for index in range(1, MEMBER_ROWS + 1):
            self.fields[f"role_{index}"] = RoleChoiceField(
                label=_("Membre %(n)s : rôle") % {"n": index}, queryset=roles_in_catalogue(), required=False)
            if self.with_permissions:
                self.fields[f"permission_{index}"] = forms.CharField(
                    label=_("ou permission (opération puis objet)"), required=False, max_length=180,
                    help_text=_("Par exemple « consulter cdap.section.dossier »."))
            self.fields[f"org_{index}"] = forms.ChoiceField(label=_("dans l'unité"), choices=units, required=False)

    def member_rows(self) -> list[dict]:
        rows = []
        for index in range(1, MEMBER_ROWS + 1):
            role = self.cleaned_data.get(f"role_{index}")
            permission = (self.cleaned_data.get(f"permission_{index}") or "").split()
            org = self.cleaned_data.get(f"org_{index}") or ""
            if role is not None and permission:
                raise ValidationError(_("Membre %(n)s : choisissez un rôle ou une permission, pas les deux.")
                                      % {"n": index})
            if role is not None:
                rows.append({"role": role, "org": org})
            elif permission:
                if len(permission) != 2:
                    raise ValidationError(_("Membre %(n)s : une permission s'écrit « opération objet ».")
                                          % {"n": index})
                rows.append({"operation": permission[0], "obj": permission[1], "org": org})
        return rows

    def clean(self):
        cleaned = super().clean()
        try:
            cleaned["members"] = self.member_rows()
        except ValidationError as error:
            self.add_error(None, error)
        return cleaned


class SeparationSetForm(_MembersForm):
    kind = forms.ChoiceField(label=_("Type"), choices=SeparationKind.choices)
    name = forms.CharField(label=_("Nom"), max_length=120)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    cardinality = forms.IntegerField(label=_("Nombre de membres interdits ensemble"), min_value=2, initial=2)

    field_order = ["kind", "name", "description", "cardinality"]


class ExclusionForm(_MembersForm):
    with_permissions = True
    name = forms.CharField(label=_("Nom"), max_length=120)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    kind = forms.ChoiceField(label=_("Moment du contrôle"), choices=ExclusionKind.choices)
    risk = forms.ChoiceField(label=_("Conduite à tenir"), choices=Risk.choices)
    cardinality = forms.IntegerField(label=_("Nombre de membres interdits ensemble"), min_value=2, initial=2)

    field_order = ["name", "description", "kind", "risk", "cardinality"]


class RoleRuleForm(DsfrBaseForm):
    descends = forms.BooleanField(label=_("S'étend aux unités inférieures"), required=False, initial=True,
                                  help_text=_("Décoché : le rôle ne vaut que dans l'unité où il est attribué."))
    max_users = forms.IntegerField(label=_("Nombre maximal de titulaires"), min_value=1, required=False,
                                   help_text=_("Vide : pas de limite."))


class RejectForm(DsfrBaseForm):
    reason = forms.CharField(label=_("Motif du refus"), required=False, max_length=500)
