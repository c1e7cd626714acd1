"""Recertification pages (ADM-8): campaigns of the scope, their outcome and flagged items; the partner
administrator's list of habilitations to confirm or revoke."""

from __future__ import annotations

from datetime import datetime, time

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from habpps.accounts.models import OrgLevel
from habpps.authorization.decisions import AccessRefused, is_allowed, require
from habpps.supervision import recertification as services
from habpps.supervision.forms import CampaignForm
from habpps.supervision.models import ItemDecision
from habpps.supervision.permissions import CERTIFY_HABILITATIONS, RUN_RECERTIFICATION
from habpps.supervision.views.mixins import SupervisionAccessMixin, account_organisation


class CampaignListView(SupervisionAccessMixin, TemplateView):
    template_name = "supervision/campaign_list.html"
    dashboard_title = gettext_lazy("Campagnes de recertification")

    def get_context_data(self, **kwargs):
        campaigns = [
            {
                "campaign": campaign,
                "outcome": services.outcome(campaign, self.scope),
                "overdue": campaign.is_overdue(),
            }
            for campaign in services.campaigns_in_scope(self.scope)[:50]
        ]
        user = self.request.user
        can_open = is_allowed(user, *RUN_RECERTIFICATION) and user.org_level != OrgLevel.PARTNER
        return super().get_context_data(
            campaigns=campaigns, can_open=can_open, form=kwargs.pop("form", None) or CampaignForm(), **kwargs
        )

    def post(self, request):
        form = CampaignForm(request.POST)
        if form.is_valid():
            due = form.cleaned_data.get("due_at")
            due_at = timezone.make_aware(datetime.combine(due, time(23, 59))) if due else None
            try:
                campaign = services.open_campaign(request.user, name=form.cleaned_data["name"], due_at=due_at)
            except AccessRefused as refusal:
                raise Http404 from refusal
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("Campagne ouverte : %(n)s habilitations à recertifier.")
                    % {"n": campaign.items.count()},
                )
                return redirect("supervision:campaign", campaign.pk)
        return self.render_to_response(self.get_context_data(form=form))


class CampaignDetailView(SupervisionAccessMixin, TemplateView):
    """A campaign's outcome in the scope; once the deadline has passed, the unanswered items are flagged."""

    template_name = "supervision/campaign.html"
    dashboard_title = gettext_lazy("Campagne de recertification")

    def get(self, request, *args, **kwargs):
        self.campaign = get_object_or_404(services.campaigns_in_scope(self.scope), pk=kwargs["pk"])
        items = (
            self.campaign.items.filter(self.scope.rows())
            .select_related("account", "group", "partner", "decided_by")
            .order_by("partner__name", "account__last_name", "account__first_name", "pk")
        )
        decision = request.GET.get("decision", ItemDecision.PENDING)
        if decision in ItemDecision.values:
            items = items.filter(decision=decision)
        if self.wants_csv():
            return self.csv(
                f"recertification-{self.campaign.pk}",
                [
                    _("Organisme"),
                    _("Identifiant"),
                    _("Nom"),
                    _("Groupe"),
                    _("Profils"),
                    _("Décision"),
                    _("Décidé le"),
                    _("Par"),
                ],
                (
                    [
                        i.partner.name,
                        i.account.login,
                        i.account.full_name,
                        i.group.name,
                        ", ".join(i.roles),
                        i.get_decision_display(),
                        i.decided_at.strftime("%d/%m/%Y") if i.decided_at else "",
                        i.decided_by.login if i.decided_by else "",
                    ]
                    for i in items.iterator(chunk_size=2000)
                ),
                {"campaign": self.campaign.pk, "decision": decision},
            )
        self.page = Paginator(items, 50).get_page(request.GET.get("page"))
        self.decision = decision
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        params = self.request.GET.copy()
        params.pop("page", None)
        owner = services.owns(self.request.user, self.campaign)
        return super().get_context_data(
            title=self.campaign.name,
            campaign=self.campaign,
            outcome=services.outcome(self.campaign, self.scope),
            overdue=self.campaign.is_overdue(),
            page_obj=self.page,
            decision=self.decision,
            decisions=ItemDecision.choices,
            query_string=f"{params.urlencode()}&" if params else "",
            breadcrumb=[
                {"url": reverse("supervision:home"), "title": _("Supervision")},
                {"url": reverse("supervision:campaigns"), "title": _("Campagnes de recertification")},
            ],
            can_close=self.campaign.is_open and owner and is_allowed(self.request.user, *RUN_RECERTIFICATION),
            **kwargs,
        )


class CampaignCloseView(SupervisionAccessMixin, View):
    def post(self, request, pk: int):
        campaign = get_object_or_404(services.campaigns_in_scope(self.scope), pk=pk)
        try:
            services.close_campaign(request.user, campaign)
        except AccessRefused as refusal:
            raise Http404 from refusal
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Campagne clôturée ; son bilan est inscrit au journal."))
        return redirect("supervision:campaign", pk)


class CertifyView(LoginRequiredMixin, TemplateView):
    """The partner administrator's habilitations to confirm or revoke in the open campaigns."""

    template_name = "supervision/certify.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            require(request.user, *CERTIFY_HABILITATIONS)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        items = services.items_to_certify(self.request.user).order_by(
            "campaign__due_at", "account__last_name", "account__first_name", "pk"
        )
        pending = items.filter(decision=ItemDecision.PENDING)
        page = Paginator(pending, 50).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            title=_("Habilitations à recertifier"),
            page_obj=page,
            query_string="",
            decided=items.exclude(decision=ItemDecision.PENDING).count(),
            now=timezone.now(),
            organisation=account_organisation(self.request.user),
            **kwargs,
        )


class ItemDecisionView(LoginRequiredMixin, View):
    def post(self, request, pk: int, decision: str):
        item = get_object_or_404(services.certifiable_by(request.user), pk=pk)
        action = {"confirmer": services.confirm, "retirer": services.revoke}.get(decision)
        if action is None:
            raise Http404
        try:
            item = action(request.user, item)
        except AccessRefused as refusal:
            raise Http404 from refusal
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("%(account)s — « %(group)s » : %(decision)s.")
                % {
                    "account": item.account.full_name,
                    "group": item.group.name,
                    "decision": item.get_decision_display().lower(),
                },
            )
        return redirect("supervision:recertification-todo")
