"""Rules the domain apps compile into the engine: one implementation of every rule, the engine's (issue 16 §2).

A domain app that holds the records a rule is derived from — the conventions app and its validated conventions —
registers here, from its ``AppConfig.ready``, a *contribution*: a function that reads its records and returns the
engine policy sections they compile into (``perimeters`` — ENG-12, the convention's allowed profiles and user
limits; ``history_exclusions`` — ENG-7, the four-eyes rule; ``admin_roles``…), in the engine document's own
format. The policy build loads them into every engine it builds (`compile_into`), so the engine, not the app,
decides; the app only asks (e.g. `RBAC.perimeter_decision`) and presents the engine's answer.

Keeping them fresh: the sections derived when an engine was built are remembered on it (`derived_on`). At the end
of every administrative change (`policy_cache.policy_change`) the sections are derived again, and every item that
moved — a partner created, a convention validated or ended, a profile withdrawn, a partner suspended, an
administrator named, a delegation given, an account created in a delegating partner — becomes change-log calls
(``["replace_rule", section, key, before, after]``, `calls_for`), replayed by every process like the directory's
own calls and undone exactly (`inverse`). The calls come in two halves around the directory's calls (narrowing
before, widening after) so that nothing a deletion takes away is still named. Only an engine built without them
(loaded from a document) is rebuilt (`moved`). Memberships and grants never move a derived section: the engine
counts a perimeter's holders itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Sections = dict[str, list[dict[str, Any]]]
Partners = frozenset[int] | None
"""Partner ids whose rules a derivation covers; None: every partner and the rules of no partner."""
Contribution = Callable[[Partners], Sections]

COMPILED_SECTIONS = (
    "user_orgs", "admin_roles", "admin_assignments", "delegations", "perimeters", "history_exclusions",
)
"""The sections a contribution may give, in the order they are loaded (roles before their assignments)."""

_contributions: dict[str, Contribution] = {}


def register(name: str, contribution: Contribution) -> None:
    """Add (or replace, by name: ``ready`` may run twice) a contribution to every policy build.

    ``contribution(partners)`` returns the sections derived from the records of ``partners`` only — the items
    in their units (`unit_of`) — or, given None, every section whole."""
    _contributions[name] = contribution


def unit_of(item: dict[str, Any]) -> str | None:
    """The one org unit an item belongs to (a partner's: its perimeter, its administrators, its delegations, its
    accounts' units), or None for a platform-wide rule (the four-eyes rule)."""
    if "org" in item:
        return item["org"]
    orgs = item.get("orgs")
    return orgs[0] if orgs and len(orgs) == 1 else None


def _key(section: str, item: dict[str, Any]) -> Any:
    key = KEYS[section](item)
    return tuple(key) if isinstance(key, list) else key


class RuleIndex:
    """The derived sections an engine holds, by section and key, with the keys of each unit: what a change
    compares with, and updates, item by item (a national policy holds one perimeter per partner: 30,000)."""

    def __init__(self, sections: Sections) -> None:
        self._items: dict[str, dict[Any, dict[str, Any]]] = {section: {} for section in COMPILED_SECTIONS}
        self._units: dict[str, dict[str | None, set[Any]]] = {section: {} for section in COMPILED_SECTIONS}
        for section in COMPILED_SECTIONS:
            for item in sections.get(section, []):
                self.put(section, _key(section, item), item)

    def get(self, section: str, key: Any) -> dict[str, Any] | None:
        return self._items[section].get(key)

    def put(self, section: str, key: Any, item: dict[str, Any] | None) -> None:
        former = self._items[section].pop(key, None)
        if former is not None:
            self._units[section][unit_of(former)].discard(key)
        if item is not None:
            self._items[section][key] = item
            self._units[section].setdefault(unit_of(item), set()).add(key)

    def items(self, section: str, units: frozenset[str] | None = None) -> dict[Any, dict[str, Any]]:
        """The section's items, or only those of ``units``."""
        if units is None:
            return dict(self._items[section])
        keys = set().union(*(self._units[section].get(unit, ()) for unit in units)) if units else set()
        return {key: self._items[section][key] for key in keys}

    def sections(self) -> Sections:
        """Every section as a sorted list (the form `derive` gives)."""
        return {section: sorted(self._items[section].values(), key=_sort_key) for section in COMPILED_SECTIONS}


@dataclass(frozen=True)
class Derivation:
    """The derived sections of ``units`` (None: all of them, whole)."""

    sections: Sections
    units: frozenset[str] | None = None


def derive(partners: Partners = None) -> Sections:
    """Every registered contribution's sections — of ``partners`` only when given — merged and sorted (a stable
    value to compare)."""
    from habpps.authorization.orgs import partner_unit

    units = None if partners is None else {partner_unit(p) for p in partners}
    merged: Sections = {key: [] for key in COMPILED_SECTIONS}
    for name in sorted(_contributions):
        for key, items in _contributions[name](partners).items():
            if key not in merged:
                raise ValueError(f"contribution {name!r}: section {key!r} is not one the policy build compiles")
            merged[key].extend(item for item in items if units is None or unit_of(item) in units)
    return {key: sorted(items, key=_sort_key) for key, items in merged.items()}


def derivation(partners: Partners = None) -> Derivation:
    """What a change compares its engine's sections with: the sections of ``partners`` (the partners whose
    records it touched), or all of them (None: something every partner's rules depend on moved)."""
    from habpps.authorization.orgs import partner_unit

    units = None if partners is None else frozenset(partner_unit(p) for p in partners)
    return Derivation(derive(partners), units)


def _sort_key(item: dict[str, Any]) -> str:
    import json

    return json.dumps(item, sort_keys=True, ensure_ascii=False)


def compile_into(rbac: Any, sections: Sections | None = None) -> Sections:
    """Load the derived sections into ``rbac`` (built from the directory) and remember them on it."""
    sections = derive() if sections is None else sections
    for item in sections["user_orgs"]:
        rbac.set_user_org(item["user"], item["org"])
    for item in sections["admin_roles"]:
        rbac.add_admin_role(item["name"], **_admin_role_arguments(item))
    for item in sections["admin_assignments"]:
        rbac.assign_admin(item["user"], item["admin_role"], item.get("org"))
    for item in sections["delegations"]:
        # Loaded as declared, as a policy document loads it: the grantor's authority may have shrunk since (a
        # profile the convention no longer grants), and the engine intersects a delegation with it anyway.
        _restore_delegation(rbac, item)
    for item in sections["perimeters"]:
        rbac.set_perimeter(item["org"], item["roles"], item.get("max_users"))
    for item in sections["history_exclusions"]:
        rbac.create_history_exclusion(
            item["name"], obj=item["object"], done=item["done"], then=item["then"], risk=item.get("risk", "block"),
            required=item.get("required", False),
        )
    rbac.platform_rules = RuleIndex(sections)
    return sections


def derived_on(rbac: Any) -> RuleIndex | None:
    """The sections ``rbac`` was compiled with, as changes moved them (None: built without them, e.g. loaded
    from a document)."""
    return getattr(rbac, "platform_rules", None)


RULE_CALLS = ("replace_rule", "replace_perimeter")
"""Change-log calls on the derived sections (applied by `apply_call`, not by an engine method of that name).
``["replace_rule", section, key, before, after]`` puts one item of a section (``None``: absent) in place of
another; ``replace_perimeter`` is its older form for the perimeters, still replayed."""

KEYS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "user_orgs": lambda item: item["user"],
    "admin_roles": lambda item: item["name"],
    "admin_assignments": lambda item: [item["user"], item["admin_role"], item.get("org")],
    "delegations": lambda item: item["name"],
    "perimeters": lambda item: item["org"],
    "history_exclusions": lambda item: item["name"],
}
"""How an item of each section is named in a ``replace_rule`` call (lists: JSON has no tuples)."""

