"""The auditors' search form: every filter validated server-side, errors in French next to the field."""

from __future__ import annotations

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from .context import REQUEST_ID_MAX_LENGTH
from .kinds import KIND_MAX_LENGTH, validate_kind
from .labels import kind_choices, people_named
from .scoping import is_valid_scope
from .search import JournalQuery


def validate_scope(value: str) -> None:
    if not is_valid_scope(value):
        raise ValidationError(
            _("Périmètre invalide : par exemple « national/fund:7 » ou « national/fund:7/partner:42 »."),
            code="invalid_scope",
        )


EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2999, 12, 31)


def validate_day_in_range(value: date) -> None:
    """Days outside 1900–2999 overflowed the time-zone conversion (finding 10: a 500 and a broken CSV)."""
    if value is not None and not EARLIEST_DAY <= value <= LATEST_DAY:
        raise ValidationError(
            _("Date hors de la plage admise (du 01/01/1900 au 31/12/2999)."), code="date_out_of_range"
        )


class JournalSearchForm(DsfrBaseForm):
    """Filters of the journal search; all optional, combined with AND."""

    # Chosen from lists of labels (the values stay the journal's codes, so links and exports keep working).
    kind = forms.CharField(
        label=_("Type d'événement"),
        required=False,
        max_length=KIND_MAX_LENGTH,
        validators=[validate_kind],
        widget=forms.Select(),
    )
    actor = forms.CharField(
        label=_("Personne"),
        required=False,
        max_length=150,
        help_text=_("Nom et prénom, ou identifiant de connexion, de la personne qui a agi."),
    )
    target = forms.CharField(
        label=_("Cible"),
        required=False,
        max_length=255,
        help_text=_("Identifiant de connexion de la personne concernée, par exemple."),
    )
    scope = forms.CharField(
        label=_("Organisme"),
        required=False,
        max_length=255,
        validators=[validate_scope],
        widget=forms.Select(),
    )
    request_id = forms.CharField(
        label=_("Identifiant de requête"), required=False, max_length=REQUEST_ID_MAX_LENGTH
    )
    since = forms.DateField(
        label=_("Du"),
        required=False,
        validators=[validate_day_in_range],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    until = forms.DateField(
        label=_("Au"),
        required=False,
        validators=[validate_day_in_range],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, scope_choices=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].widget.choices = kind_choices()
        self.fields["scope"].widget.choices = [("", _("Tout votre périmètre")), *(scope_choices or [])]

    def clean_actor(self) -> str:
        """A name is turned into the login it designates; a login is kept as it is."""
        value = self.cleaned_data["actor"].strip()
        if not value:
            return value
        found = people_named(value)
        if len(found) > 1:
            raise ValidationError(
                _("Plusieurs personnes portent ce nom : précisez avec l'identifiant de connexion."),
                code="ambiguous_actor",
            )
        return found[0] if found else value

    def clean(self) -> dict:
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("La date de fin doit suivre la date de début."))
        return cleaned

    def to_query(self) -> JournalQuery:
        """The validated filters; call only after ``is_valid()`` returned True."""
        data = self.cleaned_data
        return JournalQuery(
            kind=data["kind"],
            actor=data["actor"].strip(),
            target=data["target"].strip(),
            scope=data["scope"],
            request_id=data["request_id"].strip(),
            since=data["since"],
            until=data["until"],
        )
