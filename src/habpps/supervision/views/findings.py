"""Acknowledging a finding from its dashboard row (a POST button: usable without JavaScript)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from habpps.accounts.models import Account
from habpps.authorization.approvals import acknowledge as acknowledge_violation
from habpps.authorization.decisions import AccessRefused, is_allowed
from habpps.authorization.models import ReportedViolation
from habpps.supervision.findings import acknowledge
from habpps.supervision.forms import AcknowledgeForm
from habpps.supervision.permissions import ACKNOWLEDGE_FINDINGS
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


class AcknowledgeViolationView(SupervisionAccessMixin, View):
    """Acknowledge a change a ``report`` exclusion let through (ENG-7, SUP-7): by whoever the engine lets
    acknowledge supervision findings in the unit of the account concerned."""

    def post(self, request, pk: int):
        violation = get_object_or_404(
            ReportedViolation.objects.select_related("account").filter(
                account__in=Account.objects.filter(self.scope.accounts())), pk=pk)
        unit = violation.account.org_unit if violation.account_id else None
        if not is_allowed(request.user, *ACKNOWLEDGE_FINDINGS, unit):
            raise Http404
        try:
            acknowledge_violation(request.user, violation)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Infraction prise en compte."))
        return redirect("supervision:least-privilege")
