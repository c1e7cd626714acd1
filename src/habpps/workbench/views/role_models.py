"""Pages of a role-engineering model (RE-1..4, RE-7): deposit or edit it, review what derives from it, export it.

A model that does not load is never stored: the page shows every problem with its place in the document (path
and line) next to the text, which is kept for correction.
"""

from __future__ import annotations

from csp.decorators import csp_replace
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from habpps.engine import dumps
from habpps.roleeng.examples import bundled_examples, example
from habpps.roleeng.model import Permission
from habpps.roleeng.model_diff import diff_models
from habpps.roleeng.problems import ModelInvalid
from habpps.workbench import rules
from habpps.workbench.documents import Workspace, save_model
from habpps.workbench.forms import ModelDiffForm, ModelEditForm, ModelTextForm, RulePreviewForm
from habpps.workbench.models import StoredRoleModel
from habpps.workbench.rules import AttributeLineError
from habpps.workbench.views.mixins import WorkbenchMixin, home_crumb


class ModelMixin(WorkbenchMixin):
    """A page about one stored model."""

    def dispatch(self, request, *args, **kwargs):
        self.stored = get_object_or_404(StoredRoleModel, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    @property
    def workspace(self) -> Workspace:
        if not hasattr(self, "_workspace"):
            self._workspace = Workspace(self.stored)
        return self._workspace

    def model_crumbs(self) -> list[dict]:
        return [
            *home_crumb(),
            {"url": reverse("workbench:model-detail", args=[self.stored.pk]), "title": self.stored.name},
        ]


def _invalid(form, invalid: ModelInvalid) -> None:
    form.add_error(
        None,
        _("Le modèle n'est pas enregistré : %(count)s erreur(s) à corriger.")
        % {"count": len(invalid.errors)},
    )


class ModelCreateView(WorkbenchMixin, FormView):
    form_class = ModelTextForm
    template_name = "workbench/model_form.html"

    def chosen_example(self):
        return example(self.request.GET.get("exemple", ""))

    def get_initial(self) -> dict:
        """« Partir de cet exemple »: the text field holds the bundled example, ready to adapt and save."""
        chosen = self.chosen_example()
        return {"text": chosen.text} if chosen else {}

    def get_context_data(self, **kwargs) -> dict:
        return super().get_context_data(
            title=_("Nouveau modèle de rôles"),
            breadcrumb=home_crumb(),
            upload=True,
            examples=bundled_examples(),
            chosen_example=self.chosen_example(),
            **kwargs,
        )

    def form_valid(self, form):
        origin = (
            StoredRoleModel.Origin.UPLOAD
            if form.cleaned_data.get("document")
            else StoredRoleModel.Origin.EDIT
        )
        try:
            stored, warnings = save_model(self.request.user, form.cleaned_data["text"], origin=origin)
        except ModelInvalid as invalid:
            _invalid(form, invalid)
            return self.render_to_response(self.get_context_data(form=form, problems=invalid.problems))
        messages.success(
            self.request,
            _("Modèle « %(name)s » enregistré (%(count)s avertissement(s)).")
            % {"name": stored.name, "count": len(warnings)},
        )
        return redirect("workbench:model-detail", pk=stored.pk)


class ModelEditView(ModelMixin, FormView):
    form_class = ModelEditForm
    template_name = "workbench/model_form.html"

    def get_initial(self) -> dict:
        return {"text": self.stored.text}

    def get_context_data(self, **kwargs) -> dict:
        return super().get_context_data(
            title=_("Modifier le modèle"), breadcrumb=self.model_crumbs(), upload=False, **kwargs
        )

    def form_valid(self, form):
        try:
            save_model(self.request.user, form.cleaned_data["text"], instance=self.stored)
        except ModelInvalid as invalid:
            _invalid(form, invalid)
            return self.render_to_response(self.get_context_data(form=form, problems=invalid.problems))
        messages.success(self.request, _("Modèle enregistré."))
        return redirect("workbench:model-detail", pk=self.stored.pk)


class ModelDetailView(ModelMixin, TemplateView):
    template_name = "workbench/model_detail.html"

    def get_context_data(self, **kwargs) -> dict:
        workspace = self.workspace
        model = workspace.model
        checks = workspace.sequence_checks
        return super().get_context_data(
            title=model.name,
            breadcrumb=home_crumb(),
            stored=self.stored,
            workspace=workspace,
            model=model,
            roles=workspace.roles(),
            permission_catalogue=workspace.permission_catalogue,
            constraint_catalogue=workspace.constraint_catalogue,
            tasks=[
                {
                    "task": task,
                    "scenarios": [
                        f"{s} ({', '.join(task.values_of(s))})" if task.values_of(s) else s
                        for s in task.scenarios
                    ],
                    "profiles": workspace.traceability.profiles_of_task(task.id),
                }
                for task in model.tasks
            ],
            profiles=[
                {"profile": p, "tasks": workspace.traceability.tasks_of_profile(p.id)} for p in model.profiles
            ],
            failed_checks=[check for check in checks if check.outcome == "en_echec"],
            passed_checks=sum(check.outcome == "conforme" for check in checks),
            constraint_checks=sum(check.outcome == "par_contrainte" for check in checks),
            **kwargs,
        )


@method_decorator(csp_replace({"style-src": ["'unsafe-inline'"]}), name="dispatch")
class HierarchySvgView(ModelMixin, View):
    """The drawing as a standalone SVG image: its own ``<style>`` needs an inline-style policy, granted here
    only (an SVG shown by ``<img>`` runs no script)."""

    def get(self, request, *args, **kwargs):
        return HttpResponse(self.workspace.svg(), content_type="image/svg+xml; charset=utf-8")


class ModelDownloadView(ModelMixin, View):
    def get(self, request, *args, **kwargs):
        response = HttpResponse(self.stored.text, content_type="application/yaml; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="modele-{self.stored.pk}.yaml"'
        return response


class PolicyExportView(ModelMixin, View):
    """The engine policy document of the derived hierarchy (what ``habpps roles derive --policy-out`` writes)."""

    def get(self, request, *args, fmt: str, **kwargs):
        if fmt not in ("yaml", "json"):
            return HttpResponse(status=404)
        content_type = "application/json" if fmt == "json" else "application/yaml"
        response = HttpResponse(
            dumps(self.workspace.policy(), fmt), content_type=f"{content_type}; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="politique-{self.stored.pk}.{fmt}"'
        return response


class TraceabilityView(ModelMixin, TemplateView):
    """RE-4 both ways: which scenarios, tasks, profiles and roles need a permission; why a role holds one."""

    template_name = "workbench/traceability.html"

    def get_context_data(self, **kwargs) -> dict:
        workspace = self.workspace
        model, trace = workspace.model, workspace.traceability
        entry_ids = [entry.id for entry in model.permissions]
        entry_id = self.request.GET.get("permission", "")
        role = self.request.GET.get("role", "")
        context: dict = {
            "title": _("Traçabilité"),
            "breadcrumb": self.model_crumbs(),
            "entries": model.permissions,
            "roles": sorted(workspace.hierarchy.roles),
            "chosen_entry": entry_id,
            "chosen_role": role,
        }
        if entry_id in entry_ids:
            context["needs"] = {
                "entry": model.entry(entry_id),
                "scenarios": trace.scenarios_needing(entry_id),
                "tasks": sorted(
                    {t for s in trace.scenarios_needing(entry_id) for t in trace.tasks_of_scenario(s)}
                ),
                "profiles": trace.profiles_needing(entry_id),
                "roles": trace.roles_needing(entry_id),
            }
        if role in workspace.hierarchy.roles:
            held = sorted(workspace.hierarchy.permissions(role))
            context["why"] = [self._justification(role, permission) for permission in held]
            if entry_id in entry_ids and model.entry(entry_id).permission is not None:
                justification = trace.why(role, model.pair(entry_id))
                context["why_entry"] = (
                    justification.sentence()
                    if justification
                    else _("Le rôle « %(role)s » ne détient pas cette permission.") % {"role": role}
                )
        return super().get_context_data(**context, **kwargs)

    def _justification(self, role: str, permission: Permission) -> str:
        justification = self.workspace.traceability.why(role, permission)
        return justification.sentence() if justification else ""


class RulePreviewView(ModelMixin, FormView):
    """RE-7: who would gain or lose what under the model's assignment rules, before anything is applied."""

    form_class = RulePreviewForm
    template_name = "workbench/rules.html"

    def get_form_kwargs(self) -> dict:
        kwargs = super().get_form_kwargs()
        kwargs.setdefault("initial", {})
        return kwargs

    def get_context_data(self, **kwargs) -> dict:
        return super().get_context_data(
            title=_("Règles d'affectation"),
            breadcrumb=self.model_crumbs(),
            rules=self.workspace.model.assignment_rules,
            **kwargs,
        )

    def form_valid(self, form):
        try:
            typed = rules.parse_attribute_lines(form.cleaned_data["attributes"])
        except AttributeLineError as error:
            form.add_error("attributes", str(error))
            return self.form_invalid(form)
        users = rules.merged_attributes(typed, from_directory=form.cleaned_data["from_directory"])
        compared = form.cleaned_data["compare_with"]
        before = Workspace(compared).model.assignment_rules if compared else ()
        changes = rules.preview(self.workspace, users, before)
        if "apply" in self.request.POST:
            response = HttpResponse(
                dumps(rules.applied_policy(self.workspace, changes), "yaml"),
                content_type="application/yaml; charset=utf-8",
            )
            response["Content-Disposition"] = f'attachment; filename="politique-regles-{self.stored.pk}.yaml"'
            return response
        return render(
            self.request,
            self.template_name,
            self.get_context_data(form=form, changes=changes, users_count=len(users), previewed=True),
        )


class ModelDiffView(WorkbenchMixin, TemplateView):
    """Two versions of a role model side by side: what each work profile and derived role gains and loses.

    Both versions are chosen from the stored models (GET, so a comparison can be bookmarked); the comparison
    itself is :func:`habpps.roleeng.model_diff.diff_models`, on the hierarchies the workbench derives.
    """

    template_name = "workbench/model_diff.html"

    def get(self, request, *args, **kwargs):
        params = request.GET
        form = ModelDiffForm(params if "apres" in params else None, initial={"avant": params.get("avant")})
        context: dict = {
            "title": _("Comparer deux versions d'un modèle"),
            "breadcrumb": home_crumb(),
            "form": form,
        }
        if not form.is_bound:
            return self.render_to_response(self.get_context_data(**context))
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(**context), status=400)
        before, after = Workspace(form.cleaned_data["avant"]), Workspace(form.cleaned_data["apres"])
        context["diff"] = diff_models(
            before.model,
            after.model,
            before_hierarchy=before.hierarchy,
            after_hierarchy=after.hierarchy,
        )
        context["before"], context["after"] = form.cleaned_data["avant"], form.cleaned_data["apres"]
        return self.render_to_response(self.get_context_data(**context))
