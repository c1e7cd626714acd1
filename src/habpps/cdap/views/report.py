"""« Qui a consulté ce dossier ? » for auditors, within their journal scope (CDP-7)."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import View

from habpps.authorization.mixins import paginate
from habpps.authorization.scoping import JOURNAL, visible_funds
from habpps.cdap.forms import ReportForm
from habpps.cdap.report import consultations_of_file
from habpps.journal.scoping import journal_population, journal_scope_for
from habpps.journal.services import record_event


class ConsultationReportView(LoginRequiredMixin, View):
    """A GET form (fund, number) and the consultations of that file, newest first. Reading it is journalled."""

    def get(self, request):
        scope = journal_scope_for(request.user)
        if scope is None:
            raise Http404
        # The funds the report's consultations can come from: those of the auditor's population of « journal »
        # (ENG-8), the same population that filters the consultations below.
        form = ReportForm(request.GET or None, funds=visible_funds(request.user, JOURNAL))
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
