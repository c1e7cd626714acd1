"""`RBAC`: the engine's public facade — one object, the standard's functions as methods.

The facade only composes the managers (Fortress's split of ANSI INCITS 359): administrative functions
(`admin`), SSD/DSD set administration (`separation`), org units, groups and cardinalities (`organisation`),
system functions (`system`), review functions (`review`); the extensions: contextual and temporal constraints
(`contextual`, ENG-5), risk-graded exclusions (`exclusion_functions`, ENG-7), delegated administration
(`delegation`, ENG-12), data scoping (`scoping_functions`, ENG-8); plus compilation (`compiled`) and policy
documents (`policy_io`). It holds no logic of its own.
"""

from __future__ import annotations

from typing import Any

from habpps.engine.admin import AdministrativeFunctions
from habpps.engine.compiled import Snapshot, compile_state
from habpps.engine.contextual import ContextualFunctions
from habpps.engine.delegation import DelegatedAdministration
from habpps.engine.exclusion_functions import ExclusionFunctions
from habpps.engine.organisation import OrganisationFunctions
from habpps.engine.policy_io import build_from_document, export_state
from habpps.engine.review import ReviewFunctions
from habpps.engine.scoping_functions import DataScopingFunctions
from habpps.engine.separation import SeparationOfDutyFunctions
from habpps.engine.system import SystemFunctions


class _ClassOrInstanceMethod:
    """`RBAC.load(doc)` builds a new engine; `rbac.load(doc)` replaces an engine's policy in place."""

    def __init__(self, func: Any) -> None:
        self.func = func
        self.__doc__ = func.__doc__

    def __get__(self, instance: Any, owner: type) -> Any:
        def bound(*args: Any, **kwargs: Any) -> Any:
            return self.func(owner, instance, *args, **kwargs)

        bound.__doc__ = self.__doc__
        return bound


class RBAC(
    DelegatedAdministration,
    ExclusionFunctions,
    DataScopingFunctions,
    ContextualFunctions,
    AdministrativeFunctions,
    SeparationOfDutyFunctions,
    OrganisationFunctions,
    SystemFunctions,
    ReviewFunctions,
):
    """A policy store: users, roles, operations, objects, permissions, org units, groups and sessions."""

    def compile(self) -> Snapshot:
        """The immutable `Snapshot` of the current policy version (cached until the next change)."""
        if self._snapshot is None or self._snapshot.version != self._state.version:
            self._snapshot = compile_state(self._state, self._cache, self._current_guards())
        return self._snapshot

    def export(self) -> dict[str, Any]:
        """The whole policy as a plain document (see `docs/policy.schema.json`); sessions excluded."""
        return export_state(self._state)

    @_ClassOrInstanceMethod
    def load(cls: type[RBAC], instance: RBAC | None, doc: Any) -> RBAC:  # noqa: N805
        """Load a policy document (dict, or YAML/JSON text). Validates everything first and raises
        `PolicyDocumentError` (every error with its path) without applying anything when invalid.

        Called on the class, returns a new engine; called on an engine, replaces its policy in place (its
        sessions end, its version moves forward) and returns it.
        """
        built = build_from_document(doc, cls)
        if instance is None:
            return built
        version = instance._state.version
        instance._state = built._state
        instance._cache = built._cache
        instance._state.version = max(version, 0) + 1
        instance._snapshot = None
        instance._guards = None
        return instance
