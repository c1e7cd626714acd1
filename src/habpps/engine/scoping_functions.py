"""Administration of data scoping (ENG-8): the `RBAC` methods that define population rules, information rules
and action limits per role. Decisions are asked of a compiled snapshot (`Snapshot.population_filter`,
`Snapshot.field_access`, `Snapshot.action_limits`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from habpps.engine.base import EngineCore, require_name
from habpps.engine.errors import AlreadyExists, InvalidArgument, NotFound
from habpps.engine.scoping import ActionLimits, FieldRule, PopulationRule, validate_access


class DataScopingFunctions(EngineCore):
    # -- population rules ---------------------------------------------------------------------------------------
    def add_population_rule(
        self, role: str, resource: str, name: str, kind: str, field: str | None = None,
        values: Iterable[str] | None = None, attribute: str | None = None, default: bool = False,
    ) -> None:
        """Give ``role`` the population ``name`` of ``resource``: ``all``, ``org_unit`` / ``org_subtree`` (the
        role instance's org unit, alone or with the units below, matched on ``field``), ``own_file`` (``field``
        equals the subject attribute ``attribute``), ``explicit`` (``field`` in ``values``). One rule per role
        and resource may be the ``default``."""
        self._role(role)
        require_name(resource, "resource")
        require_name(name, "name")
        rules = self._state.populations.get((role, resource), {})
        if name in rules:
            raise AlreadyExists(f"La population « {name} » existe déjà pour « {role} » sur « {resource} ».",
                                code="population_exists")
        rule = PopulationRule.build(name, kind, field, values, attribute, default)
        if default and any(r.default for r in rules.values()):
            raise InvalidArgument(f"« {role} » a déjà une population par défaut sur « {resource} ».",
                                  code="default_population_exists")
        self._state.populations.setdefault((role, resource), {})[name] = rule
        self._changed()

    def delete_population_rule(self, role: str, resource: str, name: str) -> None:
        self._role(role)
        rules = self._state.populations.get((role, resource), {})
        if name not in rules:
            raise NotFound(f"Population inconnue : « {name} » de « {role} » sur « {resource} ».",
                           code="population_not_found")
        del rules[name]
        if not rules:
            del self._state.populations[(role, resource)]
        self._changed()

    def population_rules(self, role: str, resource: str) -> dict[str, PopulationRule]:
        return dict(self._state.populations.get((self._role(role), resource), {}))

    # -- information rules ----------------------------------------------------------------------------------------
    def set_field_access(self, role: str, resource: str, field: str, access: str, when: str | None = None) -> None:
        """``role`` has ``access`` (forbidden / read / write) to ``field`` of ``resource`` — always (``when``
        None) or when the context constraint ``when`` holds (a dynamic rule, taking precedence when it holds)."""
        self._role(role)
        require_name(resource, "resource")
        require_name(field, "field")
        validate_access(access)
        if when is not None:
            require_name(when, "constraint")
            if when not in self._state.context_constraints:
                raise NotFound(f"Contrainte contextuelle inconnue : « {when} ».", code="context_constraint_not_found")
        fields = self._state.field_rules.setdefault((role, resource), {})
        kept = tuple(rule for rule in fields.get(field, ()) if rule.when != when)
        fields[field] = (*kept, FieldRule(field, access, when))
        self._changed()

    def clear_field_access(self, role: str, resource: str, field: str, when: str | None = None) -> None:
        self._role(role)
        fields = self._state.field_rules.get((role, resource), {})
        rules = fields.get(field, ())
        kept = tuple(rule for rule in rules if rule.when != when)
        if len(kept) == len(rules):
            raise NotFound(f"Aucune règle sur « {field} » pour « {role} ».", code="field_rule_not_found")
        if kept:
            fields[field] = kept
        else:
            del fields[field]
        self._changed()

    def field_rules(self, role: str, resource: str) -> dict[str, tuple[FieldRule, ...]]:
        return dict(self._state.field_rules.get((self._role(role), resource), {}))

    # -- action limits -----------------------------------------------------------------------------------------
    def set_action_limits(self, role: str, action: str, **limits: Any) -> None:
        """Limits of ``action`` for ``role``: ``max_records``, ``confirm_above``, ``max_per_day``,
        ``max_seconds`` (None or absent: unlimited). No limits at all lifts them."""
        self._role(role)
        require_name(action, "action")
        built = ActionLimits.build(**limits)
        if built == ActionLimits():
            self._state.action_limits.pop((role, action), None)
        else:
            self._state.action_limits[(role, action)] = built
        self._changed()

    def action_limits_of(self, role: str, action: str) -> ActionLimits | None:
        return self._state.action_limits.get((self._role(role), action))

    # -- rules follow their role -------------------------------------------------------------------------------
    def delete_role(self, role: str) -> None:
        super().delete_role(role)
        state = self._state
        for table in (state.populations, state.field_rules, state.action_limits):
            for key in [key for key in table if key[0] == role]:
                del table[key]

    def delete_context_constraint(self, name: str) -> None:
        super().delete_context_constraint(name)
        for fields in self._state.field_rules.values():
            for field in list(fields):
                fields[field] = tuple(rule for rule in fields[field] if rule.when != name)
                if not fields[field]:
                    del fields[field]