REMOVAL_ORDER = ("delegations", "admin_assignments", "admin_roles", "perimeters", "user_orgs", "history_exclusions")
"""Narrowing calls go first (what refers to something before it), additions in `COMPILED_SECTIONS` order."""

_SCOPES = ("orgs", "groups")
"""Fields where absence (None) means "everywhere": their narrowing with a list is that list."""


def moved(rbac: Any) -> bool:
    """Whether ``rbac`` cannot be brought to the derived sections by calls: it was built without them (loaded
    from a document). Every move of a derived section is otherwise a ``replace_rule`` call (`calls_for`)."""
    return derived_on(rbac) is None


def _narrowed(before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, Any] | None:
    """What an item holds of both ``before`` and ``after``: lists intersected, limits kept where equal, a scope
    "everywhere" narrowed to the other side's list. None when nothing is common (an item whose identity moved —
    another grantor, another role range — is taken out, then put back)."""
    if before is None or after is None:
        return None
    narrowed: dict[str, Any] = {}
    for name in sorted(before.keys() | after.keys()):
        old, new = before.get(name), after.get(name)
        if old == new:
            if name in before:
                narrowed[name] = old
        elif name in _SCOPES and (old is None or new is None):
            narrowed[name] = new if old is None else old
        elif isinstance(old, list) and isinstance(new, list) and name != "done":
            narrowed[name] = sorted(set(old) & set(new))
        elif name == "max_users":
            common = {role: n for role, n in (old or {}).items() if (new or {}).get(role) == n}
            if common:
                narrowed[name] = common
        elif name == "role_range":
            continue  # no range meanwhile: the listed roles still hold
        else:
            return None
    return narrowed


