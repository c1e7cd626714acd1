"""Policy as data (ENG-10): export a whole policy to a plain document, load one back, diff two policies.

The document is plain JSON-compatible data (written as YAML or JSON). Loading validates the document against
`POLICY_SCHEMA`, then replays it through the engine's own administrative functions on a fresh engine so that
every rule (cycles, SSD, cardinalities) is enforced exactly as for live calls; every error is collected with
its path and French message, and nothing is applied unless the whole document is valid.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import jsonschema
import yaml

from habpps.engine.errors import PolicyDocumentError, RBACError
from habpps.engine.model import Permission, PolicyState, member_org, member_role
from habpps.engine.policy_extensions import export_extensions, load_extensions
from habpps.engine.policy_schema import FORMAT, POLICY_SCHEMA

if TYPE_CHECKING:
    from habpps.engine.rbac import RBAC


def _opt(value: Any) -> str:
    return "" if value is None else str(value)


def _orgs_parents_first(orgs: dict[str, str | None]) -> list[str]:
    depth: dict[str, int] = {}

    def level(org: str) -> int:
        if org not in depth:
            parent = orgs[org]
            depth[org] = 0 if parent is None else level(parent) + 1
        return depth[org]

    return sorted(orgs, key=lambda org: (level(org), org))


def export_state(state: PolicyState) -> dict[str, Any]:
    """The policy document of a state: deterministic (sorted) so that equal policies give equal documents."""

    def sod_sets(sets: dict) -> list[dict[str, Any]]:
        return [
            {
                "name": name,
                "cardinality": sod.cardinality,
                "members": [
                    {"role": member_role(m), **({"org": member_org(m)} if member_org(m) else {})}
                    for m in sorted(sod.members, key=lambda m: (member_role(m), _opt(member_org(m))))
                ],
            }
            for name, sod in sorted(sets.items())
        ]

    roles = []
    for role, record in sorted(state.roles.items()):
        item: dict[str, Any] = {"id": role}
        if not record.descends:
            item["descends"] = False
        if record.max_users is not None:
            item["max_users"] = record.max_users
        roles.append(item)
    users = []
    for user, record in sorted(state.users.items()):
        item = {"id": user}
        if record.max_roles is not None:
            item["max_roles"] = record.max_roles
        if record.max_sessions is not None:
            item["max_sessions"] = record.max_sessions
        users.append(item)
    return {
        "format": FORMAT,
        "orgs": [
            {"id": org, **({"parent": state.orgs[org]} if state.orgs[org] else {})}
            for org in _orgs_parents_first(state.orgs)
        ],
        "roles": roles,
        "users": users,
        "permissions": [
            {"role": role, "operation": op, "object": obj}
            for role, perms in sorted(state.role_permissions.items())
            for op, obj in sorted(perms)
        ],
        "inheritance": [
            {"ascendant": senior, "descendant": junior}
            for senior, juniors in sorted(state.juniors.items())
            for junior in sorted(juniors)
        ],
        "groups": [
            {"id": group, "members": sorted(members)} for group, members in sorted(state.groups.items())
        ],
        "assignments": [
            {"user": user, "role": role, **({"org": org} if org else {})}
            for user, pairs in sorted(state.user_assignments.items())
            for role, org in sorted(pairs, key=lambda p: (p[0], _opt(p[1])))
        ],
        "group_assignments": [
            {"group": group, "role": role, **({"org": org} if org else {})}
            for group, pairs in sorted(state.group_assignments.items())
            for role, org in sorted(pairs, key=lambda p: (p[0], _opt(p[1])))
        ],
        "ssd_sets": sod_sets(state.ssd_sets),
        "dsd_sets": sod_sets(state.dsd_sets),
        **export_extensions(state),
    }


_SCHEMA_MESSAGES: dict[str, Callable[[Any], str]] = {
    "required": lambda e: f"champ obligatoire manquant : {e.message.split(chr(39))[1] if chr(39) in e.message else e.message}",
    "type": lambda e: f"type attendu : {e.validator_value}",
    "minLength": lambda e: "ne peut pas être vide",
    "pattern": lambda e: "ne peut pas être vide ou blanc",
    "minimum": lambda e: f"doit être au moins {e.validator_value}",
    "const": lambda e: f"doit valoir « {e.validator_value} »",
    "additionalProperties": lambda e: "champ(s) non prévu(s) : " + e.message.split("(")[-1].rstrip(")"),
    "anyOf": lambda e: "valeur de type ou de forme incorrects",
}


def _pointer(path: Any) -> str:
    return "/" + "/".join(str(p) for p in path) if path else "/"


def schema_errors(doc: Any) -> list[dict[str, str]]:
    """Every violation of the JSON Schema, with a JSON-pointer path and a French message."""
    validator = jsonschema.Draft202012Validator(POLICY_SCHEMA)
    errors = []
    for error in sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path))):
        translate = _SCHEMA_MESSAGES.get(error.validator)
        message = translate(error) if translate else error.message
        errors.append({"path": _pointer(error.absolute_path), "code": f"schema_{error.validator}",
                       "message": message})
    return errors


def build_from_document(doc: Any, factory: Callable[[], RBAC]) -> RBAC:
    """A fresh engine holding the document's policy, or `PolicyDocumentError` listing every problem."""
    if isinstance(doc, (str, bytes)):
        doc = parse_text(doc)
    errors = schema_errors(doc)
    if errors:
        raise PolicyDocumentError(errors)
    rbac = factory()

    def apply(path: str, call: Callable[[], Any]) -> None:
        try:
            call()
        except RBACError as exc:
            errors.append({"path": path, "code": exc.code, "message": exc.message})

    orgs = {item["id"]: item.get("parent") for item in doc.get("orgs", [])}
    for index, item in enumerate(doc.get("orgs", [])):
        if item.get("parent") is not None and item["parent"] not in orgs:
            errors.append({"path": f"/orgs/{index}/parent", "code": "org_not_found",
                           "message": f"Unité organisationnelle parente inconnue : « {item['parent']} »."})
    known_orgs = [org for org in orgs if orgs[org] is None or orgs[org] in orgs]
    index_of = {item["id"]: i for i, item in enumerate(doc.get("orgs", []))}
    try:
        ordered = _orgs_parents_first({o: orgs[o] for o in known_orgs})
    except (KeyError, RecursionError):
        ordered = []
        errors.append({"path": "/orgs", "code": "org_cycle", "message": "Les unités forment un cycle."})
    for org in ordered:
        apply(f"/orgs/{index_of[org]}", lambda org=org: rbac.add_org(org, orgs[org]))
    for i, item in enumerate(doc.get("roles", [])):
        apply(f"/roles/{i}", lambda item=item: rbac.add_role(
            item["id"], descends=item.get("descends", True), max_users=item.get("max_users")))
    for i, item in enumerate(doc.get("users", [])):
        apply(f"/users/{i}", lambda item=item: rbac.add_user(
            item["id"], max_roles=item.get("max_roles"), max_sessions=item.get("max_sessions")))
    for i, item in enumerate(doc.get("permissions", [])):
        apply(f"/permissions/{i}", lambda item=item: rbac.grant_permission(
            operation=item["operation"], obj=item["object"], role=item["role"]))
    for i, item in enumerate(doc.get("inheritance", [])):
        apply(f"/inheritance/{i}", lambda item=item: rbac.add_inheritance(
            ascendant=item["ascendant"], descendant=item["descendant"]))
    for i, item in enumerate(doc.get("groups", [])):
        apply(f"/groups/{i}", lambda item=item: rbac.add_group(item["id"]))
    for i, item in enumerate(doc.get("assignments", [])):
        apply(f"/assignments/{i}", lambda item=item: rbac.assign_user(
            user=item["user"], role=item["role"], org=item.get("org")))
    for i, item in enumerate(doc.get("group_assignments", [])):
        apply(f"/group_assignments/{i}", lambda item=item: rbac.assign_group(
            group=item["group"], role=item["role"], org=item.get("org")))
    for i, item in enumerate(doc.get("groups", [])):
        for j, member in enumerate(item.get("members", [])):
            apply(f"/groups/{i}/members/{j}",
                  lambda item=item, member=member: rbac.add_group_member(group=item["id"], user=member))
    for key, kind in (("ssd_sets", "ssd"), ("dsd_sets", "dsd")):
        for i, item in enumerate(doc.get(key, [])):
            members = [(m["role"], m.get("org")) for m in item["members"]]
            apply(f"/{key}/{i}", lambda item=item, members=members, kind=kind: rbac._create_set(
                kind, item["name"], members, item["cardinality"], allow_fewer_members=True))
    load_extensions(doc, rbac, apply)
    if errors:
        raise PolicyDocumentError(errors)
    return rbac


