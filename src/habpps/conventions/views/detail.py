"""The convention page: versions side by side, the bulletins, the paper steps and their documents, and the
actions the viewer may take on the open version — each offered only when the engine and the state machine allow
it, and each refusal shown with its explanation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from habpps.authorization.decisions import AccessRefused
from habpps.authorization.mixins import run_action
from habpps.conventions import services
from habpps.conventions.author_rule import may_take_back, workflow_refusal
from habpps.conventions.comparison import compare
from habpps.conventions.doctrine import requires_instructor_number
from habpps.conventions.forms import (
    BulletinForm,
    DocumentsRequestForm,
    PaperStepForm,
    ReasonForm,
    VersionForm,
)
from habpps.conventions.four_eyes import may_verify
from habpps.conventions.impact import amendment_impact
from habpps.conventions.models import ConventionVersion, PaperStep
from habpps.conventions.views.access import may_enter, may_read_in, may_verify_in, readable_convention
from habpps.conventions.workflow import AUTHOR_EVENTS, EDITABLE_STATES, VersionState, events_from
from habpps.directory.models import Service, Status


class ConventionPageMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.convention = readable_convention(request.user, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)


def services_for_bulletins():
    return Service.objects.filter(status=Status.ACTIVE, is_administrative=False).order_by("name")


class ConventionDetailView(ConventionPageMixin, TemplateView):
    template_name = "conventions/detail.html"

    def get_context_data(self, **kwargs) -> dict:
        convention, user = self.convention, self.request.user
        in_force = convention.version_in_force()
        open_version = convention.open_version()
        can_enter = may_enter(user, convention.fund_id) and not convention.is_ended
        can_verify = may_verify_in(user, convention.fund_id)
        editable = open_version is not None and open_version.state in EDITABLE_STATES and can_enter
        events = events_from(open_version.state) if open_version and can_enter else []
        context = {
            "title": _("Convention %(ref)s") % {"ref": convention.reference},
            "convention": convention,
            "in_force": in_force,
            "open_version": open_version,
            "rows": compare(in_force, open_version) if open_version else compare(None, in_force),
            "versions": convention.versions.select_related("entered_by", "decided_by"),
            "paper_steps": convention.paper_steps.select_related("recorded_by"),
            "can_enter": can_enter,
            "editable": editable,
            "events": [event for event in events if event not in AUTHOR_EVENTS],
            # Cancel / withdraw are offered to the author only, as the engine decides (``author_rule``); to another
            # fund administrator the page says why, in the engine's words.
            **self.author_actions(user, open_version, [event for event in events if event in AUTHOR_EVENTS]),
            # What validating the open version would withdraw, computed by the engine (shown to whoever reads).
            "impact": amendment_impact(open_version) if open_version and in_force else None,
            "needs_instructor_number": requires_instructor_number(convention.partner),
            "breadcrumb": self.breadcrumb(can_enter, can_verify),
        }
        if editable:
            granted = open_version.granted()
            context["version_form"] = kwargs.pop("version_form", None) or VersionForm(
                initial={
                    "service_contract": open_version.service_contract,
                    "ends_on": open_version.ends_on,
                    "instructor_number": open_version.instructor_number,
                },
                prefix="version",
            )
            bound = kwargs.pop("bulletin_form", None)
            context["bulletin_forms"] = [
                bound
                if bound is not None and bound.service.pk == service.pk
                else BulletinForm(
                    service=service,
                    partner=convention.partner,
                    granted=granted,
                    prefix=f"bulletin-{service.pk}",
                )
                for service in services_for_bulletins()
            ]
        if can_enter:
            context["paper_form"] = kwargs.pop("paper_form", None) or PaperStepForm(prefix="papier")
            context["documents_form"] = DocumentsRequestForm(prefix="documents")
            context["terminate_form"] = kwargs.pop("terminate_form", None) or ReasonForm(prefix="resiliation")
        if can_verify and open_version is not None and open_version.state == VersionState.SUBMITTED:
            context["verification"] = may_verify(user, open_version)
            context["reject_form"] = kwargs.pop("reject_form", None) or ReasonForm(prefix="rejet")
        return super().get_context_data(**context, **kwargs)

    @staticmethod
    def author_actions(user, version, events) -> dict:
        """The author's actions offered (``author_events``) and, for the others, the engine's refusals
        (``author_refusals``, one sentence per action); the workflow's facts (a first version is not given up)
        hide the action without a word."""
        offered, refusals = [], []
        for event in events:
            if workflow_refusal(version, event):
                continue
            decision = may_take_back(user, version, event)
            if decision:
                offered.append(event)
            else:
                refusals.append(decision.message)
        return {"author_events": offered, "author_refusals": refusals}

    def breadcrumb(self, can_enter: bool, can_verify: bool) -> list[dict]:
        if can_enter:
            return [{"url": reverse("conventions:fund-queue"), "title": _("Conventions de ma caisse")}]
        if can_verify:
            return [{"url": reverse("conventions:verifier-queue"), "title": _("Conventions à vérifier")}]
        if may_read_in(self.request.user, self.convention.fund_id):
            return [{"url": reverse("conventions:network"), "title": _("Conventions du réseau")}]
        return []


class VersionActionView(ConventionDetailView):
    """POST endpoints acting on the open version; a refusal re-renders the page with its explanation."""

    http_method_names = ["post"]

    def post(self, request, pk: int, action: str):
        version = self.convention.open_version()
        handler = getattr(self, f"do_{action.replace('-', '_')}", None)
        if handler is None or version is None:
            raise Http404
        return handler(request, version)

    def done(self, message: str):
        messages.success(self.request, message)
        return redirect("conventions:detail", self.convention.pk)

    def refused(self, error: ValidationError, **forms):
        for message in error.messages:
            messages.error(self.request, message)
        return self.render_to_response(self.get_context_data(**forms))

    def simple(self, action, message: str):
        try:
            action()
        except ValidationError as error:
            return self.refused(error)
        return self.done(message)

    def do_update(self, request, version: ConventionVersion):
        form = VersionForm(request.POST, prefix="version")
        if form.is_valid() and run_action(
            request, form, lambda: services.update_version(request.user, version, **form.cleaned_data)
        ):
            return self.done(_("Saisie enregistrée."))
        return self.render_to_response(self.get_context_data(version_form=form))

    def do_bulletin(self, request, version: ConventionVersion):
        service = get_object_or_404(services_for_bulletins(), pk=posted_id(request, "service"))
        form = BulletinForm(
            request.POST,
            service=service,
            partner=self.convention.partner,
            granted=version.granted(),
            prefix=f"bulletin-{service.pk}",
        )
        if form.is_valid() and run_action(
            request, form, lambda: services.set_bulletin(request.user, version, service, form.profiles())
        ):
            return self.done(_("Bulletin d'adhésion « %(service)s » enregistré.") % {"service": service.name})
        return self.render_to_response(self.get_context_data(bulletin_form=form))

    def do_check_instructor_number(self, request, version):
        return self.simple(
            lambda: services.check_instructor_number(request.user, version), _("Numéro instructeur vérifié.")
        )

    def do_submit(self, request, version):
        return self.simple(
            lambda: services.submit(request.user, version), _("Version soumise à vérification.")
        )

    def do_resume(self, request, version):
        return self.simple(lambda: services.resume(request.user, version), _("Saisie reprise."))

    def do_documents_received(self, request, version):
        return self.simple(lambda: services.receive_documents(request.user, version), _("Documents reçus."))

    def do_request_documents(self, request, version):
        form = DocumentsRequestForm(request.POST, prefix="documents")
        note = form.data.get("documents-note", "")
        return self.simple(
            lambda: services.request_documents(request.user, version, note),
            _("Documents manquants demandés au partenaire."),
        )

    def do_cancel(self, request, version):
        return self.simple(
            lambda: services.cancel(request.user, version),
            _("Avenant abandonné : la version en vigueur reste inchangée."),
        )

    def do_withdraw(self, request, version):
        return self.simple(
            lambda: services.withdraw(request.user, version),
            _("Version retirée de la vérification : elle est de nouveau en saisie."),
        )

    def do_validate(self, request, version):
        return self.simple(
            lambda: services.validate_version(request.user, version),
            _("Version %(number)d validée : elle est en vigueur.") % {"number": version.number},
        )

    def do_reject(self, request, version):
        form = ReasonForm(request.POST, prefix="rejet")
        if form.is_valid() and run_action(
            request, form, lambda: services.reject_version(request.user, version, form.cleaned_data["reason"])
        ):
            return self.done(
                _("Version rejetée ; l'administrateur de la caisse en est informé par son tableau.")
            )
        return self.render_to_response(self.get_context_data(reject_form=form))


def posted_id(request, name: str) -> int:
    """The numeric id posted as ``name``; anything else is a 404, never a 500."""
    value = request.POST.get(name, "")
    if not value.isascii() or not value.isdigit() or len(value) > 18:
        raise Http404
    return int(value)


class ConventionActionView(ConventionDetailView):
    """POST endpoints on the convention itself: amend, terminate, record a paper step."""

    http_method_names = ["post"]

    def post(self, request, pk: int, action: str):
        convention = self.convention
        if action == "avenant":
            try:
                version = services.amend(request.user, convention)
            except AccessRefused as refused:
                # A partner administrator or a verifier may read the convention, not amend it (finding 10).
                raise Http404 from refused
            except ValidationError as error:
                for message in error.messages:
                    messages.error(request, message)
                return redirect("conventions:detail", convention.pk)
            messages.success(
                request, _("Avenant créé : version %(number)d en saisie.") % {"number": version.number}
            )
            return redirect("conventions:detail", convention.pk)
        if action == "resiliation":
            form = ReasonForm(request.POST, prefix="resiliation")
            if form.is_valid() and run_action(
                request,
                form,
                lambda: services.terminate(request.user, convention, form.cleaned_data["reason"]),
            ):
                messages.success(
                    request, _("Convention résiliée : les accès qu'elle accordait sont retirés.")
                )
                return redirect("conventions:detail", convention.pk)
            return self.render_to_response(self.get_context_data(terminate_form=form))
        if action == "etape-papier":
            form = PaperStepForm(request.POST, request.FILES, prefix="papier")
            if form.is_valid() and run_action(
                request,
                form,
                lambda: services.record_paper_step(
                    request.user, convention, **{k: v for k, v in form.cleaned_data.items() if v is not None}
                ),
            ):
                messages.success(request, _("Étape enregistrée."))
                return redirect("conventions:detail", convention.pk)
            return self.render_to_response(self.get_context_data(paper_form=form))
        raise Http404


class PaperDocumentView(LoginRequiredMixin, View):
    """The attached PDF, to whoever may read the convention, never from a public URL."""

    def get(self, request, pk: int):
        step = get_object_or_404(PaperStep, pk=pk)
        readable_convention(request.user, step.convention_id)
        if not step.document:
            raise Http404
        return FileResponse(
            step.document.open("rb"),
            content_type="application/pdf",
            as_attachment=False,
            filename=f"{step.convention.reference}-{step.kind}.pdf",
        )
