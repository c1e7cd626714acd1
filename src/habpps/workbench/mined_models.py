"""From accepted mined roles to a role-engineering model (RE-5 → RE-1): bottom-up meets top-down.

Each accepted role becomes a work profile with one task and one scenario whose single step needs the role's
permissions — the « scénario observé » an analyst then rewrites in the thesis's QQCOQP form. Permission tokens
``operation:object`` (policy and journal sources) keep their pair; a token of another origin (a file's ``P17``)
becomes the pair ``(acceder, P17)``. The document is checked by the same loader as any uploaded model, so what
the workbench stores is always valid.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import yaml

from habpps.roleeng.sources import token_permission

#: Operation given to a permission token that names no ``(operation, object)`` pair.
DEFAULT_OPERATION = "acceder"
_IDENTIFIER_MAX = 100
_NOT_IN_IDENTIFIER = re.compile(r"[^A-Za-z0-9_.:-]")


class _Identifiers:
    """Schema-valid, unique identifiers for arbitrary tokens (letters, digits and ``_ . : -``)."""

    def __init__(self) -> None:
        self.taken: dict[str, str] = {}
        self.used: set[str] = set()

    def __call__(self, token: str, prefix: str = "") -> str:
        if (prefix, token) in self.taken:
            return self.taken[(prefix, token)]
        base = prefix + _NOT_IN_IDENTIFIER.sub("_", token)
        if not base[:1].isalnum():
            base = "x" + base
        base = base[: _IDENTIFIER_MAX - 6]
        candidate, suffix = base, 2
        while candidate in self.used:
            candidate, suffix = f"{base}-{suffix}", suffix + 1
        self.used.add(candidate)
        self.taken[(prefix, token)] = candidate
        return candidate


def mined_model_document(
    roles: Sequence[Mapping[str, Any]],
    *,
    name: str,
    description: str = "",
) -> dict[str, Any]:
    """The role-model document of mined roles (``{"id", "permissions", "users"}`` as the miner writes them)."""
    if not roles:
        raise ValueError("Aucun rôle accepté : le modèle n'aurait aucun profil.")
    ids = _Identifiers()
    permissions: dict[str, dict[str, str]] = {}
    for token in sorted({token for role in roles for token in role["permissions"]}):
        operation, obj = token_permission(token) or (DEFAULT_OPERATION, token)
        permissions[token] = {"id": ids(token), "label": token, "operation": operation, "object": obj}

    scenarios, tasks, profiles = [], [], []
    for role in roles:
        role_id = ids(str(role["id"]))
        scenario_id, task_id = ids(str(role["id"]), "SC-"), ids(str(role["id"]), "T-")
        users, held = len(role["users"]), len(role["permissions"])
        scenarios.append(
            {
                "id": scenario_id,
                "theme": "Usage observé",
                "object": _main_object(role["permissions"]),
                "actor_category": f"Titulaires du rôle fouillé {role['id']} ({users} utilisateur(s))",
                "functional_action": "Exercer ensemble les permissions que ces utilisateurs ont en commun",
                "steps": [
                    {
                        "text": f"Exercer les {held} permission(s) du rôle {role['id']}",
                        "permissions": [permissions[t]["id"] for t in sorted(role["permissions"])],
                    }
                ],
            }
        )
        tasks.append(
            {"id": task_id, "label": f"Tâche du rôle fouillé {role['id']}", "scenarios": [scenario_id]}
        )
        profiles.append(
            {
                "id": role_id,
                "label": f"Rôle fouillé {role['id']} ({users} utilisateur(s), {held} permission(s))",
                "tasks": [task_id],
            }
        )
    return {
        "name": name,
        "version": "1",
        "description": description,
        "permissions": list(permissions.values()),
        "scenarios": scenarios,
        "tasks": tasks,
        "profiles": profiles,
    }


def _main_object(tokens: Iterable[str]) -> str:
    """The object most of a role's permissions are about (the scenario's « quoi »)."""
    counts: dict[str, int] = {}
    for token in tokens:
        obj = (token_permission(token) or (DEFAULT_OPERATION, token))[1]
        counts[obj] = counts.get(obj, 0) + 1
    return max(sorted(counts), key=lambda obj: counts[obj]) if counts else "données"


def dump_model(document: Mapping[str, Any]) -> str:
    """YAML text of a model document, in the key order of the schema, accents kept."""
    return yaml.safe_dump(dict(document), allow_unicode=True, sort_keys=False, width=110)
