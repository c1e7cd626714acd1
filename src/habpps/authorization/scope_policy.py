"""Contextual constraints and data scoping (ENG-5, ENG-8) from the database into the engine: full build and
change-log reconciliation.

The stored rules (``habpps.authorization.models``) are small tables edited by the national administrator. The
full build replays them after the core policy (`build_extensions`); an administrative change that touched them
(the change-capture triggers record the kind ``extension``) or touched a profile reconciles them whole
(`extension_calls`): the wanted state is read from the database and put in the engine's canonical form, compared
with the engine's, and each difference becomes one *replacement* call (``policy_calls``) carrying the new and
the previous value — so that the change log replays it and a refused change is undone exactly. A profile out of
force has no rules in the engine (they come back with it).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from habpps.authorization import policy_calls
from habpps.authorization.access_windows import Window
from habpps.authorization.models import (
    AccountAttributes,
    AccountWindow,
    ActionLimit,
    ActivationConstraint,
    ContextAttribute,
    ContextConstraint,
    FieldRule,
    GrantConstraint,
    PermissionConstraint,
    PopulationRule,
    RoleWindow,
)
from habpps.engine import RBAC
from habpps.engine.scoping import ActionLimits
from habpps.engine.scoping import PopulationRule as EnginePopulationRule

Call = list[Any]


# -- the wanted state, in the engine's document form --------------------------------------------------------------
def attribute_doc(row: ContextAttribute) -> dict[str, Any]:
    doc = {"name": row.name, "function": row.function, "domain": row.domain or None}
    if row.parameter:
        doc["parameter"] = row.parameter
    return doc


def population_doc(row: PopulationRule) -> dict[str, Any]:
    return EnginePopulationRule.build(
        row.name, row.kind, row.field or None, row.values if row.kind == "explicit" else None,
        row.attribute or None, row.is_default,
    ).as_dict()


def field_rule_doc(row: FieldRule) -> dict[str, Any]:
    doc = {"field": row.field, "access": row.access}
    if row.when_id:
        doc["when"] = row.when.name
    return doc


def limits_doc(row: ActionLimit) -> dict[str, int]:
    return ActionLimits.build(**row.limits()).as_dict()


def _sorted(items: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(items, key=lambda d: sorted((k, str(v)) for k, v in d.items()))


def wanted_state(role_codes: set[str], accounts: Any = None) -> dict[str, dict]:
    """What the database says, for the profiles in force ``role_codes`` and the accounts in force ``accounts``
    (a queryset), canonicalised by the engine itself."""
    scratch = RBAC()
    for row in ContextAttribute.objects.order_by("name"):
        doc = attribute_doc(row)
        scratch.add_context_attribute(doc["name"], function=doc["function"], domain=doc["domain"],
                                      parameter=doc.get("parameter"))
    for row in ContextConstraint.objects.order_by("name"):
        scratch.add_context_constraint(row.name, row.conditions)
    attributes = {name: a.as_dict() for name, a in scratch.context_attributes().items()}
    constraints = {name: c.as_dict()["conditions"] for name, c in scratch.context_constraints().items()}
    links: dict[tuple[str, str], list[str]] = {}
    for operation, obj, name in PermissionConstraint.objects.values_list("operation", "obj", "constraint__name"):
        links.setdefault((operation, obj), []).append(name)
    populations: dict[tuple[str, str], list] = {}
    for row in PopulationRule.objects.select_related("role").filter(role__code__in=role_codes):
        populations.setdefault((row.role.code, row.resource), []).append(population_doc(row))
    fields: dict[tuple[str, str], list] = {}
    for row in FieldRule.objects.select_related("role", "when").filter(role__code__in=role_codes):
        fields.setdefault((row.role.code, row.resource), []).append(field_rule_doc(row))
    limits: dict[tuple[str, str], dict] = {}
    for row in ActionLimit.objects.select_related("role").filter(role__code__in=role_codes):
        doc = limits_doc(row)
        if doc:
            limits[(row.role.code, row.action)] = doc
    user_windows = {}
    if accounts is not None:
        for row in AccountWindow.objects.filter(account__in=accounts).select_related("account"):
            constraint = Window.of(row).constraint()
            if constraint:
                user_windows[row.account.login] = constraint
    role_windows = {}
    for row in RoleWindow.objects.filter(role__code__in=role_codes).select_related("role"):
        constraint = Window.of(row).constraint()
        if constraint:
            role_windows[row.role.code] = constraint
    grant_links: dict[tuple[str, str, str], list[str]] = {}
    for role, operation, obj, name in GrantConstraint.objects.filter(role__code__in=role_codes).values_list(
            "role__code", "operation", "obj", "constraint__name"):
        grant_links.setdefault((role, operation, obj), []).append(name)
    activation_links: dict[str, list[str]] = {}
    for role, name in ActivationConstraint.objects.filter(role__code__in=role_codes).values_list(
            "role__code", "constraint__name"):
        activation_links.setdefault(role, []).append(name)
    user_attributes = {}
    if accounts is not None:
        for login, values in AccountAttributes.objects.filter(account__in=accounts).values_list(
                "account__login", "attributes"):
            if values:
                user_attributes[login] = dict(values)
    return {
        "user_windows": user_windows,
        "role_windows": role_windows,
        "grant_links": {key: sorted(names) for key, names in grant_links.items()},
        "activation_links": {key: sorted(names) for key, names in activation_links.items()},
        "user_attributes": user_attributes,
        "attributes": attributes,
        "constraints": constraints,
        "links": {key: sorted(names) for key, names in links.items()},
        "populations": {key: _sorted(items) for key, items in populations.items()},
        "fields": {key: _sorted(items) for key, items in fields.items()},
        "limits": limits,
    }


def engine_state(rbac: RBAC) -> dict[str, dict]:
    """The same picture read from an engine."""
    state = rbac._state
    fields: dict[tuple[str, str], list] = {}
    for key, by_field in state.field_rules.items():
        items = [rule.as_dict() for rules in by_field.values() for rule in rules]
        if items:
            fields[key] = _sorted(items)
    return {
        "user_windows": {user: c.as_dict() for user, c in state.user_temporal.items()},
        "role_windows": {role: c.as_dict() for role, c in state.role_temporal.items()},
        "grant_links": {(role, operation, obj): sorted(names)
                        for (role, (operation, obj)), names in state.grant_constraints.items() if names},
        "activation_links": {role: sorted(names) for role, names in state.activation_constraints.items() if names},
        "user_attributes": {user: dict(values) for user, values in state.user_attributes.items() if values},
        "attributes": {name: a.as_dict() for name, a in state.context_attributes.items()},
        "constraints": {name: c.as_dict()["conditions"] for name, c in state.context_constraints.items()},
        "links": {key: sorted(names) for key, names in state.permission_constraints.items() if names},
        "populations": {
            key: _sorted(rule.as_dict() for rule in rules.values()) for key, rules in state.populations.items() if rules
        },
        "fields": fields,
        "limits": {key: limits.as_dict() for key, limits in state.action_limits.items()},
    }


# -- replacement calls ------------------------------------------------------------------------------------------
def _set_attribute(rbac: RBAC, key: list[Any], value: Any) -> None:
    (name,) = key
    if name in rbac._state.context_attributes:
        rbac.delete_context_attribute(name)
    if value is not None:
        rbac.add_context_attribute(name, function=value["function"], domain=value.get("domain"),
                                   parameter=value.get("parameter"))


def _set_constraint(rbac: RBAC, key: list[Any], value: Any) -> None:
    """Replace a constraint's conditions, keeping what refers to it (permission links, field rules)."""
    (name,) = key
    state = rbac._state
    links = [perm for perm, names in state.permission_constraints.items() if name in names]
    grants = [key for key, names in state.grant_constraints.items() if name in names]
    activations = [role for role, names in state.activation_constraints.items() if name in names]
    rules = [(role_resource, rule) for role_resource, by_field in state.field_rules.items()
             for rules in by_field.values() for rule in rules if rule.when == name]
    if name in state.context_constraints:
        rbac.delete_context_constraint(name)
    if value is None:
        return
    rbac.add_context_constraint(name, value)
    for operation, obj in links:
        rbac._link_permission_constraint(operation, obj, name, require_known=False)
    for (role, resource), rule in rules:
        rbac.set_field_access(role, resource, rule.field, rule.access, when=name)
    for role, (operation, obj) in grants:
        rbac._link_grant_constraint(role, operation, obj, name, require_known=False)
    for role in activations:
        rbac.link_activation_constraint(role, name)


