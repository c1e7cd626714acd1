"""The work queues: the fund administrator's conventions and entries to finish, the verifier's submitted
versions — each the viewer's population of « conventions » (the engine's, ENG-8: by default the viewer's own
fund, `habpps.authorization.scoping`)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from habpps.authorization.decisions import is_allowed
from habpps.authorization.mixins import run_action
from habpps.authorization.scoping import visible_conventions, visible_partners
from habpps.conventions import services
from habpps.conventions.forms import ConventionForm
from habpps.conventions.four_eyes import may_verify
from habpps.conventions.models import ConventionVersion
from habpps.conventions.permissions import READ_CONVENTIONS
from habpps.conventions.views.access import may_enter, may_read_in, may_verify_in
from habpps.conventions.workflow import VersionState
from habpps.directory.models import Fund, Status


class FundPageMixin(LoginRequiredMixin):
    """A page of the viewer's own fund, reached only with the permission ``allowed`` decides."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.fund_id = request.user.fund_id
        if self.fund_id is None or not self.allowed(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def allowed(self, user) -> bool:
        return may_enter(user, self.fund_id)


class FundQueueView(FundPageMixin, TemplateView):
    """Fund administrator: entries to finish (draft, documents awaited, rejected) and every convention."""

    template_name = "conventions/fund_queue.html"

    def get_context_data(self, **kwargs) -> dict:
        visible = visible_conventions(self.request.user)
        conventions = visible.select_related("partner").prefetch_related("versions")
        to_finish = (
            ConventionVersion.objects.filter(
                convention__in=visible,
                convention__ended_at__isnull=True,
                state__in=[VersionState.DRAFT, VersionState.DOCUMENTS_REQUESTED, VersionState.REJECTED],
            )
            .select_related("convention__partner", "entered_by")
            .order_by("last_changed_at")
        )
        return super().get_context_data(
            title=_("Conventions de ma caisse"), conventions=conventions, to_finish=to_finish, **kwargs
        )


class NetworkConventionsView(LoginRequiredMixin, TemplateView):
    """The conventions of every fund the viewer may read (the national administrator), read only: each links to
    its page, where the actions are those the engine grants — none for a reader."""

    template_name = "conventions/network.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not is_allowed(request.user, *READ_CONVENTIONS):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs) -> dict:
        user = self.request.user
        funds = [fund for fund in Fund.objects.order_by("name") if may_read_in(user, fund.pk)]
        chosen = next((fund for fund in funds if str(fund.pk) == self.request.GET.get("caisse")), None)
        conventions = (
            visible_conventions(user).filter(fund__in=[chosen] if chosen else funds)
            .select_related("partner", "fund")
            .prefetch_related("versions")
            .order_by("fund__name", "partner__name", "pk")
        )
        return super().get_context_data(
            title=_("Conventions du réseau"), funds=funds, chosen=chosen, conventions=conventions, **kwargs
        )


class VerifierQueueView(FundPageMixin, TemplateView):
    """Verifier: versions of the fund awaiting verification; those the four-eyes rule reserves for another
    verifier say so."""

    template_name = "conventions/verifier_queue.html"

    def allowed(self, user) -> bool:
        return may_verify_in(user, self.fund_id)

    def get_context_data(self, **kwargs) -> dict:
        submitted = (
            ConventionVersion.objects.filter(
                convention__in=visible_conventions(self.request.user),
                convention__ended_at__isnull=True,
                state=VersionState.SUBMITTED,
            )
            .select_related("convention__partner", "entered_by", "last_changed_by")
            .order_by("submitted_at")
        )
        queue = [
            {"version": version, "decision": may_verify(self.request.user, version)} for version in submitted
        ]
        return super().get_context_data(title=_("Conventions à vérifier"), queue=queue, **kwargs)


class ConventionCreateView(FundPageMixin, FormView):
    form_class = ConventionForm
    template_name = "directory/form_page.html"

    def partners(self):
        """The partners a convention may be entered for: those of the viewer's population of « organismes »
        (ENG-8, by default the partners of its fund) in force and without a convention in force."""
        return visible_partners(self.request.user).filter(status=Status.ACTIVE).exclude(
            conventions__ended_at__isnull=True, conventions__isnull=False
        )

    def get_form_kwargs(self) -> dict:
        return {**super().get_form_kwargs(), "partners": self.partners()}

    def get_initial(self) -> dict:
        return {"partner": self.request.GET.get("partenaire"), "documents_complete": True}

    def get_context_data(self, **kwargs) -> dict:
        return super().get_context_data(title=_("Saisir une convention"), **kwargs)

    def form_valid(self, form):
        created = {}
        data = form.cleaned_data

        def action():
            created["convention"] = services.create_convention(
                self.request.user,
                data["partner"],
                reference=data["reference"],
                service_contract=data["service_contract"],
                ends_on=data["ends_on"],
                instructor_number=data["instructor_number"],
                documents_complete=data["documents_complete"],
                documents_note=data["documents_note"],
            )

        if not run_action(self.request, form, action):
            return self.form_invalid(form)
        messages.success(
            self.request, _("Convention « %(ref)s » créée.") % {"ref": created["convention"].reference}
        )
        return redirect("conventions:detail", created["convention"].pk)
