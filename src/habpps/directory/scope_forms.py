"""Forms of the pages of contextual constraints (ENG-5) and of a profile's data scoping (ENG-8).

They collect input in plain French; the services (``habpps.authorization.scope_services``) check it with the
engine's rules and answer next to the fields.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from habpps.authorization.models import CONTEXT_FUNCTIONS, FIELD_ACCESS, POPULATION_KINDS, ContextConstraint
from habpps.authorization.scope_services import RESOURCES
from habpps.directory.models import RolePermission
from habpps.directory.reference_data import CDAP_SECTIONS

OPERATORS = [
    ("between", _("entre (deux valeurs)")),
    ("in", _("parmi (valeurs séparées par des virgules)")),
    ("=", _("égal à")),
    ("≠", _("différent de")),
    ("≥", _("au moins")),
    ("≤", _("au plus")),
    ("within-network", _("dans le réseau (ex. 10.20.0.0/16)")),
]
SECTION_NAMES = dict(CDAP_SECTIONS)


def permission_label(operation: str, obj: str) -> str:
    """A permission in words: « consulter — rubrique Créances (CDAP) » rather than its engine name."""
    if obj.startswith("cdap.section."):
        section = obj.removeprefix("cdap.section.")
        return f"{operation} — rubrique « {SECTION_NAMES.get(section, section)} » (CDAP)"
    if obj == "cdap":
        return f"{operation} — service CDAP"
    return f"{operation} — {obj}"


class AttributeForm(DsfrBaseForm):
    name = forms.CharField(label=_("Nom"), max_length=60, help_text=_("En clair, ex. « heure » ou « poste »."))
    function = forms.ChoiceField(label=_("Ce qu'il lit"), choices=CONTEXT_FUNCTIONS)
    parameter = forms.CharField(label=_("Nom de la valeur lue"), max_length=60, required=False,
                                help_text=_("Seulement pour un attribut de la personne, de l'objet ou transmis."))


class ConstraintForm(DsfrBaseForm):
    name = forms.CharField(label=_("Nom de la contrainte"), max_length=120,
                           help_text=_("En clair : il est cité dans les refus, ex. « heures ouvrées »."))
    attribute = forms.ChoiceField(label=_("Condition : attribut"))
    operator = forms.ChoiceField(label=_("Comparaison"), choices=OPERATORS)
    first = forms.CharField(label=_("Valeur"), max_length=200, help_text=_("Ex. 07:00, ou 1,2,3,4,5 pour « parmi »."))
    second = forms.CharField(label=_("Seconde valeur (pour « entre »)"), max_length=200, required=False)
    attribute2 = forms.ChoiceField(label=_("Seconde condition (facultative) : attribut"), required=False)
    operator2 = forms.ChoiceField(label=_("Comparaison"), choices=[("", "—"), *OPERATORS], required=False)
    first2 = forms.CharField(label=_("Valeur"), max_length=200, required=False)
    second2 = forms.CharField(label=_("Seconde valeur"), max_length=200, required=False)

    def __init__(self, *args, attributes, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = [(a.name, a.name) for a in attributes]
        self.fields["attribute"].choices = choices
        self.fields["attribute2"].choices = [("", "—"), *choices]

    def conditions(self) -> list[dict]:
        data = self.cleaned_data
        found = [_condition(data["attribute"], data["operator"], data["first"], data.get("second"))]
        if data.get("attribute2") and data.get("operator2"):
            found.append(_condition(data["attribute2"], data["operator2"], data.get("first2") or "",
                                    data.get("second2")))
        return found


def _condition(attribute: str, operator: str, first: str, second: str | None) -> dict:
    operands: list = [{"attribute": attribute}]
    if operator == "in":
        operands.append([_plain(v.strip()) for v in first.split(",") if v.strip()])
    else:
        operands.append(_plain(first.strip()))
    if operator == "between":
        operands.append(_plain((second or "").strip()))
    return {"operator": operator, "operands": operands}


def _plain(value: str):
    """Numbers as numbers (weekdays, grades); anything else as typed — the engine checks the type."""
    return int(value) if value.isdigit() else value


class LinkForm(DsfrBaseForm):
    permission = forms.ChoiceField(label=_("Permission"))
    constraint = forms.ModelChoiceField(label=_("Seulement si"), queryset=ContextConstraint.objects.none())

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        pairs = sorted(set(RolePermission.objects.filter(role__account_level="").values_list("operation", "obj")))
        self.fields["permission"].choices = [(f"{op} {obj}", permission_label(op, obj)) for op, obj in pairs]
        self.fields["constraint"].queryset = ContextConstraint.objects.all()

    def pair(self) -> tuple[str, str]:
        operation, obj = self.cleaned_data["permission"].split(" ", 1)
        return operation, obj


class PopulationForm(DsfrBaseForm):
    resource = forms.ChoiceField(label=_("Données"), choices=list(RESOURCES.items()))
    name = forms.CharField(label=_("Nom de la population"), max_length=80)
    kind = forms.ChoiceField(label=_("Ce que la liste montre"), choices=POPULATION_KINDS)
    values = forms.CharField(label=_("Valeurs (pour une liste)"), required=False,
                             help_text=_("Séparées par des virgules."))
    is_default = forms.BooleanField(label=_("Population par défaut"), required=False)

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        kind = data["kind"]
        return {
            "resource": data["resource"], "name": data["name"], "kind": kind,
            "field": "" if kind == "all" else ("numero" if kind == "own_file" else "org"),
            "values": [v.strip() for v in data["values"].split(",") if v.strip()] if kind == "explicit" else None,
            "attribute": "numero" if kind == "own_file" else "", "is_default": data["is_default"],
        }


class FieldRuleForm(DsfrBaseForm):
    resource = forms.ChoiceField(label=_("Données"), choices=list(RESOURCES.items()))
    field = forms.CharField(label=_("Champ"), max_length=60, help_text=_("Ex. iban, adresse."))
    access = forms.ChoiceField(label=_("Accès"), choices=FIELD_ACCESS)
    when = forms.ModelChoiceField(label=_("Seulement si (facultatif)"), queryset=ContextConstraint.objects.all(),
                                  required=False)


class LimitsForm(DsfrBaseForm):
    action = forms.ChoiceField(label=_("Action"), choices=[
        ("cdap.consulter-dossier", _("consulter un dossier CDAP")),
        ("liste.exporter", _("exporter une liste")),
    ])
    max_per_day = forms.IntegerField(label=_("Plafond quotidien"), min_value=1, required=False)
    max_records = forms.IntegerField(label=_("Enregistrements au plus par requête (tout ou rien)"), min_value=1,
                                     required=False)
    confirm_above = forms.IntegerField(label=_("Confirmation demandée au-delà de"), min_value=1, required=False)