def _set_links(rbac: RBAC, key: list[Any], value: Any) -> None:
    operation, obj = key
    held = set(rbac._state.permission_constraints.get((operation, obj), ()))
    for name in sorted(held - set(value or ())):
        rbac.unlink_permission_constraint(operation, obj, name)
    for name in sorted(set(value or ()) - held):
        rbac._link_permission_constraint(operation, obj, name, require_known=False)


def _set_grant_links(rbac: RBAC, key: list[Any], value: Any) -> None:
    """The constraints of one profile's grant of one permission (AuthZEN ``grant_constraints``)."""
    role, operation, obj = key
    held = set(rbac._state.grant_constraints.get((role, (operation, obj)), ()))
    for name in sorted(held - set(value or ())):
        rbac.unlink_grant_constraint(role, operation, obj, name)
    for name in sorted(set(value or ()) - held):
        rbac._link_grant_constraint(role, operation, obj, name, require_known=False)


def _set_activation_links(rbac: RBAC, key: list[Any], value: Any) -> None:
    """The constraints that must hold to activate one profile in a session (``activation_constraints``)."""
    (role,) = key
    held = set(rbac._state.activation_constraints.get(role, ()))
    for name in sorted(held - set(value or ())):
        rbac.unlink_activation_constraint(role, name)
    for name in sorted(set(value or ()) - held):
        rbac.link_activation_constraint(role, name)


def _set_user_attributes(rbac: RBAC, key: list[Any], value: Any) -> None:
    rbac.set_user_attributes(key[0], value or None)