def calls_for(rbac: Any, derived: Derivation | Sections) -> tuple[list[list[Any]], list[list[Any]]]:
    """The ``replace_rule`` calls that bring ``rbac``'s derived sections to ``derived``, in two lists.

    Only the items of ``derived.units`` are compared (all of them for a whole derivation). The first list
    narrows (each changed item to what it keeps of both versions, removed items out) and is applied *before* the
    directory's calls of the same change, the second widens (each item to its new version) and is applied
    *after* them. An account, a group, a profile or a unit the directory's calls delete is then never referred
    to when it goes — the derived sections only name what is in force — so the engine's cascades on deletion
    have nothing to take away, and undoing the calls in reverse restores exactly what was there.
    """
    if not isinstance(derived, Derivation):
        derived = Derivation(derived)
    index = derived_on(rbac) or RuleIndex({})
    changes: dict[str, list[tuple[Any, Any, Any, Any]]] = {}
    for section in COMPILED_SECTIONS:
        if derived.units is not None and section not in derived.sections:
            changes[section] = []
            continue
        wanted = {_key(section, item): item for item in derived.sections.get(section, [])}
        current = index.items(section, derived.units)
        current.update((key, index.get(section, key)) for key in wanted.keys() - current.keys())
        differing = [(key, current.get(key), wanted.get(key)) for key in current.keys() | wanted.keys()
                 if current.get(key) != wanted.get(key)]
        changes[section] = [
            (key, before, None if section == "history_exclusions" else _narrowed(before, after), after)
            for key, before, after in sorted(differing, key=lambda change: _key_order(change[0]))
        ]
    narrowing = [
        ["replace_rule", section, _plain(key), before, middle]
        for section in REMOVAL_ORDER
        for key, before, middle, _after in changes[section]
        if before is not None and middle != before
    ]
    widening = [
        ["replace_rule", section, _plain(key), middle, after]
        for section in COMPILED_SECTIONS
        for key, _before, middle, after in changes[section]
        if after is not None and middle != after
    ]
    return narrowing, widening


def _key_order(key: Any) -> str:
    import json

    return json.dumps(key, ensure_ascii=False)


def _plain(key: Any) -> Any:
    return list(key) if isinstance(key, tuple) else key


def inverse(call: list[Any]) -> list[Any]:
    *head, before, after = call
    return [*head, after, before]


