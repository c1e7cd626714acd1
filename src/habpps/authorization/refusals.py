"""A refusal a person can act on (ENG-5, ENG-9): when the engine refuses because of *when* or *from where* —
an access whose period has ended, a profile outside its hours, a network not declared — the page says so with
the engine's explanation instead of a bare « page introuvable ». Any other refusal stays a 404, so that nothing
of other organisations' scope is revealed."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from habpps.authorization.decisions import explain


def constraint_refusal(request, operation: str, obj: str, org: str | None = None) -> HttpResponse:
    """The 403 page with the engine's explanation when a temporal or contextual constraint refused; else 404."""
    decision = explain(request.user, operation, obj, org)
    if decision.granted or not decision.failed_constraints:
        raise Http404
    context = {"title": _("Accès refusé"), "message": plain_message(decision.message)}
    return render(request, "authorization/refused.html", context, status=403)


def plain_message(message: str) -> str:
    """The engine's sentence without the internal names of operations and objects it starts with."""
    head, sep, tail = message.partition(" — ")
    return (_("Accès refusé") + " — " + tail) if sep else message
