"""The dashboard pages (SUP-1..8): each scoped to its viewer, each exportable as CSV with ``?format=csv``."""

from __future__ import annotations

from datetime import timedelta

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from habpps.accounts.models import Account
from habpps.authorization.decisions import is_allowed
from habpps.authorization.models import ReportedViolation
from habpps.authorization.orgs import partner_unit
from habpps.authorization.permissions import MANAGE_GROUPS
from habpps.authorization.policy_cache import current_policy
from habpps.cdap.models import Section
from habpps.directory.models import Partner, ServiceRole, Status
from habpps.supervision.charts import bar_chart, line_chart
from habpps.supervision.dashboards.activity import top_business_actions, top_freezes
from habpps.supervision.dashboards.habilitations import habilitation_series, sampled
from habpps.supervision.dashboards.inactivity import inactive_users, inactivity_cutoff
from habpps.supervision.dashboards.least_privilege import (
    key_of,
    reported_violations,
    unused_habilitations,
    unused_habilitations_page,
)
from habpps.supervision.dashboards.partner import partner_indicators
from habpps.supervision.dashboards.sections import section_consultations
from habpps.supervision.findings import open_findings_by_subject
from habpps.supervision.forms import HabilitationFilterForm, SectionFilterForm, ServiceForm
from habpps.supervision.models import Finding, FindingKind
from habpps.supervision.periods import months_before
from habpps.supervision.permissions import ACKNOWLEDGE_FINDINGS
from habpps.supervision.views.mixins import SupervisionAccessMixin, account_organisation

PAGE_SIZE = 50


def _page(request, rows):
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _query_string(request, *positions: str) -> str:
    params = request.GET.copy()
    for name in ("page", "format", *positions):
        params.pop(name, None)
    return f"{params.urlencode()}&" if params else ""


def _day(value) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


class HomeView(SupervisionAccessMixin, TemplateView):
    """The list of dashboards at the viewer's level, with the open findings that await attention."""

    template_name = "supervision/home.html"

    def get_context_data(self, **kwargs):
        findings = Finding.objects.open().filter(self.scope.rows())
        counts = {
            kind: findings.filter(kind=kind, acknowledged_at__isnull=True).count()
            for kind in FindingKind.values
        }
        return super().get_context_data(
            title=_("Supervision des habilitations"),
            unacknowledged=[(FindingKind(kind).label, count) for kind, count in counts.items()],
            can_edit_settings=is_allowed(self.request.user, "parametrer", "supervision"),
            **kwargs,
        )


class InactiveUsersView(SupervisionAccessMixin, TemplateView):
    """SUP-1 — active users not connected for N months, with acknowledgement."""

    template_name = "supervision/inactive_users.html"
    dashboard_title = gettext_lazy("Utilisateurs actifs non connectés")

    def get(self, request, *args, **kwargs):
        self.cutoff = inactivity_cutoff(timezone.now(), self.settings_row.inactivity_months)
        accounts = inactive_users(self.scope, self.cutoff)
        if self.wants_csv():
            return self.csv(
                "utilisateurs-non-connectes",
                [
                    _("Identifiant"),
                    _("Nom"),
                    _("Prénom"),
                    _("Organisme"),
                    _("Dernière connexion"),
                    _("Créé le"),
                ],
                (
                    [
                        a.login,
                        a.last_name,
                        a.first_name,
                        account_organisation(a),
                        _day(a.last_login),
                        _day(a.created_at),
                    ]
                    for a in accounts.iterator(chunk_size=2000)
                ),
            )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        page = _page(self.request, inactive_users(self.scope, self.cutoff))
        findings = open_findings_by_subject(FindingKind.INACTIVE_USER, [f"account:{a.pk}" for a in page])
        rows = [
            {
                "account": account,
                "organisation": account_organisation(account),
                "finding": findings.get(f"account:{account.pk}"),
            }
            for account in page
        ]
        return super().get_context_data(
            page_obj=page,
            rows=rows,
            cutoff=self.cutoff,
            query_string=_query_string(self.request),
            can_acknowledge=is_allowed(self.request.user, *ACKNOWLEDGE_FINDINGS),
            **kwargs,
        )


