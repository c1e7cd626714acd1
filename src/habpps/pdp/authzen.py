"""OpenID AuthZEN Authorization API 1.0 (final) over the engine: requests in, decisions out.

Mapping (``docs/api.md``): ``subject.id`` is the account (login); ``action.name`` the operation; the resource is
the object ``type.id`` (the platform's dotted names: ``{"type": "cdap.section", "id": "droits"}`` is
``cdap.section.droits``) when some role holds it, else the object ``type`` (a permission on a type covers all its
resources); the org unit is ``context.org``, else ``resource.properties.org``; the request's
``context`` is the engine's request context, with ``subject.properties`` and ``resource.properties`` as the
subject and object attributes that contextual constraints (ENG-5) read, and ``action.properties`` as ``action``.

Decisions are closed: anything the engine cannot read in an evaluation of a batch denies that evaluation with an
``error`` in its context; a missing subject, action or resource is a 400 for the whole request. The engine's
reasons come in the decision's ``context`` when the request asks for them with ``options.explain: true``.

An administrative question (``action.name`` one of the operations of ``docs/api.md``, ``attribuer-profil``…) names
its object in ``resource.id`` exactly as ``/api/v1/decisions`` does (``group:7/cdap-ass-cesf``, a login,
``convention:12``), ``resource.type`` being its kind (``group``, ``account``, ``convention``: not read); it is
answered by the source's ``Administration`` (``habpps.pdp.administration``).
"""

from __future__ import annotations

from collections.abc import Callable, Container, Mapping
from typing import Any

from habpps.engine import Decision, RBACError, Snapshot
from habpps.pdp.administration import Administration

EXECUTE_ALL = "execute_all"
DENY_ON_FIRST_DENY = "deny_on_first_deny"
PERMIT_ON_FIRST_PERMIT = "permit_on_first_permit"
SEMANTICS = (EXECUTE_ALL, DENY_ON_FIRST_DENY, PERMIT_ON_FIRST_PERMIT)
EVALUATIONS_LIMIT = 1000
"""Most evaluations one request may carry (a bound on the work a single request can ask for)."""

EVALUATION_PATH = "/access/v1/evaluation"
EVALUATIONS_PATH = "/access/v1/evaluations"
CONFIGURATION_PATH = "/.well-known/authzen-configuration"


class BadRequest(ValueError):
    """The request as a whole does not follow the specification: answered 400 with this French message."""


class Query:
    """One evaluation, in the engine's terms."""

    __slots__ = ("user", "operation", "objects", "org", "context")

    def __init__(self, user: str, operation: str, objects: tuple[str, str], org: str | None,
                 context: Mapping[str, Any] | None) -> None:
        self.user = user
        self.operation = operation
        self.objects = objects
        self.org = org
        self.context = context


def _entity(value: Any, kind: str, keys: tuple[str, ...]) -> dict[str, Any]:
    if type(value) is not dict:
        raise BadRequest(f"« {kind} » est obligatoire et doit être un objet JSON.")
    for key in keys:
        item = value.get(key)
        if type(item) is not str or not item:
            raise BadRequest(f"« {kind}.{key} » est obligatoire et doit être une chaîne non vide.")
    properties = value.get("properties")
    if properties is not None and type(properties) is not dict:
        raise BadRequest(f"« {kind}.properties » doit être un objet JSON.")
    return value


_SUBJECT_KEYS = ("type", "id")
_ACTION_KEYS = ("name",)
_NONE: Container[str] = frozenset()


