"""Rationalisation of a model's scenarios (RE-2b, thesis 5.3.4): decompose a coarse step, generalise scenarios.

The overview page lists the scenarios with their steps (each step can be decomposed), the groups of similar
scenarios the engine proposes to generalise, and the rationalisations already made. Each rewriting is done by
:mod:`habpps.roleeng.rationalise` (the rule's one home), stored and journalled by
:func:`habpps.workbench.documents.rationalise`, then shown with its effect on every profile and role.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from habpps.roleeng.problems import ModelInvalid
from habpps.roleeng.rationalise import (
    RationalisationError,
    decompose_step,
    generalise,
    suggested_values,
)
from habpps.workbench.documents import rationalisation_diff, rationalise
from habpps.workbench.forms import DecomposeForm, GeneraliseForm
from habpps.workbench.models import Rationalisation
from habpps.workbench.views.role_models import ModelMixin

#: Where an engine refusal is shown: the form field that holds the input at fault.
_DECOMPOSE_FIELDS = {"parts": "steps"}
_GENERALISE_FIELDS = {
    "sources": "sources",
    "scenario_id": "scenario_id",
    "object": "object",
    "parameter": "parameter",
}


class RationalisationMixin(ModelMixin):
    def rationalisation_crumbs(self) -> list[dict]:
        return [
            *self.model_crumbs(),
            {
                "url": reverse("workbench:rationalisation", args=[self.stored.pk]),
                "title": _("Rationalisation"),
            },
        ]

    def refused(self, form, error: Exception, fields: dict[str, str]):
        """Show an engine refusal or a model that would not load next to the field at fault."""
        if isinstance(error, RationalisationError):
            field = fields.get(error.field)
            form.add_error(field if field in form.fields else None, error.message)
        else:
            assert isinstance(error, ModelInvalid)
            form.add_error(
                None,
                _("La réécriture donnerait un modèle invalide ; rien n'est changé : %(errors)s")
                % {"errors": " ; ".join(problem.message for problem in error.errors[:5])},
            )
        return self.form_invalid(form)

    def done(self, row: Rationalisation, warnings: list):
        messages.success(
            self.request,
            _("Rationalisation enregistrée (%(count)s avertissement(s)) : %(sentence)s")
            % {"count": len(warnings), "sentence": row.sentence},
        )
        return redirect("workbench:rationalisation-detail", pk=self.stored.pk, rid=row.pk)


class RationalisationView(RationalisationMixin, TemplateView):
    """The scenarios with their steps, the proposed generalisations and the history of rewritings."""

    template_name = "workbench/rationalisation.html"

    def get_context_data(self, **kwargs) -> dict:
        workspace = self.workspace
        return super().get_context_data(
            title=_("Rationaliser les scénarios"),
            breadcrumb=self.model_crumbs(),
            stored=self.stored,
            model=workspace.model,
            proposals=[
                {"proposal": p, "objects": [workspace.model.scenario(s).object for s in p.scenarios]}
                for p in workspace.similar_scenarios
            ],
            history=self.stored.rationalisations.select_related("created_by"),
            **kwargs,
        )


class DecomposeView(RationalisationMixin, FormView):
    """Rewrite one step of a scenario as finer steps, each naming the permissions it needs."""

    form_class = DecomposeForm
    template_name = "workbench/decompose.html"

    def get(self, request, *args, **kwargs):
        if self.step() is None:
            return self.no_such_step()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if self.step() is None:
            return self.no_such_step()
        return super().post(request, *args, **kwargs)

    def chosen(self) -> tuple[str, int]:
        params = self.request.GET
        try:
            position = int(params.get("etape", ""))
        except ValueError:
            position = 0
        return params.get("scenario", ""), position

    def step(self):
        scenario_id, position = self.chosen()
        model = self.workspace.model
        if scenario_id not in {s.id for s in model.scenarios}:
            return None
        steps = model.scenario(scenario_id).steps
        return steps[position - 1] if 1 <= position <= len(steps) else None

    def no_such_step(self):
        scenario_id, position = self.chosen()
        messages.error(
            self.request,
            _(
                "Étape introuvable : le scénario « %(scenario)s » n'a pas d'étape n° %(position)s. Choisissez "
                "l'étape à décomposer dans la liste."
            )
            % {"scenario": scenario_id or "?", "position": position or "?"},
        )
        return redirect("workbench:rationalisation", pk=self.stored.pk)

    def get_initial(self) -> dict:
        """The step's permissions, an abstract one unfolded into its parts: a starting point, one a line."""
        step, model = self.step(), self.workspace.model
        lines = []
        for named in step.permissions:
            entry = model.entry(named)
            parts = entry.composed_of if entry.is_abstract else (named,)
            for part in parts:
                lines.append(f"{model.entry(part).label or step.text} | {part}")
        return {"steps": "\n".join(lines)}

    def get_context_data(self, **kwargs) -> dict:
        scenario_id, position = self.chosen()
        model = self.workspace.model
        step = self.step()
        return super().get_context_data(
            title=_("Décomposer une étape"),
            breadcrumb=self.rationalisation_crumbs(),
            stored=self.stored,
            scenario=model.scenario(scenario_id),
            position=position,
            step=step,
            step_entries=[model.entry(e) for e in step.permissions],
            catalogue=model.permissions,
            **kwargs,
        )

    def form_valid(self, form):
        scenario_id, position = self.chosen()
        try:
            row, warnings = rationalise(
                self.request.user,
                self.stored,
                lambda document: decompose_step(
                    document,
                    scenario_id,
                    position,
                    form.cleaned_data["steps"],
                    reason=form.cleaned_data["reason"],
                ),
            )
        except (RationalisationError, ModelInvalid) as error:
            return self.refused(form, error, _DECOMPOSE_FIELDS)
        return self.done(row, warnings)


