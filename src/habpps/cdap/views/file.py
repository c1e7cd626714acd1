"""The file pages: look a number up, the summary sheet, one section over a period, a section's PDF document."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView

from habpps.cdap import clock, conf
from habpps.cdap.certificate import DocumentHeading, section_document
from habpps.cdap.consultations import LookupRefused, NoSection, cdap_profiles, consult, look_up
from habpps.cdap.content import BeneficiaryFile
from habpps.cdap.forms import LookupForm, PeriodForm
from habpps.cdap.models import ConsultationKind
from habpps.cdap.periods import Period, default_period
from habpps.cdap.sources import SourceError, UnknownBeneficiary
from habpps.cdap.views.mixins import SESSION_KEY, CdapAccessMixin, OpenFileRequiredMixin
from habpps.directory.models import ServiceRole


class LookupView(CdapAccessMixin, FormView):
    """The service's entry: one field, the beneficiary number (CDP-1). No list, no search by name."""

    template_name = "cdap/lookup.html"
    form_class = LookupForm

    def get_context_data(self, **kwargs) -> dict:
        if not self.sections:  # explained before a number is typed, with the profiles' names
            kwargs["no_section_message"] = NoSection.message
            kwargs["profiles"] = list(
                ServiceRole.objects.filter(code__in=cdap_profiles(self.request.user))
                .order_by("name")
                .values_list("name", flat=True)
            )
        return super().get_context_data(
            title=_("Consulter un dossier allocataire"),
            opened=self.open_file(),
            sections=self.sections,
            **kwargs,
        )

    def form_valid(self, form):
        number = form.cleaned_data["number"]
        try:
            opened = look_up(self.request.user, number)
        except UnknownBeneficiary as error:
            form.add_error("number", error.message)
            return self.form_invalid(form)
        except LookupRefused as refusal:
            form.add_error(None, refusal.message)
            return self.form_invalid(form)
        except SourceError as error:
            return self.source_failure(error)
        self.request.session[SESSION_KEY] = opened.as_session()
        return redirect("cdap:summary")


class CloseFileView(CdapAccessMixin, View):
    """Close the open file (POST only: closing changes the session)."""

    def post(self, request):
        request.session.pop(SESSION_KEY, None)
        messages.info(request, _("Dossier fermé."))
        return redirect("cdap:lookup")


class SummaryView(OpenFileRequiredMixin, View):
    """The summary sheet: the key data of every section the viewer may see, on one page (CDP-4)."""

    def show(self, request):
        try:
            beneficiary_file = consult(request.user, self.opened, self.sections, ConsultationKind.SUMMARY)
        except SourceError as error:
            return self.source_failure(error)
        cards = [(section, beneficiary_file.section(section.code)) for section in self.sections]
        context = self.file_context(title=_("Fiche de synthèse"), cards=cards, current="synthese")
        return render(request, "cdap/summary.html", context)


class SectionMixin(OpenFileRequiredMixin):
    """A page about one section: a 404 when the viewer may not see it — before anything else is looked at."""

    def get(self, request, *args, **kwargs):
        matches = [section for section in self.sections if section.code == kwargs["code"]]
        if not matches:
            raise Http404
        self.section = matches[0]
        return super().get(request, *args, **kwargs)

    def chosen_period(self) -> bool:
        return "du" in self.request.GET or "au" in self.request.GET

    def period_form(self, period: Period | None = None) -> PeriodForm:
        """The viewer's dates, or ``period`` (by default the last months) on a first visit."""
        if self.chosen_period():
            return PeriodForm(self.request.GET)
        period = period or default_period(clock.today(), conf.period_months())
        return PeriodForm({"du": period.start.isoformat(), "au": period.end.isoformat()})


class SectionView(SectionMixin, View):
    """One section; sections with history are shown over a period picked with date inputs (CDP-5)."""

    def show(self, request, code: str):
        settle = None
        if self.chosen_period():
            form = self.period_form()
            period = form.period if form.is_valid() else None
        else:
            # First visit: the last months, moved back if a table would otherwise be empty.
            period = default_period(clock.today(), conf.period_months())
            settle = self.first_view_period(period)
        try:
            beneficiary_file = consult(
                request.user,
                self.opened,
                [self.section],
                ConsultationKind.SECTION,
                period=period,
                settle_period=settle,
            )
        except SourceError as error:
            return self.source_failure(error)
        provided = beneficiary_file.section(self.section.code)
        if settle is not None:
            period = settle(beneficiary_file)
            form = self.period_form(period)
        has_history = provided is not None and provided.has_history
        content = (provided.within(period) if period else None) if has_history else provided
        context = self.file_context(
            title=self.section.name,
            section=self.section,
            content=content,
            provided=provided is not None,
            has_history=has_history,
            period_form=form,
            period=period,
            current=self.section.code,
            query=urlencode({"du": period.start.isoformat(), "au": period.end.isoformat()}) if period else "",
        )
        return render(request, "cdap/section.html", context)


    def first_view_period(self, period: Period):
        """What a first visit shows: ``period``, moved back for this section's content when needed."""
        code = self.section.code

        def settle(beneficiary_file: BeneficiaryFile) -> Period:
            content = beneficiary_file.section(code)
            return content.first_view_period(period) if content is not None else period

        return settle


class SectionDocumentView(SectionMixin, View):
    """The section's PDF over the chosen period — for « Attestation de paiement », the certificate (CDP-6)."""

    def show(self, request, code: str):
        if not self.section.document_title:
            raise Http404
        form = self.period_form()
        if not form.is_valid():
            messages.error(request, _("Choisissez une période valide pour établir le document."))
            return redirect("cdap:section", code=code)
        period = form.period
        try:
            beneficiary_file = consult(
                request.user, self.opened, [self.section], ConsultationKind.DOCUMENT, period=period
            )
        except SourceError as error:
            return self.source_failure(error)
        content = beneficiary_file.section(self.section.code)
        if content is None:
            raise Http404
        account = request.user
        fund = account.home_fund
        heading = DocumentHeading(
            title=self.section.document_title,
            fund_name=fund.name,
            beneficiary_number=self.opened.number,
            period=period,
            issued_on=clock.today(),
            issued_by=str(account.organisation or fund.name),
        )
        pdf = section_document(heading, content)
        filename = f"{self.section.code}-{self.opened.number}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.pdf"
        return HttpResponse(
            pdf,
            content_type="application/pdf",
            headers={
                "Content-Disposition": f'attachment; filename="{filename}"',
                "Cache-Control": "no-store",
            },
        )
