"""Forms of the partner's delegated administration; rules are the services', refusals come back by field."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from habpps.directory.models import Group, ServiceRole


class PartnerAccountForm(DsfrBaseForm):
    """A new account of the partner; login and temporary password go out in two separate mails (AUT-3)."""

    first_name = forms.CharField(label=_("Prénom"), max_length=150)
    last_name = forms.CharField(label=_("Nom"), max_length=150)
    email = forms.EmailField(label=_("Adresse électronique"))
    group = forms.ModelChoiceField(
        label=_("Groupe"),
        queryset=Group.objects.none(),
        required=False,
        empty_label=_("Aucun pour l'instant"),
    )

    def __init__(self, *args, groups, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups


class PerimeterForm(DsfrBaseForm):
    """The sub-perimeter given to one delegate: some groups, some profiles of the convention."""

    groups = forms.ModelMultipleChoiceField(
        label=_("Groupes délégués"),
        queryset=Group.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    roles = forms.ModelMultipleChoiceField(
        label=_("Profils délégués"),
        queryset=ServiceRole.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, groups, roles, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["groups"].queryset = groups
        self.fields["roles"].queryset = roles
