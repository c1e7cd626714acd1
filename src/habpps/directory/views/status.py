"""Suspension, reactivation and removal (ADM-6), each confirmed on its own page so that no JavaScript is needed."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView

from habpps.authorization.mixins import EngineAccessMixin, run_action
from habpps.directory.forms import StatusForm
from habpps.directory.models import Status

CONSEQUENCES = {
    Status.SUSPENDED: gettext_lazy(
        "La suspension prend effet immédiatement : plus aucune connexion ni aucun accès, jusqu'à réactivation."
    ),
    Status.ACTIVE: gettext_lazy("La réactivation rend immédiatement les accès en vigueur."),
    Status.REMOVED: gettext_lazy(
        "La suppression est définitive : plus aucun accès. L'historique et le journal sont conservés."
    ),
}
VERBS = {
    Status.SUSPENDED: gettext_lazy("Suspendre"),
    Status.ACTIVE: gettext_lazy("Réactiver"),
    Status.REMOVED: gettext_lazy("Supprimer"),
}


class StatusChangeView(EngineAccessMixin, FormView):
    """Confirm then apply a status change of ``self.object`` through ``change(actor, obj, status)``."""

    form_class = StatusForm
    template_name = "directory/status_confirm.html"

    def get_object(self):
        raise NotImplementedError

    def change(self, actor, obj, status: str) -> None:
        raise NotImplementedError

    def get_success_url(self) -> str:
        raise NotImplementedError

    def dispatch(self, request, *args, **kwargs):
        self.object = self.get_object()
        self.new_status = Status(kwargs["status"]) if kwargs["status"] in Status.values else None
        if self.new_status is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self) -> dict:
        return {"status": self.new_status}

    def get_context_data(self, **kwargs) -> dict:
        verb = VERBS[self.new_status]
        return super().get_context_data(
            object=self.object,
            verb=verb,
            consequence=CONSEQUENCES[self.new_status],
            title=f"{verb} « {self.object} »",
            cancel_url=self.get_success_url(),
            **kwargs,
        )

    def form_valid(self, form):
        if not run_action(
            self.request, form, lambda: self.change(self.request.user, self.object, self.new_status)
        ):
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("« %(object)s » : statut « %(status)s ».")
            % {
                "object": self.object,
                "status": self.new_status.label,
            },
        )
        return redirect(self.get_success_url())
