"""Form fields of a time-bound grant (ENG-5): whoever grants a profile may bound it in time.

Native date and time pickers (no JavaScript), weekdays as checkboxes; every field optional. The window is checked
by the engine's own rules (``access_windows.check_window``) and a refusal is shown next to the fields in French.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm

from habpps.authorization.access_windows import Window, check_window

WEEKDAY_CHOICES = [
    ("1", _("lundi")),
    ("2", _("mardi")),
    ("3", _("mercredi")),
    ("4", _("jeudi")),
    ("5", _("vendredi")),
    ("6", _("samedi")),
    ("7", _("dimanche")),
]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None) -> None:
        super().__init__(attrs=attrs, format="%H:%M")


DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


class AccessWindowFields(forms.Form):
    """The five optional bounds of a grant; ``window()`` gives them to the services."""

    valid_from = forms.DateField(
        label=_("Accès à partir du"), required=False, widget=DateInput(), input_formats=DATE_FORMATS,
        help_text=_("Facultatif. Vide : dès maintenant."),
    )
    valid_until = forms.DateField(
        label=_("Accès jusqu'au (inclus)"), required=False, widget=DateInput(), input_formats=DATE_FORMATS,
        help_text=_("Facultatif. L'accès s'arrête de lui-même après ce jour ; l'administrateur est prévenu avant."),
    )
    daily_from = forms.TimeField(
        label=_("Chaque jour, de"), required=False, widget=TimeInput(), help_text=_("Facultatif, ex. 08:00.")
    )
    daily_until = forms.TimeField(
        label=_("à"), required=False, widget=TimeInput(), help_text=_("Facultatif, ex. 18:00.")
    )
    weekdays = forms.MultipleChoiceField(
        label=_("Jours autorisés"),
        required=False,
        choices=WEEKDAY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Aucun jour coché : tous les jours."),
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        if not self.errors:
            try:
                check_window(self.window())
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned

    def window(self) -> Window:
        return Window.from_data(self.cleaned_data)


class AccessWindowForm(DsfrBaseForm, AccessWindowFields):
    """Change the bounds of an existing grant."""

    @classmethod
    def for_assignment(cls, assignment, **kwargs) -> AccessWindowForm:
        window = Window.of(assignment)
        initial = {**window.columns(), "weekdays": [str(d) for d in window.weekdays]}
        return cls(initial=initial, **kwargs)