class BusinessActionsView(SupervisionAccessMixin, TemplateView):
    """SUP-2 — users with the most business actions of a service over the observed period."""

    template_name = "supervision/business_actions.html"
    dashboard_title = gettext_lazy("Utilisateurs ayant effectué le plus d'actions métier")

    def get(self, request, *args, **kwargs):
        self.form = ServiceForm(request.GET or None)
        self.service = self.form.chosen_service()
        self.since = self.observed_since()
        self.ranking = top_business_actions(
            self.scope, self.service, self.since, self.settings_row.ranking_size
        )
        if self.wants_csv():
            return self.csv(
                f"actions-metier-{self.service}",
                [
                    _("Rang"),
                    _("Identifiant"),
                    _("Nom"),
                    _("Prénom"),
                    _("Organisme"),
                    _("Actions métier"),
                    _("Jours d'activité"),
                    _("Dernier jour actif"),
                ],
                (
                    [
                        rank,
                        r.account.login,
                        r.account.last_name,
                        r.account.first_name,
                        account_organisation(r.account),
                        r.total,
                        r.days,
                        _day(r.last_day),
                    ]
                    for rank, r in enumerate(self.ranking, start=1)
                ),
                {"service": self.service, "since": self.since},
            )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        findings = open_findings_by_subject(
            FindingKind.BUSINESS_ACTIONS, [f"account:{r.account.pk}:{self.service}" for r in self.ranking]
        )
        rows = [
            {
                "rank": rank,
                "ranked": ranked,
                "organisation": account_organisation(ranked.account),
                "finding": findings.get(f"account:{ranked.account.pk}:{self.service}"),
            }
            for rank, ranked in enumerate(self.ranking, start=1)
        ]
        return super().get_context_data(
            form=self.form,
            rows=rows,
            since=self.since,
            service=self.service,
            threshold=self.settings_row.business_actions_alert_threshold,
            query_string=_query_string(self.request),
            can_acknowledge=is_allowed(self.request.user, *ACKNOWLEDGE_FINDINGS),
            **kwargs,
        )


class FreezesView(SupervisionAccessMixin, TemplateView):
    """SUP-3 — users whose account was frozen most over the observed period."""

    template_name = "supervision/freezes.html"
    dashboard_title = gettext_lazy("Utilisateurs ayant le plus gelé leur compte")

    def get(self, request, *args, **kwargs):
        self.since = self.observed_since()
        self.ranking = top_freezes(self.scope, self.since, self.settings_row.ranking_size)
        if self.wants_csv():
            return self.csv(
                "gels-de-compte",
                [
                    _("Rang"),
                    _("Identifiant"),
                    _("Nom"),
                    _("Prénom"),
                    _("Organisme"),
                    _("Gels"),
                    _("Jours avec un gel"),
                    _("Dernier gel"),
                ],
                (
                    [
                        rank,
                        r.account.login,
                        r.account.last_name,
                        r.account.first_name,
                        account_organisation(r.account),
                        r.total,
                        r.days,
                        _day(r.last_day),
                    ]
                    for rank, r in enumerate(self.ranking, start=1)
                ),
                {"since": self.since},
            )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        rows = [
            {"rank": rank, "ranked": ranked, "organisation": account_organisation(ranked.account)}
            for rank, ranked in enumerate(self.ranking, start=1)
        ]
        return super().get_context_data(
            rows=rows, since=self.since, query_string=_query_string(self.request), **kwargs
        )


