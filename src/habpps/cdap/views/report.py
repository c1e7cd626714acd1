"""« Qui a consulté ce dossier ? » for auditors, within their journal scope (CDP-7)."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import View

from habpps.authorization.mixins import paginate
from habpps.cdap.forms import ReportForm
from habpps.cdap.report import consultations_of_file
from habpps.directory.models import Fund
from habpps.journal.scoping import NATIONAL_SCOPE, journal_population, journal_scope_for
from habpps.journal.services import record_event


def funds_within(account, scope: str):
    """The funds whose files an auditor of ``scope`` may ask about."""
    if scope == NATIONAL_SCOPE:
        return Fund.objects.order_by("code")
    return Fund.objects.filter(pk=account.home_fund.pk)


class ConsultationReportView(LoginRequiredMixin, View):
    """A GET form (fund, number) and the consultations of that file, newest first. Reading it is journalled."""

    def get(self, request):
        scope = journal_scope_for(request.user)
        if scope is None:
            raise Http404
        form = ReportForm(request.GET or None, funds=funds_within(request.user, scope))
        context = {"title": _("Consultations d'un dossier"), "form": form}
        if form.is_bound and form.is_valid():
            fund, number = form.cleaned_data["fund"], form.cleaned_data["number"]
            record_event(
                "cdap.report.view",
                actor=request.user,
                org_scope=request.user.org_scope,
                target=f"dossier:{fund.code}:{number}",
                data={"viewer_scope": scope, "fund": fund.code, "beneficiary_number": number},
            )
            consultations = consultations_of_file(journal_population(request.user), fund.pk, number)
            context.update(
                fund=fund,
                number=number,
                **paginate(request, consultations, extra_params={"fund": fund.pk, "number": number}),
            )
        return render(request, "cdap/report.html", context)