def parse_text(text: str | bytes) -> Any:
    """Parse a YAML or JSON policy text (JSON is YAML) into plain data, refusing unparsable text in French."""
    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # libyaml: ~30x faster
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (ligne {mark.line + 1}, colonne {mark.column + 1})" if mark else ""
        raise PolicyDocumentError(
            [{"path": "/", "code": "unparsable", "message": f"Texte YAML/JSON illisible{where}."}]
        ) from exc


def dumps(doc: dict[str, Any], fmt: str = "yaml") -> str:
    """Write a policy document as YAML (default) or JSON text."""
    if fmt == "json":
        return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


def user_permission_map(source: Any) -> dict[str, set[Permission]]:
    """Per user, every permission held (org scope ignored), from an engine or a policy document."""
    from habpps.engine.rbac import RBAC

    rbac = source if isinstance(source, RBAC) else RBAC.load(source)
    return {user: rbac.user_permissions(user) for user in rbac.users()}


def user_access_map(source: Any) -> dict[str, dict[Permission, frozenset[tuple[Any, ...]]]]:
    """Per user and permission, *where and when* it is held: one ``(org, descends, time, conditions)`` per way
    of holding it — the org unit of the assignment ("" for everywhere) and whether it reaches sub-units, the
    temporal constraints of the user, the assigned role and the assignment, the context constraints linked to
    the permission. From an engine or a policy document."""
    from habpps.engine.model import assignment_key
    from habpps.engine.rbac import RBAC

    rbac = source if isinstance(source, RBAC) else RBAC.load(source)
    state = rbac._state

    def temporal(constraint: Any) -> str:
        return json.dumps(constraint.as_dict(), sort_keys=True) if constraint is not None else ""

    def conditions(permission: Permission) -> tuple[str, ...]:
        return tuple(
            json.dumps(state.context_constraints[name].as_dict(), sort_keys=True, ensure_ascii=False)
            for name in sorted(state.permission_constraints.get(permission, ()))
            if name in state.context_constraints
        )

    result: dict[str, dict[Permission, frozenset[tuple[Any, ...]]]] = {}
    for user in rbac.users():
        holdings: dict[Permission, set[tuple[Any, ...]]] = {}
        user_time = temporal(state.user_temporal.get(user))
        for entry in rbac._entries(user):
            descends = bool(entry.org) and state.roles[entry.role].descends
            when = (user_time, temporal(state.role_temporal.get(entry.role)),
                    temporal(state.assignment_temporal.get(assignment_key(user, entry))))
            for junior in rbac._cache.juniors_closure(entry.role):
                for permission in state.role_permissions.get(junior, ()):
                    through = tuple(sorted(getattr(state, "grant_constraints", {}).get((junior, permission), ())))
                    holdings.setdefault(permission, set()).add(
                        (entry.org or "", descends, when, conditions(permission) + through))
        result[user] = {permission: frozenset(ways) for permission, ways in holdings.items()}
    return result


