"""The national administrator edits the supervision's figures (periods, thresholds): data, never code."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView

from habpps.authorization.decisions import require
from habpps.journal.services import record_event
from habpps.supervision import events
from habpps.supervision.forms import SupervisionSettingsForm
from habpps.supervision.permissions import MANAGE_SUPERVISION
from habpps.supervision.views.mixins import SupervisionAccessMixin


class SettingsView(SupervisionAccessMixin, FormView):
    template_name = "supervision/settings.html"
    form_class = SupervisionSettingsForm
    dashboard_title = gettext_lazy("Paramètres de la supervision")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            require(request.user, *MANAGE_SUPERVISION)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.settings_row}

    def form_valid(self, form):
        before = {name: form.initial.get(name) for name in form.changed_data}
        row = form.save(commit=False)
        row.updated_at, row.updated_by = timezone.now(), self.request.user
        row.save()
        record_event(
            events.SETTINGS_CHANGED,
            actor=self.request.user,
            org_scope="national",
            target="supervision:parametres",
            before=before,
            after={name: form.cleaned_data[name] for name in form.changed_data},
        )
        messages.success(self.request, _("Paramètres enregistrés."))
        return redirect("supervision:home")
