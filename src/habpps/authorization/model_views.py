"""Pages of the extended model (ENG-2, 3, 6, 7) and of the « À approuver » queue.

Access is an engine decision (``gerer modele-habilitations`` nationally; ``approuver changements`` in the unit
of each held change); every change goes through `model_services` / `approvals`, whose engine refusals show as
form errors with the engine's explanation.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView, View

from habpps.authorization import approvals, model_services
from habpps.authorization.decisions import AccessRefused, is_allowed
from habpps.authorization.hierarchy_svg import render
from habpps.authorization.labels import unit_label
from habpps.authorization.mixins import EngineAccessMixin, held_message, run_action
from habpps.authorization.model_forms import (
    ExclusionForm,
    InheritanceForm,
    RejectForm,
    RoleRuleForm,
    SeparationSetForm,
)
from habpps.authorization.model_permissions import APPROVE_CHANGES, MANAGE_MODEL
from habpps.authorization.models import RoleWindow
from habpps.authorization.orgs import NATIONAL_UNIT
from habpps.authorization.separation_models import (
    AccountLimit,
    ApprovalStatus,
    Exclusion,
    PendingApproval,
    RoleInheritance,
    RoleRule,
    SeparationSet,
)
from habpps.authorization.stored import ServiceRole, Status

SECTIONS = [
    ("authorization:hierarchy", gettext_lazy("Hiérarchie des rôles")),
    ("authorization:separation", gettext_lazy("Séparation des tâches")),
    ("authorization:exclusions", gettext_lazy("Exclusions")),
    ("authorization:role-rules", gettext_lazy("Portée et limites des rôles")),
]


class ModelMixin(EngineAccessMixin):
    permission = MANAGE_MODEL
    section = ""

    def get_permission_org(self) -> str:
        return NATIONAL_UNIT

    def get_context_data(self, **kwargs):
        nav = [{"url": reverse(name), "label": label, "current": name == self.section} for name, label in SECTIONS]
        return super().get_context_data(model_nav=nav, **kwargs)


def _post_action(request, action, success: str) -> None:
    try:
        action()
    except AccessRefused as refusal:
        raise Http404 from refusal
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return
    messages.success(request, success)


# -- hierarchy ------------------------------------------------------------------------------------------------------------
def _hierarchy_of(administrative: bool) -> tuple[dict[str, str], list[tuple[str, str]]]:
    links = RoleInheritance.objects.filter(senior__service__is_administrative=administrative).select_related(
        "senior", "junior")
    labels: dict[str, str] = {}
    edges = []
    for link in links:
        labels[link.senior.code], labels[link.junior.code] = link.senior.name, link.junior.name
        edges.append((link.senior.code, link.junior.code))
    return labels, edges


class HierarchyView(ModelMixin, FormView):
    template_name = "authorization/hierarchy.html"
    form_class = InheritanceForm
    section = "authorization:hierarchy"
    extra_context = {"title": gettext_lazy("Hiérarchie des rôles")}

    def get_context_data(self, **kwargs):
        links = RoleInheritance.objects.select_related("senior__service", "junior__service", "created_by")
        return super().get_context_data(
            administrative=[link for link in links if link.senior.service.is_administrative],
            profiles=[link for link in links if not link.senior.service.is_administrative],
            **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        result = []
        if not run_action(self.request, form, lambda: result.append(model_services.add_inheritance(
                self.request.user, data["senior"], data["junior"]))):
            return self.form_invalid(form)
        if held_message(self.request, result[0]):
            return redirect("authorization:hierarchy")
        messages.success(self.request, _("« %(senior)s » hérite désormais de « %(junior)s ».")
                         % {"senior": data["senior"].name, "junior": data["junior"].name})
        return redirect("authorization:hierarchy")


class HierarchyPictureView(ModelMixin, View):
    """The SVG picture of one hierarchy (administrative roles, or access profiles)."""

    def get(self, request, which: str):
        if which not in ("administration", "profils"):
            raise Http404
        labels, edges = _hierarchy_of(which == "administration")
        title = _("Hiérarchie des rôles d'administration") if which == "administration" else _(
            "Hiérarchie des profils d'accès")
        response = HttpResponse(render(labels, edges, title), content_type="image/svg+xml; charset=utf-8")
        response["Cache-Control"] = "no-store"
        return response


class InheritanceRemoveView(ModelMixin, View):
    def post(self, request, pk: int):
        link = get_object_or_404(RoleInheritance.objects.select_related("senior", "junior"), pk=pk)
        _post_action(request, lambda: model_services.remove_inheritance(request.user, link),
                     _("Héritage retiré : « %(senior)s » n'hérite plus de « %(junior)s ».")
                     % {"senior": link.senior.name, "junior": link.junior.name})
        return redirect("authorization:hierarchy")


# -- separation of duty -----------------------------------------------------------------------------------------------------
def _describe_members(members) -> list[str]:
    described = []
    for member in members:
        what = member.role.name if member.role_id else _("permission « %(op)s » sur « %(obj)s »") % {
            "op": member.operation, "obj": getattr(member, "obj", "")}
        described.append(what + (_(" dans %(unit)s") % {"unit": unit_label(member.org)} if member.org else ""))
    return described


class SeparationView(ModelMixin, FormView):
    template_name = "authorization/separation.html"
    form_class = SeparationSetForm
    section = "authorization:separation"
    extra_context = {"title": gettext_lazy("Séparation des tâches")}

    def get_context_data(self, **kwargs):
        sets = [{"set": s, "members": _describe_members(s.members.select_related("role"))}
                for s in SeparationSet.objects.all()]
        return super().get_context_data(sets=sets, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        if not run_action(self.request, form, lambda: model_services.create_separation_set(
                self.request.user, kind=data["kind"], name=data["name"], cardinality=data["cardinality"],
                members=[(m["role"], m["org"]) for m in data["members"] if "role" in m],
                description=data["description"])):
            return self.form_invalid(form)
        messages.success(self.request, _("Ensemble « %(name)s » créé.") % {"name": data["name"]})
        return redirect("authorization:separation")


class SeparationDeleteView(ModelMixin, View):
    def post(self, request, pk: int):
        sod_set = get_object_or_404(SeparationSet, pk=pk)
        _post_action(request, lambda: model_services.delete_separation_set(request.user, sod_set),
                     _("Ensemble « %(name)s » supprimé.") % {"name": sod_set.name})
        return redirect("authorization:separation")


# -- exclusions ---------------------------------------------------------------------------------------------------------------
class ExclusionsView(ModelMixin, FormView):
    template_name = "authorization/exclusions.html"
    form_class = ExclusionForm
    section = "authorization:exclusions"
    extra_context = {"title": gettext_lazy("Exclusions graduées par le risque")}

    def get_context_data(self, **kwargs):
        rules = [{"rule": r, "members": _describe_members(r.members.select_related("role"))}
                 for r in Exclusion.objects.all()]
        return super().get_context_data(rules=rules, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        if not run_action(self.request, form, lambda: model_services.create_exclusion(
                self.request.user, name=data["name"], risk=data["risk"], kind=data["kind"],
                cardinality=data["cardinality"], members=data["members"], description=data["description"])):
            return self.form_invalid(form)
        messages.success(self.request, _("Exclusion « %(name)s » créée.") % {"name": data["name"]})
        return redirect("authorization:exclusions")


class ExclusionDeleteView(ModelMixin, View):
    def post(self, request, pk: int):
        rule = get_object_or_404(Exclusion, pk=pk)
        _post_action(request, lambda: model_services.delete_exclusion(request.user, rule),
                     _("Exclusion « %(name)s » supprimée.") % {"name": rule.name})
        return redirect("authorization:exclusions")


# -- role properties and cardinalities ------------------------------------------------------------------------------------------
class RoleRulesView(ModelMixin, TemplateView):
    template_name = "authorization/role_rules.html"
    section = "authorization:role-rules"
    extra_context = {"title": gettext_lazy("Portée et limites des rôles")}

    def get_context_data(self, **kwargs):
        rules = {rule.role_id: rule for rule in RoleRule.objects.all()}
        roles = ServiceRole.objects.exclude(status=Status.REMOVED).select_related("service").order_by(
            "-service__is_administrative", "service__name", "name")
        limits = AccountLimit.objects.filter(max_roles__isnull=False).select_related("account")
        windows = {row.role_id: row for row in RoleWindow.objects.all()}
        return super().get_context_data(rows=[(role, rules.get(role.pk), windows.get(role.pk)) for role in roles],
                                        limits=limits, **kwargs)


class RoleRuleEditView(ModelMixin, FormView):
    template_name = "authorization/form_page.html"
    form_class = RoleRuleForm
    section = "authorization:role-rules"

    def dispatch(self, request, *args, **kwargs):
        self.role = get_object_or_404(ServiceRole.objects.exclude(status=Status.REMOVED), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        rule = RoleRule.objects.filter(role=self.role).first()
        return {"descends": rule.descends if rule else True, "max_users": rule.max_users if rule else None}

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Portée et limite de « %(role)s »") % {"role": self.role.name},
                                        cancel_url=reverse("authorization:role-rules"), **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        result = []
        if not run_action(self.request, form, lambda: result.append(model_services.set_role_rule(
                self.request.user, self.role, descends=data["descends"], max_users=data["max_users"]))):
            return self.form_invalid(form)
        if held_message(self.request, result[0]):
            return redirect("authorization:role-rules")
        messages.success(self.request, _("« %(role)s » enregistré.") % {"role": self.role.name})
        return redirect("authorization:role-rules")


# -- « À approuver » -------------------------------------------------------------------------------------------------------
class ApprovalQueueView(LoginRequiredMixin, TemplateView):
    """Held changes of the units where the engine lets the viewer approve; decided ones below."""

    template_name = "authorization/approvals.html"
    extra_context = {"title": gettext_lazy("Changements à approuver")}

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not is_allowed(request.user, *APPROVE_CHANGES):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        rows = approvals.visible_approvals(self.request.user)
        user = self.request.user
        pending = []
        for item in rows.filter(status=ApprovalStatus.PENDING):
            try:
                approvals.check_may_decide(user, item)
                why_not = ""
            except (ValidationError, AccessRefused) as refusal:
                why_not = " ".join(getattr(refusal, "messages", [str(refusal)]))
            pending.append({"item": item, "why_not": why_not, "unit": unit_label(item.org),
                            "details": approvals.change_details(item)})
        decided = [{"item": item, "unit": unit_label(item.org)}
                   for item in rows.exclude(status=ApprovalStatus.PENDING)[:50]]
        return super().get_context_data(pending=pending, decided=decided, reject_form=RejectForm(), **kwargs)


class ApprovalDecideView(LoginRequiredMixin, View):
    def post(self, request, pk: int, decision: str):
        pending = get_object_or_404(PendingApproval, pk=pk)
        if decision == "approuver":
            _post_action(request, lambda: _engine_refusal_as_message(lambda: approvals.approve(request.user, pending)),
                         _("Changement approuvé et appliqué."))
        elif decision == "refuser":
            form = RejectForm(request.POST)
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            _post_action(request, lambda: approvals.reject(request.user, pending, reason), _("Changement refusé."))
        else:
            raise Http404
        return redirect("authorization:approvals")


def _engine_refusal_as_message(action):
    from habpps.authorization.labels import in_french
    from habpps.engine import RBACError

    try:
        return action()
    except RBACError as refusal:
        raise ValidationError(in_french(str(refusal))) from refusal
