"""Forms of the workbench: a model's text or file, a mining run's source, accepted roles, periods, rule preview."""

from __future__ import annotations

import re
from datetime import date, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from habpps.roleeng.rationalise import FinerStep
from habpps.workbench.models import MiningRun, StoredRoleModel
from habpps.workbench.runs import MAX_TIME_LIMIT, MIN_TIME_LIMIT

MAX_UPLOAD_BYTES = 20_000_000
#: Longest period the journal is read over at once, in days.
MAX_PERIOD_DAYS = 400


def _read_upload(upload, limit: int = MAX_UPLOAD_BYTES) -> str:
    if upload.size > limit:
        raise ValidationError(_("Fichier trop volumineux (%(max)s octets au plus).") % {"max": f"{limit:,}"})
    data = upload.read()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise ValidationError(
            _("Ligne %(line)s : caractères illisibles, le fichier doit être en UTF-8.") % {"line": line}
        ) from None


class ModelTextForm(DsfrBaseForm):
    """A model given as a YAML file or typed: one of the two."""

    document = forms.FileField(
        label=_("Fichier YAML du modèle"),
        required=False,
        widget=forms.FileInput(attrs={"class": "fr-upload", "accept": ".yaml,.yml,text/yaml"}),
        help_text=_(
            "Un modèle d'ingénierie des rôles au format YAML (contraintes, permissions, scénarios, profils) ; "
            "partez d'un des exemples fournis pour en voir la forme."
        ),
    )
    text = forms.CharField(
        label=_("Ou texte YAML du modèle"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false"}),
    )

    def clean(self):
        data = super().clean()
        upload = data.get("document")
        if upload:
            data["text"] = _read_upload(upload)
        if not (data.get("text") or "").strip():
            raise ValidationError(_("Déposez un fichier ou saisissez le texte du modèle."))
        return data


class ModelEditForm(DsfrBaseForm):
    text = forms.CharField(
        label=_("Texte YAML du modèle"),
        strip=False,
        widget=forms.Textarea(attrs={"rows": 30, "spellcheck": "false"}),
    )


class PeriodForm(DsfrBaseForm):
    """A period of whole days over which the journal is read (default: the last 90 days)."""

    start = forms.DateField(label=_("Du"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("Au"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    DEFAULT_DAYS = 90

    def clean(self):
        data = super().clean()
        end = data.get("end") or timezone.localdate()
        start = data.get("start") or end - timedelta(days=self.DEFAULT_DAYS - 1)
        if start > end:
            raise ValidationError(_("Le début de la période doit précéder sa fin."))
        if (end - start).days >= MAX_PERIOD_DAYS:
            raise ValidationError(_("Période de %(days)s jours au plus.") % {"days": MAX_PERIOD_DAYS})
        data["start"], data["end"] = start, end
        return data

    def period(self) -> tuple[date, date]:
        return self.cleaned_data["start"], self.cleaned_data["end"]


class GapForm(PeriodForm):
    """The period of a gap analysis and, optionally, the mining run whose shared roles are the usage patterns."""

    patterns = forms.ModelChoiceField(
        label=_("Motifs d'usage"),
        queryset=MiningRun.objects.filter(state=MiningRun.State.DONE).defer("upa", "progress"),
        required=False,
        empty_label=_("fouiller l'usage de la période"),
    )


class RunForm(PeriodForm):
    """Where a mining run takes its assignment from, and how long it may run."""

    source = forms.ChoiceField(
        label=_("Affectation utilisateur–permission à fouiller"),
        choices=MiningRun.Source.choices,
        widget=forms.RadioSelect,
        initial=MiningRun.Source.POLICY,
    )
    upa_file = forms.FileField(
        label=_("Fichier « utilisateur permission » (source : fichier déposé)"),
        required=False,
        widget=forms.FileInput(attrs={"class": "fr-upload"}),
        help_text=_(
            "Un couple par ligne, séparé par des blancs ; lignes vides et lignes commençant par # ignorées."
        ),
    )
    time_limit = forms.FloatField(
        label=_("Durée maximale (secondes)"), min_value=MIN_TIME_LIMIT, max_value=MAX_TIME_LIMIT, initial=30
    )

    field_order = ["source", "upa_file", "start", "end", "time_limit"]

    def clean(self):
        data = super().clean()
        if data.get("source") == MiningRun.Source.FILE:
            upload = data.get("upa_file")
            if not upload:
                self.add_error("upa_file", _("Déposez le fichier à fouiller."))
            else:
                data["upa_text"] = _read_upload(upload)
                data["upa_name"] = upload.name
        return data


class AcceptRolesForm(DsfrBaseForm):
    """The roles of a finished run an analyst accepts, and the name of the model they become."""

    roles = forms.MultipleChoiceField(
        label=_("Rôles acceptés"), widget=forms.CheckboxSelectMultiple, required=False
    )
    #: Large runs list their roles page by page: this accepts every role of the run, other pages included.
    all_roles = forms.BooleanField(
        label=_(
            "Accepter tous les rôles de la fouille, y compris ceux des autres pages (les cases ci-dessus sont "
            "alors ignorées)"
        ),
        required=False,
    )
    name = forms.CharField(label=_("Nom du modèle"), max_length=200)

    def __init__(self, *args, role_ids: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.role_ids = role_ids
        self.fields["roles"].choices = [(role_id, role_id) for role_id in role_ids]

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("all_roles"):
            cleaned["roles"] = list(self.role_ids)
        elif not cleaned.get("roles") and "roles" not in self.errors:
            self.add_error("roles", _("Cochez au moins un rôle à accepter."))
        return cleaned


class RulePreviewForm(DsfrBaseForm):
    """Users to preview a model's assignment rules on, and the rules they are compared with."""

    from_directory = forms.BooleanField(
        label=_("Prendre les comptes de l'annuaire (niveau, caisse, type_partenaire, partenaire, unite)"),
        required=False,
        initial=True,
    )
    attributes = forms.CharField(
        label=_("Utilisateurs et attributs complémentaires"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        help_text=_("Un utilisateur par ligne : « identifiant attribut=valeur attribut=valeur »."),
    )
    compare_with = forms.ModelChoiceField(
        label=_("Comparer aux règles du modèle"),
        queryset=StoredRoleModel.objects.all(),
        required=False,
        empty_label=_("aucune règle (première application)"),
    )


class StoredModelChoiceField(forms.ModelChoiceField):
    """A stored model named so that two versions of one model can be told apart in the list, even when the list
    is cut short on a small screen: its version first (read from the document's top-level ``version`` line, so
    that listing does not load every model), then its name, number and date."""

    def label_from_instance(self, obj: StoredRoleModel) -> str:
        updated = timezone.localtime(obj.updated_at)
        found = _VERSION_LINE.search(obj.text)
        named = _("%(name)s (n° %(pk)s, enregistré le %(date)s)") % {
            "name": obj.name,
            "pk": obj.pk,
            "date": f"{updated:%d/%m/%Y à %H:%M}",
        }
        if found is None:
            return named
        return _("Version %(version)s — %(named)s") % {"version": found.group(1).strip(), "named": named}


_VERSION_LINE = re.compile(r"""^version:[ \t]*["']?([^"'\n#]+)""", re.MULTILINE)


class ModelDiffForm(DsfrBaseForm):
    """The two stored models (or versions of one model) to compare: what each profile and role gains and loses."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    avant = StoredModelChoiceField(
        label=_("Version de référence (avant)"),
        queryset=StoredRoleModel.objects.all(),
        empty_label=_("choisir un modèle"),
        widget=forms.Select(attrs={"class": "fr-select"}),
        error_messages={"required": _("Choisissez la version de référence.")},
    )
    apres = StoredModelChoiceField(
        label=_("Version comparée (après)"),
        queryset=StoredRoleModel.objects.all(),
        empty_label=_("choisir un modèle"),
        widget=forms.Select(attrs={"class": "fr-select"}),
        error_messages={"required": _("Choisissez la version à comparer.")},
    )


class DecomposeForm(DsfrBaseForm):
    """The finer steps a coarse step becomes: one a line, « texte | P-A, P-B » (permissions optional)."""

    steps = forms.CharField(
        label=_("Étapes plus fines"),
        help_text=_(
            "Une étape par ligne, dans l'ordre : le texte, puis « | » et les identifiants des permissions du "
            "catalogue qu'elle demande, séparés par des virgules. Au moins deux lignes."
        ),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=20_000,
    )
    reason = forms.CharField(
        label=_("Pourquoi cette décomposition (facultatif)"),
        required=False,
        max_length=500,
    )

    def clean_steps(self) -> list[FinerStep]:
        parts = []
        for number, line in enumerate(self.cleaned_data["steps"].splitlines(), start=1):
            if not line.strip():
                continue
            text, _bar, names = line.partition("|")
            if not text.strip():
                raise ValidationError(_("Ligne %(line)s : le texte de l'étape est vide.") % {"line": number})
            permissions = tuple(name.strip() for name in names.split(",") if name.strip())
            parts.append(FinerStep(text.strip(), permissions))
        if len(parts) < 2:
            raise ValidationError(
                _("Une étape se décompose en au moins deux étapes plus fines : écrivez-en une par ligne.")
            )
        return parts


class GeneraliseForm(DsfrBaseForm):
    """Similar scenarios merged into one generic scenario: which ones, the parameter and each one's value."""

    scenario_id = forms.CharField(
        label=_("Identifiant du scénario générique"),
        max_length=100,
        help_text=_("Lettres, chiffres et « _ . : - », sans espace ; par exemple SC-CONSULTER-DOSSIER."),
    )
    object = forms.CharField(
        label=_("Objet du scénario générique"),
        max_length=300,
        help_text=_("Par exemple : consulter le dossier d'un bénéficiaire de type X."),
    )
    parameter = forms.CharField(
        label=_("Paramètre d'instanciation"),
        max_length=200,
        help_text=_("Ce qui distingue les scénarios, par exemple : type de bénéficiaire."),
    )
    reason = forms.CharField(
        label=_("Pourquoi cette généralisation (facultatif)"), required=False, max_length=500
    )

    def __init__(self, *args, scenarios: list, **kwargs) -> None:
        """``scenarios``: the (id, object) pairs offered; each gets a check box and a value field."""
        super().__init__(*args, **kwargs)
        self.scenario_rows = []
        self.fields["sources"] = forms.MultipleChoiceField(
            label=_("Scénarios à généraliser"),
            choices=[(sid, sid) for sid, _object in scenarios],
            widget=forms.CheckboxSelectMultiple,
            error_messages={"required": _("Cochez au moins deux scénarios à généraliser.")},
        )
        for sid, obj in scenarios:
            name = f"valeur_{sid}"
            self.fields[name] = forms.CharField(
                label=_("Valeur du paramètre pour « %(scenario)s »") % {"scenario": sid},
                required=False,
                max_length=200,
            )
            self.scenario_rows.append({"id": sid, "object": obj, "field_name": name})

    def clean(self) -> dict:
        cleaned = super().clean()
        sources = cleaned.get("sources") or []
        if sources and len(sources) < 2:
            self.add_error("sources", _("Cochez au moins deux scénarios à généraliser."))
        for source in sources:
            if not (cleaned.get(f"valeur_{source}") or "").strip():
                self.add_error(
                    f"valeur_{source}",
                    _("Donnez la valeur du paramètre pour le scénario coché « %(scenario)s ».")
                    % {"scenario": source},
                )
        return cleaned

    def rows(self) -> list[dict]:
        """One table row per offered scenario: its id, object, whether it is checked, and its value field."""
        checked = set(self["sources"].value() or ())
        return [
            {**row, "checked": row["id"] in checked, "value_field": self[row["field_name"]]}
            for row in self.scenario_rows
        ]

    def values(self) -> dict[str, str]:
        return {s: self.cleaned_data.get(f"valeur_{s}", "") for s in self.cleaned_data["sources"]}
