"""The role switcher of the header (ENG-2 DSD): a plain form — no JavaScript — that works at every width."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from habpps.authorization import sessions
from habpps.authorization.stored import ServiceRole
from habpps.engine import RBACError

FIELD_PREFIX = "ensemble:"


def _role_names(codes: set[str]) -> dict[str, str]:
    return dict(ServiceRole.objects.filter(code__in=codes).values_list("code", "name"))


def role_switcher(request) -> dict | None:
    """What the header shows: for each DSD set that makes the viewer choose, its roles and the active one."""
    choices = sessions.choices_for(request.user.login)
    if not choices:
        return None
    active = sessions.active_roles_of(request) or frozenset()
    names = _role_names({role for choice in choices for role in choice.roles})
    return {
        "action": reverse("accounts:active-roles"),
        "next": request.get_full_path(),
        "sets": [
            {
                "field": FIELD_PREFIX + choice.name,
                "label": _("Rôle actif"),
                "options": [
                    {"code": code, "name": names.get(code, code), "active": code in active}
                    for code in choice.roles
                ],
            }
            for choice in choices
        ],
    }


class ActiveRolesView(LoginRequiredMixin, View):
    """POST: activate the chosen role of each set; the engine checks the activation."""

    http_method_names = ["post"]

    def post(self, request):
        chosen = {
            key.removeprefix(FIELD_PREFIX): value
            for key, value in request.POST.items()
            if key.startswith(FIELD_PREFIX) and value
        }
        try:
            sessions.activate(request, request.user, chosen)
        except (RBACError, ValueError) as error:
            why = sessions.refusal_text(error) if isinstance(error, RBACError) else str(error)
            messages.error(request, _("Ce changement de rôle est refusé : %(why)s") % {"why": why})
        else:
            names = _role_names(set(chosen.values()))
            messages.success(
                request,
                _("Rôle activé : %(roles)s.") % {"roles": ", ".join(sorted(names.get(c, c) for c in chosen.values()))},
            )
        target = request.POST.get("next") or reverse("home")
        if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
            target = reverse("home")
        return redirect(target)
