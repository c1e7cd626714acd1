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

POLICY_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://habpps.example/schemas/policy.schema.json",
    "title": "Politique d'habilitation Habpps",
    "description": "A whole RBAC policy: org units, roles, users, grants, hierarchy, groups, assignments, "
    "SSD/DSD sets. Sessions are runtime state and are not part of a policy.",
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
    },
    "required": ["format"],
    "additionalProperties": False,
}
