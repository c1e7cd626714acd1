"""Administration of contextual and temporal constraints (ENG-5): the `RBAC` methods over `context` and
`temporal`.

Context attributes and constraints are defined once and linked n:n to permissions (thesis 4.5.9: PCL ⊆
PRMS × CC); temporal constraints attach to a user, a role, or one assignment (direct or through a group), as in
Apache Fortress. Each definition is validated completely before anything changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from habpps.engine.base import EngineCore, require_name
from habpps.engine.context import ContextAttribute, ContextConstraint, build_condition
from habpps.engine.errors import AlreadyExists, ConstraintViolation, InvalidArgument, NotFound
from habpps.engine.model import AssignmentKey, Permission
from habpps.engine.temporal import TemporalConstraint


class ContextualFunctions(EngineCore):
    # -- context attributes ---------------------------------------------------------------------------------------
    def add_context_attribute(
        self, name: str, function: str, domain: str | None = None, parameter: str | None = None
    ) -> None:
        """Declare a context attribute read by ``function`` (with ``parameter``) in ``domain``.

        Functions: current_datetime, current_date, current_time, weekday, client_ip (their domain is fixed), and
        subject_attribute, object_attribute, context_value (they take the attribute name as parameter and the
        domain must be given).
        """
        require_name(name, "name")
        if name in self._state.context_attributes:
            raise AlreadyExists(f"L'attribut de contexte « {name} » existe déjà.", code="context_attribute_exists",
                                name=name)
        self._state.context_attributes[name] = ContextAttribute.build(name, domain, function, parameter)
        self._changed()

    def delete_context_attribute(self, name: str) -> None:
        """Delete an attribute that no constraint uses."""
        self._context_attribute(name)
        users = sorted(
            constraint.name
            for constraint in self._state.context_constraints.values()
            if any(op.attribute and op.attribute.name == name for c in constraint.conditions for op in c.operands)
        )
        if users:
            raise ConstraintViolation(
                f"L'attribut « {name} » est utilisé par les contraintes : {', '.join(users)}.",
                code="context_attribute_in_use", name=name,
            )
        del self._state.context_attributes[name]
        self._changed()

    def context_attributes(self) -> dict[str, ContextAttribute]:
        return dict(self._state.context_attributes)

    # -- context constraints --------------------------------------------------------------------------------------
    def add_context_constraint(self, name: str, conditions: Iterable[Any]) -> None:
        """Define a constraint: every condition must hold. A condition is ``(operator, operands)`` or
        ``{"operator": …, "operands": […]}``; an operand is ``attr("name")`` / ``{"attribute": name}`` or a
        constant. Operands are type-checked now: a bad condition is refused here, never at check time."""
        require_name(name, "name")
        if name in self._state.context_constraints:
            raise AlreadyExists(f"La contrainte contextuelle « {name} » existe déjà.",
                                code="context_constraint_exists", name=name)
        if isinstance(conditions, (str, bytes)) or not isinstance(conditions, Iterable):
            raise InvalidArgument("Les conditions forment une liste.", code="wrong_type", parameter="conditions")
        built = []
        for item in conditions:
            if isinstance(item, Mapping):
                operator, operands = item.get("operator"), item.get("operands")
            elif isinstance(item, (tuple, list)) and len(item) == 2:
                operator, operands = item
            else:
                raise InvalidArgument("Une condition s'écrit (opérateur, [opérandes]).", code="invalid_condition")
            built.append(build_condition(self._state.context_attributes, operator, operands))
        if not built:
            raise InvalidArgument(f"La contrainte « {name} » n'a aucune condition.", code="invalid_condition")
        self._state.context_constraints[name] = ContextConstraint(name, tuple(built))
        self._changed()

    def delete_context_constraint(self, name: str) -> None:
        """Delete a constraint and its links to permissions."""
        self._context_constraint(name)
        del self._state.context_constraints[name]
        for names in self._state.permission_constraints.values():
            names.discard(name)
        for names in self._state.activation_constraints.values():
            names.discard(name)
        for names in self._state.grant_constraints.values():
            names.discard(name)
        self._changed()

    def context_constraints(self) -> dict[str, ContextConstraint]:
        return dict(self._state.context_constraints)

    def link_permission_constraint(self, operation: str, obj: str, constraint: str) -> None:
        """Make (operation, obj) a conditional permission: it grants only if ``constraint`` holds too."""
        self._link_permission_constraint(operation, obj, constraint)

    def _link_permission_constraint(self, operation: str, obj: str, constraint: str, *,
                                    require_known: bool = True) -> None:
        """``require_known=False`` when loading a document: a link survives the revocation of the permission's
        last grant, and documents only list permissions some role holds."""
        if require_known:
            permission = self._known_permission(operation, obj)
        else:
            permission = (require_name(operation, "operation"), require_name(obj, "obj"))
        self._context_constraint(constraint)
        linked = self._state.permission_constraints.setdefault(permission, set())
        if constraint in linked:
            raise AlreadyExists(
                f"La contrainte « {constraint} » est déjà liée à « {operation} » sur « {obj} ».",
                code="constraint_link_exists", constraint=constraint,
            )
        linked.add(constraint)
        self._changed()

    def unlink_permission_constraint(self, operation: str, obj: str, constraint: str) -> None:
        permission = (require_name(operation, "operation"), require_name(obj, "obj"))
        linked = self._state.permission_constraints.get(permission, set())
        if constraint not in linked:
            raise NotFound(
                f"La contrainte « {constraint} » n'est pas liée à « {operation} » sur « {obj} ».",
                code="constraint_link_not_found", constraint=constraint,
            )
        linked.discard(constraint)
        if not linked:
            del self._state.permission_constraints[permission]
        self._changed()

    def link_grant_constraint(self, role: str, operation: str, obj: str, constraint: str) -> None:
        """Make ``role``'s grant of (operation, obj) conditional: through this role the permission holds only
        when ``constraint`` holds, while other roles holding it unconditionally still confer it (the Todo
        scenario's editor updates the todos he owns, its « evil genius » any todo)."""
        self._link_grant_constraint(role, operation, obj, constraint)

    def _link_grant_constraint(self, role: str, operation: str, obj: str, constraint: str, *,
                               require_known: bool = True) -> None:
        self._role(role)
        permission = (require_name(operation, "operation"), require_name(obj, "obj"))
        if require_known and permission not in self._state.role_permissions.get(role, ()):
            raise NotFound(f"Le rôle « {role} » ne détient pas « {operation} » sur « {obj} ».",
                           code="permission_not_granted", role=role, operation=operation, obj=obj)
        self._context_constraint(constraint)
        linked = self._state.grant_constraints.setdefault((role, permission), set())
        if constraint in linked:
            raise AlreadyExists(
                f"La contrainte « {constraint} » conditionne déjà « {operation} » sur « {obj} » pour « {role} ».",
                code="constraint_link_exists", constraint=constraint,
            )
        linked.add(constraint)
        self._changed()

    def unlink_grant_constraint(self, role: str, operation: str, obj: str, constraint: str) -> None:
        key = (self._role(role), (require_name(operation, "operation"), require_name(obj, "obj")))
        linked = self._state.grant_constraints.get(key, set())
        if constraint not in linked:
            raise NotFound(
                f"La contrainte « {constraint} » ne conditionne pas « {operation} » sur « {obj} » pour « {role} ».",
                code="constraint_link_not_found", constraint=constraint,
            )
        linked.discard(constraint)
        if not linked:
            del self._state.grant_constraints[key]
        self._changed()

    def grant_constraints(self, role: str, operation: str, obj: str) -> set[str]:
        """Names of the context constraints of ``role``'s grant of (operation, obj)."""
        return set(self._state.grant_constraints.get((role, (operation, obj)), ()))

    # -- stored subject attributes (a policy's own information point) --------------------------------------------
    def set_user_attributes(self, user: str, attributes: Mapping[str, Any] | None) -> None:
        """Store ``user``'s attributes (e-mail, grade…): conditions read them as subject attributes, over those
        a request carries. ``None`` or an empty mapping forgets them."""
        self._user(user)
        if attributes is not None and not (
            isinstance(attributes, Mapping) and all(isinstance(k, str) and k.strip() for k in attributes)
        ):
            raise InvalidArgument("Les attributs d'un utilisateur forment un dictionnaire nommé.",
                                  code="wrong_type", parameter="attributes")
        if attributes:
            self._state.user_attributes[user] = dict(attributes)
        elif self._state.user_attributes.pop(user, None) is None:
            return
        self._changed()

    def user_attributes(self, user: str) -> dict[str, Any]:
        return dict(self._state.user_attributes.get(self._user(user), {}))

    def link_activation_constraint(self, role: str, constraint: str) -> None:
        """``role`` may be activated only when ``constraint`` holds in the request context of the activation
        (thesis 4.5.9: contextual constraints also apply to activation) — e.g. only from the fund's network."""
        self._role(role)
        self._context_constraint(constraint)
        linked = self._state.activation_constraints.setdefault(role, set())
        if constraint in linked:
            raise AlreadyExists(f"La contrainte « {constraint} » conditionne déjà l'activation de « {role} ».",
                                code="constraint_link_exists", constraint=constraint)
        linked.add(constraint)
        self._changed()

    def unlink_activation_constraint(self, role: str, constraint: str) -> None:
        self._role(role)
        linked = self._state.activation_constraints.get(role, set())
        if constraint not in linked:
            raise NotFound(f"La contrainte « {constraint} » ne conditionne pas l'activation de « {role} ».",
                           code="constraint_link_not_found", constraint=constraint)
        linked.discard(constraint)
        if not linked:
            del self._state.activation_constraints[role]
        self._changed()

    def activation_constraints(self, role: str) -> set[str]:
        return set(self._state.activation_constraints.get(self._role(role), ()))

    def permission_constraints(self, operation: str, obj: str) -> set[str]:
        """Names of the context constraints linked to (operation, obj)."""
        return set(self._state.permission_constraints.get((operation, obj), ()))

    # -- temporal constraints (Fortress: users, roles, user-role assignments) ----------------------------------
    def set_user_temporal(self, user: str, temporal: Any = None, **fields: Any) -> None:
        """Constrain when ``user`` may use anything; ``temporal=None`` without fields lifts the constraint."""
        self._user(user)
        self._set_temporal(self._state.user_temporal, user, temporal, fields)

    def set_role_temporal(self, role: str, temporal: Any = None, **fields: Any) -> None:
        """Constrain when ``role`` may be activated and used (e.g. a daily window, weekdays)."""
        self._role(role)
        self._set_temporal(self._state.role_temporal, role, temporal, fields)

    def set_assignment_temporal(
        self, user: str, role: str, org: str | None = None, temporal: Any = None, **fields: Any
    ) -> None:
        """Constrain one direct assignment of ``role`` (in ``org``) to ``user`` (e.g. validity dates)."""
        self._user(user)
        self._role(role)
        org = self._org(org)
        if (role, org) not in self._state.user_assignments.get(user, ()):
            raise NotFound(f"Le rôle « {role} » n'est pas affecté à « {user} »" + (f" dans « {org} »." if org else "."),
                           code="assignment_not_found", user=user, role=role, org=org)
        self._set_temporal(self._state.assignment_temporal, ("user", user, role, org), temporal, fields)

    def set_group_assignment_temporal(
        self, group: str, role: str, org: str | None = None, temporal: Any = None, **fields: Any
    ) -> None:
        """Constrain one assignment of ``role`` (in ``org``) to ``group``: it holds for every member."""
        self._group(group)
        self._role(role)
        org = self._org(org)
        if (role, org) not in self._state.group_assignments.get(group, ()):
            raise NotFound(f"Le rôle « {role} » n'est pas affecté au groupe « {group} ».",
                           code="group_assignment_not_found", group=group, role=role, org=org)
        self._set_temporal(self._state.assignment_temporal, ("group", group, role, org), temporal, fields)

    def temporal_constraints(self) -> dict[str, dict[Any, TemporalConstraint]]:
        """Every temporal constraint: ``{"users": {…}, "roles": {…}, "assignments": {key: …}}``."""
        state = self._state
        return {"users": dict(state.user_temporal), "roles": dict(state.role_temporal),
                "assignments": dict(state.assignment_temporal)}

    # -- cleanup when what a constraint names disappears -------------------------------------------------------
    def delete_user(self, user: str) -> None:
        super().delete_user(user)
        self._state.user_temporal.pop(user, None)
        self._state.user_attributes.pop(user, None)
        self._forget_assignments(lambda key: key[0] == "user" and key[1] == user)

    def delete_role(self, role: str) -> None:
        super().delete_role(role)
        self._state.role_temporal.pop(role, None)
        self._state.activation_constraints.pop(role, None)
        for key in [key for key in self._state.grant_constraints if key[0] == role]:
            del self._state.grant_constraints[key]
        self._forget_assignments(lambda key: key[2] == role)

    def delete_group(self, group: str) -> None:
        super().delete_group(group)
        self._forget_assignments(lambda key: key[0] == "group" and key[1] == group)

    def delete_org(self, org: str) -> None:
        super().delete_org(org)
        self._forget_assignments(lambda key: key[3] == org)

    def deassign_user(self, user: str, role: str, org: str | None = None) -> None:
        super().deassign_user(user, role, org)
        self._state.assignment_temporal.pop(("user", user, role, org), None)

    def deassign_group(self, group: str, role: str, org: str | None = None) -> None:
        super().deassign_group(group, role, org)
        self._state.assignment_temporal.pop(("group", group, role, org), None)

    # -- helpers --------------------------------------------------------------------------------------------------
    def _forget_assignments(self, matches: Any) -> None:
        table = self._state.assignment_temporal
        for key in [key for key in table if matches(key)]:
            del table[key]

    def _set_temporal(self, table: dict[Any, TemporalConstraint], key: str | AssignmentKey, temporal: Any,
                      fields: dict[str, Any]) -> None:
        if temporal is None and not fields:
            if table.pop(key, None) is not None:
                self._changed()
            return
        table[key] = TemporalConstraint.build(temporal, **fields)
        self._changed()

    def _context_attribute(self, name: Any) -> ContextAttribute:
        require_name(name, "name")
        attribute = self._state.context_attributes.get(name)
        if attribute is None:
            raise NotFound(f"Attribut de contexte inconnu : « {name} ».", code="context_attribute_not_found",
                           name=name)
        return attribute

    def _context_constraint(self, name: Any) -> ContextConstraint:
        require_name(name, "constraint")
        constraint = self._state.context_constraints.get(name)
        if constraint is None:
            raise NotFound(f"Contrainte contextuelle inconnue : « {name} ».", code="context_constraint_not_found",
                           name=name)
        return constraint

    def _known_permission(self, operation: Any, obj: Any) -> Permission:
        require_name(operation, "operation")
        require_name(obj, "obj")
        if (operation, obj) not in self._state.permissions:
            raise NotFound(f"Permission inconnue : « {operation} » sur « {obj} ».", code="permission_not_found",
                           operation=operation, obj=obj)
        return (operation, obj)