def _set_populations(rbac: RBAC, key: list[Any], value: Any) -> None:
    role, resource = key
    for name in list(rbac._state.populations.get((role, resource), {})):
        rbac.delete_population_rule(role, resource, name)
    for rule in value or ():
        rbac.add_population_rule(role, resource, rule["name"], rule["kind"], field=rule.get("field"),
                                 values=rule.get("values"), attribute=rule.get("attribute"),
                                 default=rule.get("default", False))


def _set_fields(rbac: RBAC, key: list[Any], value: Any) -> None:
    role, resource = key
    for field, rules in list(rbac._state.field_rules.get((role, resource), {}).items()):
        for rule in rules:
            rbac.clear_field_access(role, resource, field, rule.when)
    for rule in value or ():
        rbac.set_field_access(role, resource, rule["field"], rule["access"], when=rule.get("when"))


def _set_limits(rbac: RBAC, key: list[Any], value: Any) -> None:
    role, action = key
    rbac.set_action_limits(role, action, **(value or {}))


def _set_user_window(rbac: RBAC, key: list[Any], value: Any) -> None:
    rbac.set_user_temporal(key[0], value)


def _set_role_window(rbac: RBAC, key: list[Any], value: Any) -> None:
    rbac.set_role_temporal(key[0], value)


for _method, _replace in (
    ("set_user_temporal", _set_user_window),
    ("set_role_temporal", _set_role_window),
    ("set_context_attribute", _set_attribute),
    ("set_context_constraint", _set_constraint),
    ("set_permission_constraints", _set_links),
    ("set_grant_constraints", _set_grant_links),
    ("set_activation_constraints", _set_activation_links),
    ("set_user_attributes", _set_user_attributes),
    ("set_population_rules", _set_populations),
    ("set_field_rules", _set_fields),
    ("set_action_limits", _set_limits),
):
    policy_calls.register(_method, _replace)


# -- full build and reconciliation ---------------------------------------------------------------------------------
def build_extensions(rbac: RBAC, accounts: Any) -> None:
    """Replay the stored contextual constraints, scoping rules and account or profile windows on ``rbac`` (its
    profiles and the ``accounts`` in force already in place)."""
    removals, additions = extension_calls(rbac, set(rbac._state.roles), accounts)
    for call in removals + additions:
        policy_calls.apply_replacement(rbac, call)


def extension_calls(rbac: RBAC, role_codes: set[str], accounts: Any) -> tuple[list[Call], list[Call]]:
    """The replacement calls that bring ``rbac``'s extension state to the database's: (removals, additions).

    Removals first release what others refer to (links and field rules before their constraint, constraints
    before their attributes); additions go the other way. ``role_codes`` are the profiles in force once the
    change is made: the rules of a profile leaving force are removed before it goes, those of a profile
    entering force are added after it comes."""
    wanted = wanted_state(role_codes, accounts)
    held = engine_state(rbac)
    removals: list[Call] = []
    additions: list[Call] = []

    def keys(kind: str) -> list:
        return sorted(set(wanted[kind]) | set(held[kind]), key=lambda k: tuple(map(str, k)) if isinstance(k, tuple)
                      else (str(k),))

    def call(method: str, key: Any, new: Any, old: Any) -> Call:
        return [method, *(key if isinstance(key, tuple) else (key,)), new, old]

    # Links and field rules refer to constraints: first shrunk to what stays (before constraints go), then set
    # to what is wanted (after constraints come) — so that undoing, in reverse, never refers to a missing one.
    for kind, method in (("links", "set_permission_constraints"), ("fields", "set_field_rules"),
                         ("grant_links", "set_grant_constraints"), ("activation_links", "set_activation_constraints")):
        for key in keys(kind):
            new, old = wanted[kind].get(key), held[kind].get(key)
            if new == old:
                continue
            kept = [item for item in old or () if item in (new or ())] or None
            if kept != old:
                removals.append(call(method, key, kept, old))
            if new != kept:
                additions.append(call(method, key, new, kept))
    constraint_additions = []
    for key in keys("constraints"):
        new, old = wanted["constraints"].get(key), held["constraints"].get(key)
        if new is None and old is not None:
            removals.append(call("set_context_constraint", key, None, old))
        elif new != old:
            constraint_additions.append(call("set_context_constraint", key, new, old))
    for key in keys("attributes"):
        new, old = wanted["attributes"].get(key), held["attributes"].get(key)
        if new != old:
            (removals if new is None else additions).append(call("set_context_attribute", key, new, old))
    referring = ("set_permission_constraints", "set_field_rules", "set_grant_constraints",
                 "set_activation_constraints")
    links_and_fields = [c for c in additions if c[0] in referring]
    others = [c for c in additions if c[0] not in referring]
    additions = others + constraint_additions + links_and_fields
    for kind, method in (("populations", "set_population_rules"), ("limits", "set_action_limits"),
                         ("user_windows", "set_user_temporal"), ("role_windows", "set_role_temporal"),
                         ("user_attributes", "set_user_attributes")):
        for key in keys(kind):
            new, old = wanted[kind].get(key), held[kind].get(key)
            if new != old:
                (removals if new is None else additions).append(call(method, key, new, old))
    return removals, additions
