"""``POST /api/v1/decisions`` and ``/api/v1/decisions/batch`` for the lean server, on the same wire format as the
platform's django-ninja endpoint (``habpps.api.routers.decisions``): same fields and limits, same answers, the same
problem documents (``application/problem+json``, French ``detail``, stable ``code``) for refused input.

An administrative question (``attribuer-profil``…, ``docs/api.md``) is told from a permission question by one set
membership test on its operation and handed to the source's ``Administration`` (``habpps.pdp.administration``).
Its answer is explained like an engine decision (``reason``, ``message``, no grant path); its context and
``active_roles`` are not read, as on the platform's endpoint.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from habpps.engine import Decision, RBACError, Snapshot
from habpps.pdp.administration import Administration

BATCH_LIMIT = 100
_FIELDS = {"user": 150, "operation": 60, "object": 120}
_KNOWN = frozenset({"user", "operation", "object", "org", "context", "active_roles", "explain"})
ACTIVE_ROLES_LIMIT = 50

Activation = Callable[[str, list[str], Any], None]
"""Raises the engine's refusal (RBACError) when ``user`` may not activate these roles together."""


class Invalid(ValueError):
    """Refused input: (status, code, detail, field errors) of a problem document."""

    def __init__(self, status: int, code: str, detail: str, errors: list[dict[str, str]] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.errors = errors or []


def _error(location: str, code: str, message: str) -> dict[str, str]:
    return {"location": location, "code": code, "message": message}


def _validate(item: Any, where: str, errors: list[dict[str, str]]) -> None:
    if not isinstance(item, dict):
        errors.append(_error(where, "model_attributes_type", "Un objet JSON est attendu."))
        return
    for key, limit in _FIELDS.items():
        value = item.get(key)
        if value is None:
            errors.append(_error(f"{where}.{key}", "missing", "Valeur obligatoire."))
        elif not isinstance(value, str):
            errors.append(_error(f"{where}.{key}", "string_type", "Une chaîne de caractères est attendue."))
        elif not value:
            errors.append(_error(f"{where}.{key}", "string_too_short", "Texte trop court."))
        elif len(value) > limit:
            errors.append(_error(f"{where}.{key}", "string_too_long", "Texte trop long."))
    org = item.get("org")
    if org is not None:
        if not isinstance(org, str):
            errors.append(_error(f"{where}.org", "string_type", "Une chaîne de caractères est attendue."))
        elif not 1 <= len(org) <= 60:
            errors.append(_error(f"{where}.org", "string_too_long" if org else "string_too_short",
                                 "Texte trop long." if org else "Texte trop court."))
    context = item.get("context")
    if context is not None and not isinstance(context, dict):
        errors.append(_error(f"{where}.context", "dict_type", "Un objet JSON est attendu."))
    active_roles = item.get("active_roles")
    if active_roles is not None:
        if not isinstance(active_roles, list):
            errors.append(_error(f"{where}.active_roles", "list_type", "Une liste est attendue."))
        elif len(active_roles) > ACTIVE_ROLES_LIMIT:
            errors.append(_error(f"{where}.active_roles", "too_long", "Liste trop longue."))
        else:
            for index, role in enumerate(active_roles):
                if not isinstance(role, str):
                    errors.append(_error(f"{where}.active_roles.{index}", "string_type",
                                         "Une chaîne de caractères est attendue."))
    explain = item.get("explain", False)
    if not isinstance(explain, bool):
        if isinstance(explain, (int, float, str)) and _lax_bool(explain) is not None:
            item["explain"] = _lax_bool(explain)
        else:
            errors.append(_error(f"{where}.explain", "bool_parsing" if isinstance(explain, (int, float, str))
                                 else "bool_type", "Un booléen est attendu (true ou false)." if isinstance(
                                     explain, (int, float, str)) else "Un booléen est attendu."))
    for key in item:  # pydantic's order: declared fields, then unknown ones
        if key not in _KNOWN:
            errors.append(_error(f"{where}.{key}", "extra_forbidden", "Champ inconnu."))


_TRUE = frozenset({"1", "on", "t", "true", "y", "yes"})
_FALSE = frozenset({"0", "off", "f", "false", "n", "no"})


def _lax_bool(value: int | float | str) -> bool | None:
    """A boolean as pydantic's lax mode reads it (what the platform's endpoint accepts), None when it does not."""
    if isinstance(value, str):
        text = value.strip().lower()
        return True if text in _TRUE else False if text in _FALSE else None
    return bool(value) if value in (0, 1) else None


def _refuse(errors: list[dict[str, str]]) -> Invalid:
    return Invalid(422, "donnees-invalides", "Certaines valeurs de la requête sont refusées.", errors)


def _explanation(decision: Decision) -> dict[str, Any]:
    path = decision.path
    return {
        "reason": decision.reason,
        "message": decision.message,
        "path": None if path is None else {
            "group": path.group,
            "assigned_role": path.assigned_role,
            "assignment_org": path.assignment_org,
            "inheritance_chain": list(path.chain),
            "permission_role": path.permission_role,
        },
        "failed_constraints": [dict(c) for c in decision.failed_constraints],
    }


Refusal = tuple[dict[str, Any], Any]
"""A refused question and its explanation (an engine ``Decision`` or an administrative answer)."""


def _administrative(item: dict[str, Any], refused: list[Refusal] | None,
                    administration: Administration) -> dict[str, Any]:
    answer = administration.answer(item["user"], item["operation"], item["object"], item.get("org"))
    granted = bool(answer.granted)
    if not granted and refused is not None:
        refused.append((item, answer))
    if item.get("explain", False) or administration.always_explained:
        return {"granted": granted, "explanation": _explanation(answer)}
    return {"granted": granted}


def _decide(snapshot: Snapshot, item: dict[str, Any], refused: list[Refusal] | None,
            activation: Activation | None, administration: Administration | None = None) -> dict[str, Any]:
    user, operation, obj, org, context = item["user"], item["operation"], item["object"], item.get("org"), \
        item.get("context")
    if administration is not None and operation in administration.operations:
        return _administrative(item, refused, administration)
    roles = item.get("active_roles")
    active = None if roles is None else tuple(roles)
    if active is not None:
        try:
            if activation is None:
                raise RBACError("Ce point de décision ne vérifie pas d'activation de rôles.", code="unsupported")
            activation(user, list(active), context)
        except RBACError as error:
            raise Invalid(422, "roles-actifs-refuses", "Le moteur refuse d'activer ces rôles ensemble.",
                          [_error("body.active_roles", getattr(error, "code", "refused"), str(error))]) from error
    try:
        granted = snapshot.check(user, operation, obj, org, active_roles=active, context=context)
        explain = item.get("explain", False)
        decision = snapshot.explain(user, operation, obj, org, active_roles=active, context=context) if explain or (
            not granted and refused is not None) else None
    except (RBACError, LookupError, ValueError, TypeError) as error:
        raise Invalid(422, "contexte-invalide", "Le contexte de la requête ne peut pas être lu par le moteur.",
                      [_error("body.context", "context", str(error))]) from error
    if not granted and refused is not None:
        refused.append((item, decision))
    if explain and decision is not None:
        return {"granted": granted, "explanation": _explanation(decision)}
    return {"granted": True} if granted else {"granted": False}


def single(snapshot: Snapshot, body: Any, refused: list[Refusal] | None = None,
           activation: Activation | None = None, administration: Administration | None = None) -> dict[str, Any]:
    errors: list[dict[str, str]] = []
    _validate(body, "body", errors)
    if errors:
        raise _refuse(errors)
    return _decide(snapshot, body, refused, activation, administration)


def batch(snapshot: Snapshot, body: Any, refused: list[Refusal] | None = None,
          activation: Activation | None = None, administration: Administration | None = None) -> dict[str, Any]:
    errors: list[dict[str, str]] = []
    if not isinstance(body, dict):
        raise _refuse([_error("body", "model_attributes_type", "Un objet JSON est attendu.")])
    for key in body:
        if key != "decisions":
            errors.append(_error(f"body.{key}", "extra_forbidden", "Champ inconnu."))
    items = body.get("decisions")
    if items is None:
        errors.append(_error("body.decisions", "missing", "Valeur obligatoire."))
    elif not isinstance(items, list):
        errors.append(_error("body.decisions", "list_type", "Une liste est attendue."))
    elif not items:
        errors.append(_error("body.decisions", "too_short", "Liste trop courte."))
    elif len(items) > BATCH_LIMIT:
        errors.append(_error("body.decisions", "too_long", "Liste trop longue."))
    else:
        for index, item in enumerate(items):
            _validate(item, f"body.decisions.{index}", errors)
    if errors:
        raise _refuse(errors)
    return {"results": [_decide(snapshot, item, refused, activation, administration) for item in items]}