def describe_holding(way: tuple[Any, ...]) -> str:
    """One way of holding a permission (see `user_access_map`), in French."""
    org, descends, when, conditions = way
    text = "partout" if not org else f"dans « {org} »" + (" et ses sous-unités" if descends else " seulement")
    limits: dict[str, Any] = {}
    for part in when:
        if part:
            limits.update(json.loads(part))
    if limits.get("begin_date"):
        text += f", à partir du {limits['begin_date']}"
    if limits.get("end_date"):
        text += f", jusqu'au {limits['end_date']}"
    if limits.get("begin_time"):
        text += f", de {limits['begin_time']} à {limits['end_time']}"
    if limits.get("weekdays"):
        text += ", jours " + ", ".join(map(str, limits["weekdays"]))
    if limits.get("timeout_minutes"):
        text += f", inactivité maximale {limits['timeout_minutes']} min"
    if conditions:
        names = [json.loads(c).get("name", "?") if c.startswith("{") else c for c in conditions]
        text += ", sous condition " + ", ".join(f"« {n} »" for n in names)
    return text


def diff(a: Any, b: Any) -> dict[str, dict[str, Any]]:
    """What each user gains and loses going from policy ``a`` to policy ``b`` (engines or documents).

    Returns ``{user: {"gained": {(operation, obj)…}, "lost": {…}}}`` for every user whose access changes; a user
    only in ``b`` gains everything, a user only in ``a`` loses everything. A permission held in both but
    *elsewhere or otherwise* — another org unit or reach (a partner's scope becoming national), other dates or
    hours (an expiry lifted), other conditions — is listed under ``"changed"``: ``{(operation, obj): {"before":
    [French descriptions], "after": […]}}``, a key present only when something changed that way.
    """
    before = user_access_map(a)
    after = user_access_map(b)
    changes: dict[str, dict[str, Any]] = {}
    for user in sorted(before.keys() | after.keys()):
        old = before.get(user, {})
        new = after.get(user, {})
        if old == new:
            continue
        change: dict[str, Any] = {"gained": set(new) - set(old), "lost": set(old) - set(new)}
        moved = {
            permission: {"before": sorted(map(describe_holding, old[permission])),
                         "after": sorted(map(describe_holding, new[permission]))}
            for permission in sorted(old.keys() & new.keys()) if old[permission] != new[permission]
        }
        if moved:
            change["changed"] = moved
        changes[user] = change
    return changes