def query_of(subject: Any, action: Any, resource: Any, context: Any, checked: set[int] | None = None,
             administrative: Container[str] = _NONE) -> Query:
    """The engine's question for one AuthZEN evaluation (BadRequest when an entity is missing or malformed).
    ``checked``: ids of entities already validated in this request (defaults shared by a batch's entries);
    ``administrative``: the operations whose object is ``resource.id`` as given."""
    if checked is None or id(subject) not in checked:
        _entity(subject, "subject", _SUBJECT_KEYS)
        if checked is not None:
            checked.add(id(subject))
    if checked is None or id(action) not in checked:
        _entity(action, "action", _ACTION_KEYS)
        if checked is not None:
            checked.add(id(action))
    _entity(resource, "resource", _SUBJECT_KEYS)
    if context is not None and type(context) is not dict:
        raise BadRequest("« context » doit être un objet JSON.")
    subject_properties = subject.get("properties")
    resource_properties = resource.get("properties")
    action_properties = action.get("properties")
    engine_context: dict[str, Any] | None = None
    org = None
    if context or subject_properties or resource_properties or action_properties:
        engine_context = dict(context) if context else {}
        if subject_properties:
            engine_context["subject"] = subject_properties
        if resource_properties:
            engine_context["object"] = resource_properties
        if action_properties:
            engine_context["action"] = action_properties
        org = (context or {}).get("org")
        if org is None and resource_properties:
            org = resource_properties.get("org")
        if org is not None and type(org) is not str:
            raise BadRequest("L'unité d'organisation (« context.org ») doit être une chaîne.")
    kind = resource["type"]
    operation = action["name"]
    if operation in administrative:
        return Query(subject["id"], operation, (resource["id"], kind), org, engine_context)
    return Query(subject["id"], operation, (f"{kind}.{resource['id']}", kind), org, engine_context)


def check(snapshot: Snapshot, query: Query) -> bool:
    """The decision: the object ``type.id``, else the object ``type``. Raises what the engine cannot read."""
    specific, general = query.objects
    if snapshot.holds_permission(query.operation, specific) and snapshot.check(
        query.user, query.operation, specific, query.org, context=query.context
    ):
        return True
    return snapshot.check(query.user, query.operation, general, query.org, context=query.context)


def explain(snapshot: Snapshot, query: Query) -> Decision:
    """The engine's explanation of `check`: for the object that grants, else for the instance when some role
    holds it, else for the type."""
    specific, general = query.objects
    decision = snapshot.explain(query.user, query.operation, specific, query.org, context=query.context)
    if decision.granted:
        return decision
    on_type = snapshot.explain(query.user, query.operation, general, query.org, context=query.context)
    return on_type if on_type.granted or decision.reason == "no_role_holds_permission" else decision


def reasons(decision: Decision) -> dict[str, Any]:
    """The engine's reasons as a decision ``context`` (ENG-9)."""
    return {
        "reason": decision.reason,
        "message": decision.message,
        "path": decision.path.as_dict() if decision.path else None,
        "failed_constraints": [dict(c) for c in decision.failed_constraints],
    }


Refusal = tuple[Query, Any]
"""A denied query with its explanation when one was computed (an engine ``Decision`` or an administrative
answer), for the journal of refusals."""


def _administrative(query: Query, explain_it: bool, refused: list[Refusal] | None,
                    administration: Administration) -> dict[str, Any]:
    answer = administration.answer(query.user, query.operation, query.objects[0], query.org)
    granted = bool(answer.granted)
    if not granted and refused is not None:
        refused.append((query, answer))
    if explain_it or administration.always_explained:
        return {"decision": granted, "context": reasons(answer)}
    return {"decision": granted}


def decide(snapshot: Snapshot, query: Query, explain_it: bool, refused: list[Refusal] | None,
           administration: Administration | None = None) -> dict[str, Any]:
    """One decision object: ``{"decision": bool}``, with the engine's reasons when asked."""
    if administration is not None and query.operation in administration.operations:
        return _administrative(query, explain_it, refused, administration)
    granted = check(snapshot, query)
    if not explain_it:
        if not granted and refused is not None:
            # The journal of refusals carries the engine's reason whether or not the caller asked for it (issue
            # 16), as ``/api/v1/decisions`` does: one explanation per journalled refusal, never for a grant.
            refused.append((query, explain(snapshot, query)))
        return {"decision": True} if granted else {"decision": False}
    decision = explain(snapshot, query)
    if not granted and refused is not None:
        refused.append((query, decision))
    return {"decision": granted, "context": reasons(decision)}


