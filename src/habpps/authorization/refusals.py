"""A refusal a person can act on (ENG-5, ENG-9): when the engine refuses because of *when* or *from where* —
an access whose period has ended, a profile outside its hours, a network not declared — the page says so with
the engine's explanation instead of a bare « page introuvable ». Any other refusal stays a 404, so that nothing
of other organisations' scope is revealed. A 403 is journalled in the journal of refusals like the decision API's
refusals (`refusal_journal`)."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from habpps.authorization.decisions import explain
from habpps.authorization.refusal_journal import journal_page_refusal
from habpps.authorization.stored import Group, ServiceRole


def constraint_refusal(request, operation: str, obj: str, org: str | None = None) -> HttpResponse:
    """The 403 page with the engine's explanation when a temporal or contextual constraint refused; else 404."""
    decision = explain(request.user, operation, obj, org)
    if decision.granted or not decision.failed_constraints:
        raise Http404
    journal_page_refusal(request, operation, obj, org, decision)  # in the journal of refusals, as the API's are
    context = {"title": _("Accès refusé"), "reasons": [plain_reason(c) for c in decision.failed_constraints]}
    return render(request, "authorization/refused.html", context, status=403)


def plain_reason(failure: dict) -> str:
    """One failed constraint in words a person understands: the profile's and group's names, never the
    engine's identifiers (``group:7``, ``cdap-ass-cesf``, ``partner:3``)."""
    if failure.get("kind") == "temporal":
        reason = failure.get("reason", "")
        if failure.get("on") == "user":
            return _("Votre compte est %(reason)s.") % {"reason": reason}
        role = _role_name(failure.get("role"))
        if failure.get("group"):
            group = _group_name(failure["group"])
            return _("Votre accès au profil « %(role)s » par le groupe « %(group)s » est %(reason)s.") % {
                "role": role, "group": group, "reason": reason}
        return _("Votre accès au profil « %(role)s » est %(reason)s.") % {"role": role, "reason": reason}
    if failure.get("kind") == "context":
        condition, actual = failure.get("condition", ""), failure.get("actual")
        text = _("Condition « %(constraint)s » non remplie : %(condition)s") % {
            "constraint": failure.get("constraint", ""), "condition": condition}
        return text + (_(" (valeur au moment de la demande : %(actual)s).") % {"actual": actual} if actual else ".")
    return failure.get("message", "")


def _role_name(code: str | None) -> str:
    role = ServiceRole.objects.filter(code=code).first() if code else None
    return role.name if role else (code or "")


def _group_name(name: str) -> str:
    group = Group.objects.filter(pk=name.split(":", 1)[-1]).first() if name.startswith("group:") else None
    return group.name if group else name
