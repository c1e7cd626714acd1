"""JSON Schema of the policy document (ENG-10), published as `docs/policy.schema.json`."""

from __future__ import annotations

from typing import Any

FORMAT = "habpps-policy/1"

_NAME: dict[str, Any] = {"type": "string", "minLength": 1, "pattern": r"\S"}
_OPTIONAL_NAME: dict[str, Any] = {"anyOf": [_NAME, {"type": "null"}]}
_LIMIT: dict[str, Any] = {"anyOf": [{"type": "integer", "minimum": 1}, {"type": "null"}]}


def _record(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": required, "additionalProperties": False}


_SOD_SET = _record(
    {
        "name": _NAME,
        "cardinality": {"type": "integer", "minimum": 2},
        "members": {
            "type": "array",
            "items": _record({"role": _NAME, "org": _OPTIONAL_NAME}, ["role"]),
        },
    },
    ["name", "cardinality", "members"],
)

_NAMES: dict[str, Any] = {"type": "array", "items": _NAME}
_OPTIONAL_NAMES: dict[str, Any] = {"anyOf": [_NAMES, {"type": "null"}]}
_ISO_DATE: dict[str, Any] = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
_ISO_TIME: dict[str, Any] = {"type": "string", "pattern": r"^\d{2}:\d{2}(:\d{2})?$"}
_POSITIVE: dict[str, Any] = {"type": "integer", "minimum": 1}
_RISK: dict[str, Any] = {"enum": ["block", "require_approval", "report"]}
_ABILITIES: dict[str, Any] = {"type": "array", "items": {"enum": ["assign", "revoke", "manage_user", "delegate"]}}

_TEMPORAL = _record(
    {
        "begin_date": _ISO_DATE, "end_date": _ISO_DATE, "begin_time": _ISO_TIME, "end_time": _ISO_TIME,
        "weekdays": {"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": 7}},
        "blackouts": {"type": "array", "items": _record({"start": _ISO_DATE, "end": _ISO_DATE}, ["start", "end"])},
        "timeout_minutes": _POSITIVE,
    },
    [],
)
_OPERAND: dict[str, Any] = {
    "anyOf": [_record({"attribute": _NAME}, ["attribute"]), _record({"value": {}}, ["value"])]
}
_EXCLUSION_MEMBER: dict[str, Any] = {
    "anyOf": [
        _record({"role": _NAME, "org": _OPTIONAL_NAME}, ["role"]),
        _record({"operation": _NAME, "object": _NAME, "org": _OPTIONAL_NAME}, ["operation", "object"]),
    ]
}