class HabilitationsView(SupervisionAccessMixin, TemplateView):
    """SUP-4 — evolution of the number of habilitations per profile (chart, data table, CSV)."""

    template_name = "supervision/habilitations.html"
    dashboard_title = gettext_lazy("Évolution du nombre d'habilitations")

    def get(self, request, *args, **kwargs):
        self.form = HabilitationFilterForm(request.GET or {}, scope=self.scope)
        if not self.form.is_valid():
            return self.render_to_response(self.get_context_data(series={}, chart=None, table=None))
        start, end = self.form.period()
        partner = self.form.cleaned_data.get("siret")
        scope = self.scope.narrowed_to_partner(partner) if partner else self.scope
        role = self.form.cleaned_data.get("role")
        self.series = habilitation_series(scope, start, end, [role] if role else None)
        names = dict(ServiceRole.objects.filter(code__in=list(self.series)).values_list("code", "name"))
        if self.wants_csv():
            return self.csv(
                "evolution-habilitations",
                [_("Jour"), _("Code du profil"), _("Profil"), _("Habilitations")],
                (
                    [_day(day), code, names.get(code, code), count]
                    for code, points in self.series.items()
                    for day, count in points
                ),
                {"start": start, "end": end, "partner": partner.pk if partner else None, "role": role},
            )
        named = {names.get(code, code): points for code, points in self.series.items()}
        chart = line_chart(str(self.dashboard_title), named, y_label=_("habilitations")) if named else None
        return self.render_to_response(
            self.get_context_data(chart=chart, table=_sampled_table(named, start, end), partner=partner)
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(form=self.form, query_string=_query_string(self.request), **kwargs)


def _sampled_table(series: dict, start, end) -> dict | None:
    """The chart's data table: every day over a month or less, otherwise the last day of each month."""
    if not series:
        return None
    days = [start + timedelta(days=offset) for offset in range((end - start).days + 1)]
    if len(days) > 31:
        days = [day for day in days if (day + timedelta(days=1)).day == 1 or day == end]
    columns = list(series)
    values = {name: sampled(list(points), days) for name, points in series.items()}
    return {
        "columns": columns,
        "rows": [(day, [values[name][index] for name in columns]) for index, day in enumerate(days)],
    }


class SectionsView(SupervisionAccessMixin, TemplateView):
    """SUP-5 — consultation level of each section of a file (chart, data table, CSV)."""

    template_name = "supervision/sections.html"
    dashboard_title = gettext_lazy("Niveau de consultation des rubriques")

    def get(self, request, *args, **kwargs):
        self.form = SectionFilterForm(request.GET or {})
        if not self.form.is_valid():
            return self.render_to_response(self.get_context_data(chart=None, rows=[]))
        start, end = self.form.period()
        profile = self.form.cleaned_data.get("profile") or ""
        counts = section_consultations(self.scope, start, end, profile)
        sections = list(Section.objects.order_by("position", "code").values_list("code", "name"))
        known = {code for code, _name in sections}
        sections += [(code, code) for code in sorted(counts) if code not in known]
        total = sum(counts.values())
        rows = [
            (name, counts.get(code, 0), round(100 * counts.get(code, 0) / total, 1) if total else 0.0)
            for code, name in sections
        ]
        if self.wants_csv():
            return self.csv(
                "consultation-rubriques",
                [_("Rubrique"), _("Affichages"), _("Part (%)")],
                ([name, count, str(share).replace(".", ",")] for name, count, share in rows),
                {"start": start, "end": end, "profile": profile},
            )
        chart = bar_chart(
            str(self.dashboard_title),
            [(name, count) for name, count, _share in rows],
            x_label=_("affichages"),
        )
        return self.render_to_response(self.get_context_data(chart=chart, rows=rows, total=total))

    def get_context_data(self, **kwargs):
        return super().get_context_data(form=self.form, query_string=_query_string(self.request), **kwargs)


class PartnerListView(SupervisionAccessMixin, TemplateView):
    """SUP-6 entry: the partners of the scope, searchable; a partner administrator goes to their own."""

    template_name = "supervision/partner_list.html"
    dashboard_title = gettext_lazy("Statistiques d'un organisme partenaire")

    def get(self, request, *args, **kwargs):
        if self.scope.only_partner is not None:
            return redirect("supervision:partner", self.scope.only_partner)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        partners = Partner.objects.filter(self.scope.partners()).exclude(status=Status.REMOVED)
        q = self.request.GET.get("q", "").strip()
        if q:
            partners = partners.filter(
                Q(name__icontains=q) | Q(siret__startswith=q.replace(" ", "")) | Q(city__icontains=q)
            )
        page = _page(self.request, partners.select_related("fund", "partner_type").order_by("name", "pk"))
        return super().get_context_data(
            page_obj=page, q=q, query_string=_query_string(self.request), **kwargs
        )


class PartnerIndicatorsView(SupervisionAccessMixin, TemplateView):
    """SUP-6 — the key indicators of one partner organisation of the scope."""

    template_name = "supervision/partner.html"
    dashboard_title = gettext_lazy("Statistiques d'un organisme partenaire")

    def get(self, request, *args, **kwargs):
        partner = get_object_or_404(
            Partner.objects.filter(self.scope.partners()).select_related("fund"), pk=kwargs["pk"]
        )
        now = timezone.now()
        self.partner = partner
        self.indicators = partner_indicators(
            partner,
            since=self.observed_since(),
            inactivity_cutoff=inactivity_cutoff(now, self.settings_row.inactivity_months),
            now=now,
        )
        if self.wants_csv():
            return self.csv(
                f"indicateurs-organisme-{partner.pk}",
                [_("Organisme"), _("SIRET"), _("Indicateur"), _("Valeur")],
                ([partner.name, partner.siret, i.label, i.value] for i in self.indicators),
                {"partner": partner.pk},
            )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        breadcrumb = [{"url": reverse("supervision:home"), "title": _("Supervision")}]
        if self.scope.only_partner is None:
            breadcrumb.append({"url": reverse("supervision:partners"), "title": str(self.dashboard_title)})
        return super().get_context_data(
            title=_("Statistiques de %(name)s") % {"name": self.partner.name},
            breadcrumb=breadcrumb,
            partner=self.partner,
            indicators=self.indicators,
            since=self.observed_since(),
            query_string="",
            **kwargs,
        )


class LeastPrivilegeView(SupervisionAccessMixin, TemplateView):
    """SUP-7 — reported exclusion violations and habilitations unused for N months, each with its action."""

    template_name = "supervision/least_privilege.html"
    dashboard_title = gettext_lazy("Moindre privilège : exclusions signalées et habilitations inutilisées")

    def get(self, request, *args, **kwargs):
        self.cutoff = months_before(timezone.localdate(), self.settings_row.unused_months)
        self.violations = reported_violations(self.scope, current_policy().rbac)
        unused = unused_habilitations(self.scope, self.cutoff)
        table = request.GET.get("table")
        if self.wants_csv() and table == "exclusions":
            return self.csv(
                "exclusions-signalees",
                [_("Règle"), _("Identifiant"), _("Nom"), _("Organisme"), _("Détenu"), _("Constat")],
                (
                    [
                        v.rule,
                        v.account.login,
                        v.account.full_name,
                        account_organisation(v.account),
                        " ; ".join(v.held),
                        v.message,
                    ]
                    for v in self.violations
                ),
            )
        if self.wants_csv():
            return self.csv(
                "habilitations-inutilisees",
                [
                    _("Organisme"),
                    _("Identifiant"),
                    _("Nom"),
                    _("Prénom"),
                    _("Groupe"),
                    _("Profil"),
                    _("Service"),
                    _("Membre depuis"),
                ],
                (
                    [
                        row["group__partner__name"],
                        row["account__login"],
                        row["account__last_name"],
                        row["account__first_name"],
                        row["group__name"],
                        row["group__role_assignments__role__name"],
                        row["group__role_assignments__role__service__code"],
                        _day(row["started_at"]),
                    ]
                    for row in unused.iterator(chunk_size=2000)
                ),
                {"since": self.cutoff},
            )
        self.unused_page = self.keyed_page()
        return super().get(request, *args, **kwargs)

    def keyed_page(self):
        """The page after (« apres ») or before (« avant ») a row of the list, or the last one (« fin »), read by
        key without counting the list (issue 19); a malformed or vanished position reads the first page."""
        after, before = key_of(self.request.GET.get("apres")), key_of(self.request.GET.get("avant"))
        last = before is None and self.request.GET.get("fin") == "1"
        if before is not None or last:
            page = unused_habilitations_page(self.scope, self.cutoff, before=before, last=last, size=PAGE_SIZE)
            if last or page.has_previous or len(page.rows) == PAGE_SIZE:
                return page
            after = None  # back at the start, with rows gone since: the first page, full
        return unused_habilitations_page(self.scope, self.cutoff, after=after, size=PAGE_SIZE)

    def get_context_data(self, **kwargs):
        user = self.request.user
        findings = open_findings_by_subject(
            FindingKind.EXCLUSION_VIOLATION, [v.subject for v in self.violations]
        )
        violations = [
            {
                "violation": v,
                "finding": findings.get(v.subject),
                "organisation": account_organisation(v.account),
            }
            for v in self.violations
        ]
        manageable: dict[int, bool] = {}
        unused = []
        for row in self.unused_page.rows:
            partner_id = row["group__partner_id"]
            if partner_id not in manageable:
                manageable[partner_id] = is_allowed(user, *MANAGE_GROUPS, partner_unit(partner_id))
            unused.append({**row, "can_remove": manageable[partner_id]})
        recorded = (
            ReportedViolation.objects.filter(account__in=Account.objects.filter(self.scope.accounts()))
            .select_related("account", "acknowledged_by")
            .order_by("acknowledged_at", "-at")[:100]
        )
        return super().get_context_data(
            violations=violations,
            recorded=recorded,
            unused=unused,
            unused_page=self.unused_page,
            # An empty page after a position (the rows after it removed since) goes back to the last page.
            previous_position=(
                f"avant={self.unused_page.first_cursor}" if self.unused_page.first_cursor else "fin=1"
            ),
            cutoff=self.cutoff,
            query_string=_query_string(self.request, "apres", "avant", "fin"),
            can_acknowledge=is_allowed(user, *ACKNOWLEDGE_FINDINGS),
            **kwargs,
        )


def finding_in_scope(scope, pk: int) -> Finding:
    """A finding of the viewer's scope, else 404 — the scope is part of the query."""
    finding = Finding.objects.filter(scope.rows()).filter(pk=pk).first()
    if finding is None:
        raise Http404
    return finding
