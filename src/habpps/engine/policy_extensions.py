"""Policy documents (ENG-10) for the extensions: contextual and temporal constraints (ENG-5), exclusions
(ENG-7), administrative RBAC (ENG-12) and data scoping (ENG-8).

Each extension has its own top-level section, written only when it holds something, so a policy without
extensions keeps exactly the core document. Loading replays each item through the engine's public functions
(every rule checked as for a live call), after the core sections; runtime records (pending changes, reported
violations, session activity) are not part of a policy.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from habpps.engine.model import PolicyState

if TYPE_CHECKING:
    from habpps.engine.rbac import RBAC

Apply = Callable[[str, Callable[[], Any]], None]


def _opt(value: Any) -> str:
    return "" if value is None else str(value)


def export_extensions(state: PolicyState) -> dict[str, Any]:
    """The extension sections of a policy document, deterministic, empty sections left out."""
    doc: dict[str, Any] = {
        "context_attributes": [a.as_dict() for _, a in sorted(state.context_attributes.items())],
        "context_constraints": [c.as_dict() for _, c in sorted(state.context_constraints.items())],
        "permission_constraints": [
            {"operation": op, "object": obj, "constraint": name}
            for (op, obj), names in sorted(state.permission_constraints.items())
            for name in sorted(names)
        ],
        "grant_constraints": [
            {"role": role, "operation": op, "object": obj, "constraint": name}
            for (role, (op, obj)), names in sorted(state.grant_constraints.items())
            for name in sorted(names)
        ],
        "user_attributes": [
            {"user": user, "attributes": dict(sorted(values.items()))}
            for user, values in sorted(state.user_attributes.items())
        ],
        "activation_constraints": [
            {"role": role, "constraint": name}
            for role, names in sorted(state.activation_constraints.items())
            for name in sorted(names)
        ],
        "temporal_constraints": _temporal(state),
        "exclusions": [r.as_dict() for _, r in sorted(state.exclusions.items())],
        "history_exclusions": [r.as_dict() for _, r in sorted(state.history_exclusions.items())],
        "admin_roles": [r.as_dict() for _, r in sorted(state.admin_roles.items())],
        "admin_assignments": [
            {"user": user, "admin_role": role, **({"org": org} if org else {})}
            for user, pairs in sorted(state.admin_assignments.items())
            for role, org in sorted(pairs, key=lambda p: (p[0], _opt(p[1])))
        ],
        "delegations": [d.as_dict() for _, d in sorted(state.delegations.items())],
        "perimeters": [p.as_dict() for _, p in sorted(state.perimeters.items())],
        "user_orgs": [{"user": user, "org": org} for user, org in sorted(state.user_orgs.items())],
        "populations": [
            {"role": role, "resource": resource, **rule.as_dict()}
            for (role, resource), rules in sorted(state.populations.items())
            for _, rule in sorted(rules.items())
        ],
        "field_rules": [
            {"role": role, "resource": resource, **rule.as_dict()}
            for (role, resource), fields in sorted(state.field_rules.items())
            for _, rules in sorted(fields.items())
            for rule in sorted(rules, key=lambda r: _opt(r.when))
        ],
        "action_limits": [
            {"role": role, "action": action, **limits.as_dict()}
            for (role, action), limits in sorted(state.action_limits.items())
        ],
    }
    return {key: value for key, value in doc.items() if value}


def _temporal(state: PolicyState) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = [
        {"on": "user", "user": user, "constraint": c.as_dict()} for user, c in sorted(state.user_temporal.items())
    ]
    items += [{"on": "role", "role": role, "constraint": c.as_dict()} for role, c in sorted(state.role_temporal.items())]
    for (kind, holder, role, org), constraint in sorted(state.assignment_temporal.items(),
                                                        key=lambda kv: tuple(map(_opt, kv[0]))):
        holder_key = "user" if kind == "user" else "group"
        items.append({"on": f"{kind}_assignment" if kind == "group" else "assignment", holder_key: holder,
                      "role": role, **({"org": org} if org else {}), "constraint": constraint.as_dict()})
    return items


def load_extensions(doc: dict[str, Any], rbac: RBAC, apply: Apply) -> None:
    """Replay the extension sections of ``doc`` on ``rbac`` (core sections already loaded)."""

    def each(key: str) -> list[tuple[str, dict[str, Any]]]:
        return [(f"/{key}/{i}", item) for i, item in enumerate(doc.get(key, []))]

    for path, item in each("context_attributes"):
        apply(path, lambda i=item: rbac.add_context_attribute(i["name"], function=i["function"], domain=i["domain"],
                                                              parameter=i.get("parameter")))
    for path, item in each("context_constraints"):
        apply(path, lambda i=item: rbac.add_context_constraint(i["name"], i["conditions"]))
    for path, item in each("permission_constraints"):
        apply(path, lambda i=item: rbac._link_permission_constraint(i["operation"], i["object"], i["constraint"],
                                                                    require_known=False))
    for path, item in each("grant_constraints"):
        apply(path, lambda i=item: rbac._link_grant_constraint(i["role"], i["operation"], i["object"],
                                                               i["constraint"], require_known=False))
    for path, item in each("user_attributes"):
        apply(path, lambda i=item: rbac.set_user_attributes(i["user"], i["attributes"]))
    for path, item in each("activation_constraints"):
        apply(path, lambda i=item: rbac.link_activation_constraint(i["role"], i["constraint"]))
    for path, item in each("temporal_constraints"):
        apply(path, lambda i=item: _load_temporal(rbac, i))
    for path, item in each("user_orgs"):
        apply(path, lambda i=item: rbac.set_user_org(i["user"], i["org"]))
    for path, item in each("admin_roles"):
        apply(path, lambda i=item: rbac.add_admin_role(
            i["name"], roles=i.get("roles", []),
            role_range=(i["role_range"]["low"], i["role_range"]["high"]) if "role_range" in i else None,
            orgs=i.get("orgs"), groups=i.get("groups"), abilities=i.get("abilities", [])))
    for path, item in each("admin_assignments"):
        apply(path, lambda i=item: rbac.assign_admin(i["user"], i["admin_role"], i.get("org")))
    for path, item in each("delegations"):
        apply(path, lambda i=item: rbac._restore_delegation(
            i["name"], i["grantor"], i["grantee"], i.get("roles", []), i.get("orgs"), i.get("groups"),
            i.get("abilities", [])))
    for path, item in each("perimeters"):
        apply(path, lambda i=item: rbac.set_perimeter(i["org"], i["roles"], i.get("max_users")))
    for path, item in each("exclusions"):
        apply(path, lambda i=item: rbac._create_exclusion(
            i["name"], i["members"], i["cardinality"], i.get("kind", "static"), i.get("risk", "block"),
            allow_fewer_members=True))
    for path, item in each("history_exclusions"):
        apply(path, lambda i=item: rbac.create_history_exclusion(i["name"], obj=i["object"], done=i["done"],
                                                                 then=i["then"], risk=i.get("risk", "block"),
                                                                 required=i.get("required", False)))
    for path, item in each("populations"):
        apply(path, lambda i=item: rbac.add_population_rule(
            i["role"], i["resource"], i["name"], i["kind"], field=i.get("field"), values=i.get("values"),
            attribute=i.get("attribute"), default=i.get("default", False)))
    for path, item in each("field_rules"):
        apply(path, lambda i=item: rbac.set_field_access(i["role"], i["resource"], i["field"], i["access"],
                                                         when=i.get("when")))
    for path, item in each("action_limits"):
        apply(path, lambda i=item: rbac.set_action_limits(
            i["role"], i["action"], **{k: v for k, v in i.items() if k not in ("role", "action")}))


def _load_temporal(rbac: RBAC, item: dict[str, Any]) -> None:
    on, constraint = item["on"], item["constraint"]
    if on == "user":
        rbac.set_user_temporal(item["user"], constraint)
    elif on == "role":
        rbac.set_role_temporal(item["role"], constraint)
    elif on == "assignment":
        rbac.set_assignment_temporal(item["user"], item["role"], item.get("org"), constraint)
    else:
        rbac.set_group_assignment_temporal(item["group"], item["role"], item.get("org"), constraint)