EXTENSION_PROPERTIES: dict[str, Any] = {
    # ENG-5 contextual and temporal constraints
    "context_attributes": {"type": "array", "items": _record(
        {"name": _NAME, "domain": _NAME, "function": _NAME, "parameter": _NAME}, ["name", "domain", "function"])},
    "context_constraints": {"type": "array", "items": _record(
        {"name": _NAME, "conditions": {"type": "array", "minItems": 1, "items": _record(
            {"operator": _NAME, "operands": {"type": "array", "items": _OPERAND}}, ["operator", "operands"])}},
        ["name", "conditions"])},
    "permission_constraints": {"type": "array", "items": _record(
        {"operation": _NAME, "object": _NAME, "constraint": _NAME}, ["operation", "object", "constraint"])},
    "grant_constraints": {"type": "array", "items": _record(
        {"role": _NAME, "operation": _NAME, "object": _NAME, "constraint": _NAME},
        ["role", "operation", "object", "constraint"])},
    "user_attributes": {"type": "array", "items": _record(
        {"user": _NAME, "attributes": {"type": "object"}}, ["user", "attributes"])},
    "activation_constraints": {"type": "array", "items": _record(
        {"role": _NAME, "constraint": _NAME}, ["role", "constraint"])},
    "temporal_constraints": {"type": "array", "items": {
        **_record({"on": {"enum": ["user", "role", "assignment", "group_assignment"]}, "user": _NAME, "role": _NAME,
                   "group": _NAME, "org": _OPTIONAL_NAME, "constraint": _TEMPORAL}, ["on", "constraint"]),
        # What the constraint is on decides which names it needs (a missing one is an error, not a crash).
        "allOf": [{"if": {"properties": {"on": {"const": on}}, "required": ["on"]}, "then": {"required": needs}}
                  for on, needs in (("user", ["user"]), ("role", ["role"]), ("assignment", ["user", "role"]),
                                    ("group_assignment", ["group", "role"]))]}},
    # ENG-7 exclusions
    "exclusions": {"type": "array", "items": _record(
        {"name": _NAME, "kind": {"enum": ["static", "dynamic"]}, "risk": _RISK,
         "cardinality": {"type": "integer", "minimum": 2}, "members": {"type": "array", "items": _EXCLUSION_MEMBER}},
        ["name", "cardinality", "members"])},
    "history_exclusions": {"type": "array", "items": _record(
        {"name": _NAME, "object": _NAME, "done": _NAMES, "then": _NAME, "risk": _RISK, "required": {"type": "boolean"}},
        ["name", "object", "done", "then"])},
    # ENG-12 administrative RBAC
    "admin_roles": {"type": "array", "items": _record(
        {"name": _NAME, "roles": _NAMES, "role_range": _record({"low": _NAME, "high": _NAME}, ["low", "high"]),
         "orgs": _OPTIONAL_NAMES, "groups": _OPTIONAL_NAMES, "abilities": _ABILITIES}, ["name"])},
    "admin_assignments": {"type": "array", "items": _record(
        {"user": _NAME, "admin_role": _NAME, "org": _OPTIONAL_NAME}, ["user", "admin_role"])},
    "delegations": {"type": "array", "items": _record(
        {"name": _NAME, "grantor": _NAME, "grantee": _NAME, "roles": _NAMES, "orgs": _OPTIONAL_NAMES,
         "groups": _OPTIONAL_NAMES, "abilities": _ABILITIES}, ["name", "grantor", "grantee"])},
    "perimeters": {"type": "array", "items": _record(
        {"org": _NAME, "roles": _NAMES, "max_users": {"type": "object", "additionalProperties": _POSITIVE}},
        ["org", "roles"])},
    "user_orgs": {"type": "array", "items": _record({"user": _NAME, "org": _NAME}, ["user", "org"])},
    # ENG-8 data scoping
    "populations": {"type": "array", "items": _record(
        {"role": _NAME, "resource": _NAME, "name": _NAME,
         "kind": {"enum": ["all", "org_unit", "org_subtree", "own_file", "explicit"]}, "field": _NAME,
         "values": _NAMES, "attribute": _NAME, "default": {"type": "boolean"}},
        ["role", "resource", "name", "kind"])},
    "field_rules": {"type": "array", "items": _record(
        {"role": _NAME, "resource": _NAME, "field": _NAME, "access": {"enum": ["forbidden", "read", "write"]},
         "when": _NAME}, ["role", "resource", "field", "access"])},
    "action_limits": {"type": "array", "items": _record(
        {"role": _NAME, "action": _NAME, "max_records": _POSITIVE, "confirm_above": _POSITIVE,
         "max_per_day": _POSITIVE, "max_seconds": _POSITIVE}, ["role", "action"])},
}

POLICY_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://habpps.example/schemas/policy.schema.json",
    "title": "Politique d'habilitation Habpps",
    "description": "A whole RBAC policy: org units, roles, users, grants, hierarchy, groups, assignments, "
    "SSD/DSD sets, and the extensions: contextual and temporal constraints, exclusions, administrative roles "
    "and delegations, data scoping. Sessions, pending changes and reported violations are runtime state and "
    "are not part of a policy.",
    "type": "object",
    "properties": {
        "format": {"const": FORMAT},
        "orgs": {"type": "array", "items": _record({"id": _NAME, "parent": _OPTIONAL_NAME}, ["id"])},
        "roles": {
            "type": "array",
            "items": _record({"id": _NAME, "descends": {"type": "boolean"}, "max_users": _LIMIT}, ["id"]),
        },
        "users": {
            "type": "array",
            "items": _record({"id": _NAME, "max_roles": _LIMIT, "max_sessions": _LIMIT}, ["id"]),
        },
        "permissions": {
            "type": "array",
            "items": _record({"role": _NAME, "operation": _NAME, "object": _NAME}, ["role", "operation", "object"]),
        },
        "inheritance": {
            "type": "array",
            "items": _record({"ascendant": _NAME, "descendant": _NAME}, ["ascendant", "descendant"]),
        },
        "groups": {
            "type": "array",
            "items": _record({"id": _NAME, "members": {"type": "array", "items": _NAME}}, ["id"]),
        },
        "assignments": {
            "type": "array",
            "items": _record({"user": _NAME, "role": _NAME, "org": _OPTIONAL_NAME}, ["user", "role"]),
        },
        "group_assignments": {
            "type": "array",
            "items": _record({"group": _NAME, "role": _NAME, "org": _OPTIONAL_NAME}, ["group", "role"]),
        },
        "ssd_sets": {"type": "array", "items": _SOD_SET},
        "dsd_sets": {"type": "array", "items": _SOD_SET},
        **EXTENSION_PROPERTIES,
    },
    "required": ["format"],
    "additionalProperties": False,
}
