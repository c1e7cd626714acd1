"""Pages of role mining (RE-5): start a run, follow it, read its result, turn accepted roles into a model.

The run page refreshes itself (``<meta http-equiv="refresh">``) while the run is under way, so following a run
needs no JavaScript; the result is a table of roles and a chart with its text alternative.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from habpps.roleeng.mining import UpaFormatError, parse_upa
from habpps.roleeng.problems import ModelInvalid
from habpps.workbench import runs
from habpps.workbench.charts import role_chart
from habpps.workbench.documents import save_model
from habpps.workbench.forms import AcceptRolesForm, RunForm
from habpps.workbench.mined_models import dump_model, mined_model_document
from habpps.workbench.models import MiningRun, StoredRoleModel
from habpps.workbench.views.mixins import WorkbenchMixin, home_crumb

#: Seconds between two automatic refreshes of a run under way.
REFRESH_SECONDS = 2
#: Permissions and users listed per role in the result table (the downloaded model has them all).
LISTED = 12
#: Roles listed per page of a run's result (COMP-sized runs find thousands).
ROLES_PER_PAGE = 100


class RunCreateView(WorkbenchMixin, FormView):
    form_class = RunForm
    template_name = "workbench/run_form.html"

    def get_context_data(self, **kwargs) -> dict:
        return super().get_context_data(
            title=_("Nouvelle fouille de rôles"), breadcrumb=home_crumb(), **kwargs
        )

    def form_valid(self, form):
        data = form.cleaned_data
        source = data["source"]
        period = None
        try:
            if source == MiningRun.Source.FILE:
                upa = parse_upa(data["upa_text"].split("\n"), source=data["upa_name"])
                label = _("Fichier « %(name)s »") % {"name": data["upa_name"]}
            elif source == MiningRun.Source.POLICY:
                upa = runs.policy_assignment()
                label = _("Politique en vigueur")
            else:
                period = form.period()
                upa = runs.journal_assignment(*period)
                label = _("Accès du %(start)s au %(end)s") % {
                    "start": period[0].strftime("%d/%m/%Y"),
                    "end": period[1].strftime("%d/%m/%Y"),
                }
            run = runs.start_run(
                self.request.user, source, upa, label=label, time_limit=data["time_limit"], period=period
            )
        except UpaFormatError as error:
            form.add_error("upa_file", str(error))
            return self.form_invalid(form)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        return redirect("workbench:run-detail", pk=run.pk)


class RunDetailView(WorkbenchMixin, TemplateView):
    """A run: its progress while under way (the response asks the browser to reload it, as
    ``<meta http-equiv="refresh">`` would), then its result."""

    template_name = "workbench/run_detail.html"

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if context.get("refresh"):
            response["Refresh"] = str(context["refresh"])
        return response

    def get_context_data(self, **kwargs) -> dict:
        run = get_object_or_404(MiningRun, pk=self.kwargs["pk"])
        context = {
            "title": str(run),
            "breadcrumb": home_crumb(),
            "run": run,
            "refresh": REFRESH_SECONDS if run.is_active else None,
        }
        if run.state == MiningRun.State.DONE and run.result:
            roles = run.result["roles"]
            accept_form = kwargs.pop("accept_form", None) or AcceptRolesForm(
                role_ids=[role["id"] for role in roles],
                initial={
                    "roles": [role["id"] for role in roles],
                    "name": _("Rôles fouillés — %(label)s") % {"label": run.label},
                },
            )
            # large runs (thousands of roles) are listed page by page; the ticked roles are looked up in a set
            page = Paginator(roles, ROLES_PER_PAGE).get_page(self.request.GET.get("page"))
            checked = set(accept_form["roles"].value() or ())
            context.update(
                result=run.result,
                role_count=len(roles),
                roles=[{**_role_row(role), "checked": role["id"] in checked} for role in page.object_list],
                page=page,
                chart=role_chart(roles),
                accept_form=accept_form,
            )
        return super().get_context_data(**context, **kwargs)


def _role_row(role: dict) -> dict:
    return {
        "id": role["id"],
        "permissions": role["permissions"][:LISTED],
        "more_permissions": max(0, len(role["permissions"]) - LISTED),
        "permission_count": len(role["permissions"]),
        "users": role["users"][:LISTED],
        "more_users": max(0, len(role["users"]) - LISTED),
        "user_count": len(role["users"]),
    }


class RunAcceptView(WorkbenchMixin, FormView):
    """One click from accepted roles to a role-engineering model: downloaded as YAML, or stored."""

    http_method_names = ["post"]

    def dispatch(self, request, *args, **kwargs):
        self.run = get_object_or_404(MiningRun, pk=kwargs["pk"], state=MiningRun.State.DONE)
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, form_class=None):
        return AcceptRolesForm(self.request.POST, role_ids=[role["id"] for role in self.run.result["roles"]])

    def form_invalid(self, form):
        view = RunDetailView(request=self.request, kwargs={"pk": self.run.pk})
        return view.render_to_response(view.get_context_data(accept_form=form))

    def form_valid(self, form):
        accepted = set(form.cleaned_data["roles"])
        roles = [role for role in self.run.result["roles"] if role["id"] in accepted]
        document = mined_model_document(
            roles,
            name=form.cleaned_data["name"],
            description=_("%(count)s rôle(s) accepté(s) de la fouille n° %(run)s (%(label)s).")
            % {"count": len(roles), "run": self.run.pk, "label": self.run.label},
        )
        text = dump_model(document)
        if "download" in self.request.POST:
            response = HttpResponse(text, content_type="application/yaml; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="roles-fouille-{self.run.pk}.yaml"'
            return response
        try:
            stored, _warnings = save_model(
                self.request.user, text, origin=StoredRoleModel.Origin.MINING, mining_run=self.run
            )
        except ModelInvalid as invalid:  # the generator's own bug: say it rather than hide it
            form.add_error(None, str(invalid))
            return self.form_invalid(form)
        messages.success(
            self.request, _("Modèle « %(name)s » créé à partir de la fouille.") % {"name": stored.name}
        )
        return redirect(reverse("workbench:model-detail", args=[stored.pk]))