class GeneraliseView(RationalisationMixin, FormView):
    """Merge similar scenarios into one generic scenario with an instantiation parameter."""

    form_class = GeneraliseForm
    template_name = "workbench/generalise.html"

    def offered(self) -> list:
        return [s for s in self.workspace.model.scenarios if not s.is_generic]

    def get_form_kwargs(self) -> dict:
        kwargs = super().get_form_kwargs()
        kwargs["scenarios"] = [(s.id, s.object) for s in self.offered()]
        return kwargs

    def get_initial(self) -> dict:
        """Scenarios named in the address (a proposal) come checked, with suggested values."""
        offered = {s.id: s for s in self.offered()}
        chosen = [s for s in self.request.GET.getlist("scenario") if s in offered]
        initial: dict = {"sources": chosen}
        if len(chosen) >= 2:
            for sid, value in suggested_values([offered[s] for s in chosen]).items():
                initial[f"valeur_{sid}"] = value
        return initial

    def get_context_data(self, **kwargs) -> dict:
        return super().get_context_data(
            title=_("Généraliser des scénarios"),
            breadcrumb=self.rationalisation_crumbs(),
            stored=self.stored,
            **kwargs,
        )

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            row, warnings = rationalise(
                self.request.user,
                self.stored,
                lambda document: generalise(
                    document,
                    data["sources"],
                    scenario_id=data["scenario_id"].strip(),
                    object=data["object"],
                    parameter=data["parameter"],
                    values=form.values(),
                    reason=data["reason"],
                ),
            )
        except (RationalisationError, ModelInvalid) as error:
            return self.refused(form, error, _GENERALISE_FIELDS)
        return self.done(row, warnings)


class RationalisationDetailView(RationalisationMixin, TemplateView):
    """One rewriting: what it did, who did it, and its effect on each profile and role."""

    template_name = "workbench/rationalisation_detail.html"

    def get_context_data(self, **kwargs) -> dict:
        row = get_object_or_404(Rationalisation, pk=kwargs["rid"], model=self.stored)
        return super().get_context_data(
            title=_("Rationalisation %(id)s") % {"id": row.trace_id},
            breadcrumb=self.rationalisation_crumbs(),
            stored=self.stored,
            row=row,
            diff=rationalisation_diff(row),
            **kwargs,
        )
