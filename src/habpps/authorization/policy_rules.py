"""Rules the domain apps compile into the engine: one implementation of every rule, the engine's (issue 16 §2).

A domain app that holds the records a rule is derived from — the conventions app and its validated conventions —
registers here, from its ``AppConfig.ready``, a *contribution*: a function that reads its records and returns the
engine policy sections they compile into (``perimeters`` — ENG-12, the convention's allowed profiles and user
limits; ``history_exclusions`` — ENG-7, the four-eyes rule; ``admin_roles``…), in the engine document's own
format. The policy build loads them into every engine it builds (`compile_into`), so the engine, not the app,
decides; the app only asks (e.g. `RBAC.perimeter_decision`) and presents the engine's answer.

Keeping them fresh: the sections derived when an engine was built are remembered on it (`derived_on`). At the end
of every administrative change (`policy_cache.policy_change`) the sections are derived again. Perimeters that
moved — a partner created, a convention validated or ended, a profile withdrawn — become change-log calls
(``["replace_perimeter", org, before, after]``, `calls_for`), replayed by every process like the directory's own
calls and undone exactly (`inverse`). Any other derived section that moved asks every process for a full rebuild
(`moved`), as a renamed login does. Memberships and grants never move a derived section: the engine counts a
perimeter's holders itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Sections = dict[str, list[dict[str, Any]]]
Contribution = Callable[[], Sections]

COMPILED_SECTIONS = ("admin_roles", "admin_assignments", "delegations", "perimeters", "history_exclusions")
"""The sections a contribution may give, in the order they are loaded (roles before their assignments)."""

_contributions: dict[str, Contribution] = {}


def register(name: str, contribution: Contribution) -> None:
    """Add (or replace, by name: ``ready`` may run twice) a contribution to every policy build."""
    _contributions[name] = contribution


def derive() -> Sections:
    """Every registered contribution's sections, merged and sorted (a stable value to compare)."""
    merged: Sections = {key: [] for key in COMPILED_SECTIONS}
    for name in sorted(_contributions):
        for key, items in _contributions[name]().items():
            if key not in merged:
                raise ValueError(f"contribution {name!r}: section {key!r} is not one the policy build compiles")
            merged[key].extend(items)
    return {key: sorted(items, key=_sort_key) for key, items in merged.items()}


def _sort_key(item: dict[str, Any]) -> str:
    import json

    return json.dumps(item, sort_keys=True, ensure_ascii=False)


def compile_into(rbac: Any, sections: Sections | None = None) -> Sections:
    """Load the derived sections into ``rbac`` (built from the directory) and remember them on it."""
    sections = derive() if sections is None else sections
    for item in sections["admin_roles"]:
        rng = item.get("role_range")
        rbac.add_admin_role(
            item["name"],
            roles=item.get("roles", []),
            role_range=(rng["low"], rng["high"]) if rng else None,
            orgs=item.get("orgs"),
            groups=item.get("groups"),
            abilities=item.get("abilities", []),
        )
    for item in sections["admin_assignments"]:
        rbac.assign_admin(item["user"], item["admin_role"], item.get("org"))
    for item in sections["delegations"]:
        rbac.delegate_authority(
            item["name"],
            item["grantor"],
            item["grantee"],
            item.get("roles", []),
            orgs=item.get("orgs"),
            groups=item.get("groups"),
            abilities=item.get("abilities", []),
        )
    for item in sections["perimeters"]:
        rbac.set_perimeter(item["org"], item["roles"], item.get("max_users"))
    for item in sections["history_exclusions"]:
        rbac.create_history_exclusion(
            item["name"], obj=item["object"], done=item["done"], then=item["then"], risk=item.get("risk", "block")
        )
    rbac.platform_rules = sections
    return sections


def derived_on(rbac: Any) -> Sections | None:
    """The sections ``rbac`` was compiled with (None: built without them, e.g. loaded from a document)."""
    return getattr(rbac, "platform_rules", None)


RULE_CALLS = ("replace_perimeter",)
"""Change-log calls on the derived sections (applied by `apply_call`, not by an engine method of that name)."""


def moved(rbac: Any, derived: Sections) -> bool:
    """Whether a derived section other than the perimeters moved since ``rbac`` was compiled: rebuild."""
    current = derived_on(rbac)
    if current is None:
        return True
    return any(derived[key] != current.get(key) for key in COMPILED_SECTIONS if key != "perimeters")


def calls_for(rbac: Any, derived: Sections) -> list[list[Any]]:
    """The ``replace_perimeter`` calls that bring ``rbac``'s perimeters to the derived ones."""
    current = {item["org"]: item for item in (derived_on(rbac) or {}).get("perimeters", [])}
    wanted = {item["org"]: item for item in derived["perimeters"]}
    return [
        ["replace_perimeter", org, current.get(org), wanted.get(org)]
        for org in sorted(current.keys() | wanted.keys())
        if current.get(org) != wanted.get(org)
    ]


def inverse(call: list[Any]) -> list[Any]:
    method, org, before, after = call
    return [method, org, after, before]


def apply_call(rbac: Any, call: list[Any]) -> None:
    """Apply a ``replace_perimeter`` call to the engine and to the sections remembered on it."""
    _method, org, _before, after = call
    if after is None:
        if org in rbac.perimeters():
            rbac.clear_perimeter(org)
    else:
        known = rbac.roles()
        roles = [role for role in after["roles"] if role in known]  # undoing may precede a role's return
        limits = {role: n for role, n in (after.get("max_users") or {}).items() if role in roles}
        rbac.set_perimeter(org, roles, limits or None)
    remembered = derived_on(rbac)
    if remembered is not None:
        items = [item for item in remembered["perimeters"] if item["org"] != org]
        if after is not None:
            items.append(after)
        rbac.platform_rules = {**remembered, "perimeters": sorted(items, key=_sort_key)}
