"""Acknowledging a finding from its dashboard row (a POST button: usable without JavaScript)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from habpps.authorization.decisions import AccessRefused
from habpps.supervision.findings import acknowledge
from habpps.supervision.forms import AcknowledgeForm
from habpps.supervision.views.dashboards import finding_in_scope
from habpps.supervision.views.mixins import SupervisionAccessMixin


class AcknowledgeFindingView(SupervisionAccessMixin, View):
    def post(self, request, pk: int):
        finding = finding_in_scope(self.scope, pk)
        form = AcknowledgeForm(request.POST)
        note = form.cleaned_data["note"] if form.is_valid() else ""
        try:
            acknowledge(request.user, finding, note)
        except AccessRefused as refusal:
            raise Http404 from refusal
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("Constat acquitté : il ne sera plus signalé tant qu'il ne change pas.")
            )
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = "supervision:home"
        return redirect(back)