def apply_call(rbac: Any, call: list[Any]) -> None:
    """Apply a ``replace_rule`` (or older ``replace_perimeter``) call to the engine and to the sections
    remembered on it."""
    if call[0] == "replace_perimeter":
        _method, key, _before, after = call
        _replace_perimeter(rbac, key, after, tolerant=True)
        section = "perimeters"
    else:
        _method, section, key, before, after = call
        SETTERS[section](rbac, key, before, after)
    index = derived_on(rbac)
    if index is not None:
        index.put(section, tuple(key) if isinstance(key, list) else key, after)


def _replace_perimeter(rbac: Any, org: str, after: dict[str, Any] | None, *, tolerant: bool = False) -> None:
    if after is None:
        if org in rbac.perimeters():
            rbac.clear_perimeter(org)
        return
    roles = after["roles"]
    if tolerant:  # the older call, undone before a role's return
        known = rbac.roles()
        roles = [role for role in roles if role in known]
    limits = {role: n for role, n in (after.get("max_users") or {}).items() if role in roles}
    rbac.set_perimeter(org, roles, limits or None)


def _set_perimeter(rbac: Any, key: Any, before: dict | None, after: dict | None) -> None:
    _replace_perimeter(rbac, key, after)


def _set_user_org(rbac: Any, key: Any, before: dict | None, after: dict | None) -> None:
    rbac.set_user_org(key, None if after is None else after["org"])


def _admin_role_arguments(item: dict[str, Any]) -> dict[str, Any]:
    rng = item.get("role_range")
    return {
        "roles": item.get("roles", []),
        "role_range": (rng["low"], rng["high"]) if rng else None,
        "orgs": item.get("orgs"),
        "groups": item.get("groups"),
        "abilities": item.get("abilities", []),
    }


def _set_admin_role(rbac: Any, key: Any, before: dict | None, after: dict | None) -> None:
    if after is None:
        rbac.delete_admin_role(key)  # its assignments went first (`REMOVAL_ORDER`)
    elif key in rbac.admin_roles():
        rbac.redefine_admin_role(key, **_admin_role_arguments(after))
    else:
        rbac.add_admin_role(key, **_admin_role_arguments(after))


def _set_admin_assignment(rbac: Any, key: Any, before: dict | None, after: dict | None) -> None:
    user, admin_role, org = key
    if after is None:
        rbac.deassign_admin(user, admin_role, org)
    else:
        rbac.assign_admin(user, admin_role, org)


def _set_delegation(rbac: Any, key: Any, before: dict | None, after: dict | None) -> None:
    # Loaded as declared, as the full build does (`compile_into`): the engine intersects it with the grantor's
    # authority whenever it decides.
    if key in rbac.delegations():
        rbac.revoke_delegation(key)
    if after is not None:
        try:
            _restore_delegation(rbac, after)
        except BaseException:
            if before is not None:
                _restore_delegation(rbac, before)
            raise


def _restore_delegation(rbac: Any, item: dict[str, Any]) -> None:
    rbac._restore_delegation(item["name"], item["grantor"], item["grantee"], item.get("roles", []),
                             item.get("orgs"), item.get("groups"), item.get("abilities", []))


def _set_history_exclusion(rbac: Any, key: Any, before: dict | None, after: dict | None) -> None:
    if key in rbac.history_exclusions():
        rbac.delete_history_exclusion(key)
    if after is not None:
        rbac.create_history_exclusion(key, obj=after["object"], done=after["done"], then=after["then"],
                                      risk=after.get("risk", "block"), required=after.get("required", False))


SETTERS: dict[str, Callable[[Any, Any, dict | None, dict | None], None]] = {
    "user_orgs": _set_user_org,
    "admin_roles": _set_admin_role,
    "admin_assignments": _set_admin_assignment,
    "delegations": _set_delegation,
    "perimeters": _set_perimeter,
    "history_exclusions": _set_history_exclusion,
}
