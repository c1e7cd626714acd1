"""The gap-analysis page (RE-6): declared against used rights over a period, proposals, preview, then apply.

Three steps, each a plain form: choose the period (GET) and read the analysis with its proposals; tick
proposals and preview them — everyone who would lose something, and what; apply exactly the previewed
proposals. Applying is refused when the policy moved since the preview (its version token travels with the
form), so what is applied is always what was seen.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from habpps.authorization.decisions import AccessRefused
from habpps.authorization.policy_cache import current_policy
from habpps.engine import RBACError
from habpps.workbench import gap_analysis
from habpps.workbench.forms import GapForm
from habpps.workbench.views.mixins import WorkbenchMixin, home_crumb

#: Rows shown per table of the analysis (the biggest ones first).
MAX_ROWS = 200


class GapView(WorkbenchMixin, TemplateView):
    template_name = "workbench/gap.html"

    def get(self, request, *args, **kwargs):
        form = GapForm(request.GET or None)
        if not form.is_bound:
            form = GapForm({})
        if not form.is_valid():
            return self.render_to_response(self.context(form), status=400)
        compiled = current_policy()
        analysis = gap_analysis.analyse(
            *form.period(), rbac=compiled.rbac, patterns_from=form.cleaned_data["patterns"]
        )
        return self.render_to_response(self.context(form, analysis=analysis, token=compiled.token))

    def post(self, request, *args, **kwargs):
        form = GapForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.context(form), status=400)
        compiled = current_policy()
        analysis = gap_analysis.analyse(
            *form.period(), rbac=compiled.rbac, patterns_from=form.cleaned_data["patterns"]
        )
        chosen = analysis.chosen(request.POST.getlist("action"))
        if "apply" in request.POST and request.POST.get("token") != compiled.token:
            messages.warning(request, _("La politique a changé depuis l'aperçu : vérifiez-le à nouveau."))
        elif "apply" in request.POST:
            try:
                gap_analysis.apply_actions(request.user, analysis, chosen)
            except AccessRefused:
                messages.error(
                    request,
                    _(
                        "Une des modifications demande une permission que vous n'avez pas ; rien n'est appliqué."
                    ),
                )
            except (ValidationError, RBACError) as error:
                text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
                messages.error(request, _("Rien n'est appliqué : %(error)s") % {"error": text})
            else:
                messages.success(
                    request, _("%(count)s modification(s) appliquée(s).") % {"count": len(chosen)}
                )
                query = (
                    f"?start={form.cleaned_data['start']:%Y-%m-%d}&end={form.cleaned_data['end']:%Y-%m-%d}"
                )
                return redirect(reverse("workbench:gap") + query)
        elif not chosen:
            messages.error(request, _("Choisissez au moins une modification à prévisualiser."))
        context = self.context(form, analysis=analysis, token=compiled.token, chosen=chosen)
        context["losses"] = sorted(analysis.preview(chosen).items()) if chosen else []
        return render(request, self.template_name, context)

    def context(self, form, **extra) -> dict:
        context = self.get_context_data(
            title=_("Analyse des écarts"), breadcrumb=home_crumb(), form=form, **extra
        )
        analysis = extra.get("analysis")
        if analysis is not None:
            report = analysis.report
            context.update(
                unused_by_user=_rows(report.unused_by_user),
                unused_by_role=_rows(report.unused_by_role),
                unused_roles_by_user=_rows(report.unused_roles_by_user),
                undeclared=_rows(report.undeclared_uses),
                outside=_rows(report.outside_patterns),
                actions=[
                    {"action": action, "allowed": gap_analysis.may_apply(self.request.user, analysis, action)}
                    for action in analysis.actions
                ],
                chosen_keys={action.key for action in extra.get("chosen", [])},
                used_users=len(analysis.used),
                declared_users=len(analysis.declared.users()),
            )
        return context


def _rows(mapping) -> list[tuple[str, list[str]]]:
    rows = sorted(mapping.items(), key=lambda item: (-len(item[1]), item[0]))
    return [(key, sorted(values)) for key, values in rows[:MAX_ROWS]]