def _explain_asked(body: dict[str, Any]) -> bool:
    options = body.get("options")
    return isinstance(options, dict) and options.get("explain") is True


def evaluation(snapshot: Snapshot, body: Any, refused: list[Refusal] | None = None,
               administration: Administration | None = None) -> dict[str, Any]:
    """``POST /access/v1/evaluation``."""
    if not isinstance(body, dict):
        raise BadRequest("Le corps de la requête doit être un objet JSON.")
    query = query_of(body.get("subject"), body.get("action"), body.get("resource"), body.get("context"),
                     administrative=_NONE if administration is None else administration.operations)
    try:
        return decide(snapshot, query, _explain_asked(body), refused, administration)
    except (RBACError, LookupError, ValueError, TypeError) as error:
        raise BadRequest(f"Le contexte de la requête ne peut pas être lu par le moteur : {error}") from error


def evaluations(snapshot: Snapshot, body: Any, refused: list[Refusal] | None = None,
                administration: Administration | None = None) -> dict[str, Any]:
    """``POST /access/v1/evaluations``: top-level subject/action/resource/context are defaults of each entry;
    without entries it is a single evaluation. Every entry is validated before any is decided."""
    if not isinstance(body, dict):
        raise BadRequest("Le corps de la requête doit être un objet JSON.")
    items = body.get("evaluations")
    if items is None or items == []:
        return evaluation(snapshot, body, refused, administration)
    if not isinstance(items, list):
        raise BadRequest("« evaluations » doit être une liste d'objets JSON.")
    if len(items) > EVALUATIONS_LIMIT:
        raise BadRequest(f"Au plus {EVALUATIONS_LIMIT} évaluations par requête.")
    options = body.get("options")
    if options is not None and not isinstance(options, dict):
        raise BadRequest("« options » doit être un objet JSON.")
    semantic = (options or {}).get("evaluations_semantic", EXECUTE_ALL)
    if semantic not in SEMANTICS:
        raise BadRequest(f"« options.evaluations_semantic » vaut l'une de : {', '.join(SEMANTICS)}.")
    subject, action, resource, context = (body.get("subject"), body.get("action"), body.get("resource"),
                                          body.get("context"))
    queries = []
    checked: set[int] = set()
    administrative = _NONE if administration is None else administration.operations
    for index, item in enumerate(items):
        if type(item) is not dict:
            raise BadRequest(f"« evaluations[{index}] » doit être un objet JSON.")
        try:
            queries.append(query_of(item.get("subject", subject), item.get("action", action),
                                    item.get("resource", resource), item.get("context", context), checked,
                                    administrative))
        except BadRequest as error:
            raise BadRequest(f"evaluations[{index}] : {error}") from error
    explain_it = _explain_asked(body)
    results: list[dict[str, Any]] = []
    stop: Callable[[bool], bool] | None = None
    if semantic == DENY_ON_FIRST_DENY:
        stop = _is_denial
    elif semantic == PERMIT_ON_FIRST_PERMIT:
        stop = _is_permit
    for query in queries:
        try:
            result = decide(snapshot, query, explain_it, refused, administration)
        except (RBACError, LookupError, ValueError, TypeError) as error:
            result = {"decision": False, "context": {"error": {"status": 400, "message": str(error)}}}
            if refused is not None:
                refused.append((query, None))
        results.append(result)
        if stop is not None and stop(result["decision"]):
            if semantic == DENY_ON_FIRST_DENY:
                context = result.setdefault("context", {})
                context.setdefault("code", "200")
                context.setdefault("reason", DENY_ON_FIRST_DENY)
            break
    return {"evaluations": results}


def _is_denial(granted: bool) -> bool:
    return not granted


def _is_permit(granted: bool) -> bool:
    return granted


def configuration(base_url: str) -> dict[str, Any]:
    """The discovery document (``/.well-known/authzen-configuration``) of the decision point at ``base_url``."""
    return {
        "policy_decision_point": base_url,
        "access_evaluation_endpoint": base_url + EVALUATION_PATH,
        "access_evaluations_endpoint": base_url + EVALUATIONS_PATH,
    }
