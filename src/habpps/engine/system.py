"""System functions of ANSI INCITS 359 (§7.1.2, §7.2.2, §7.4.2): sessions, role activation, access checks.
Fortress's `AccessMgr`.

A session belongs to one user and holds a subset of the user's authorized roles. DSD is enforced here, on
activation. `check_access` is closed: granted only when an active role, or a junior it inherits, holds the
permission — in the org unit asked for when one is given.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from habpps.engine.authority import applies_in
from habpps.engine.base import EngineCore, require_name
from habpps.engine.constraints import check_dsd, check_user_max_sessions
from habpps.engine.decision import Decision, DecisionInputs, decide
from habpps.engine.errors import AlreadyExists, ConstraintViolation, InvalidArgument, NotFound
from habpps.engine.model import Session


class SystemFunctions(EngineCore):
    def create_session(
        self, user: str, session: str, roles: Any = (), *, context: Mapping[str, Any] | None = None
    ) -> str:
        """CreateSession: ``user`` ∈ USERS, new session id, roles ⊆ authorized roles, DSD holds; temporal and
        activation constraints of the roles hold at the time (and in the request ``context``) of the call."""
        self._user(user)
        require_name(session, "session")
        if session in self._state.sessions:
            raise AlreadyExists(f"La session « {session} » existe déjà.", code="session_exists", session=session)
        if isinstance(roles, str) or roles is None:
            raise InvalidArgument(
                "Le paramètre « roles » doit être une collection de rôles.", code="wrong_type", parameter="roles"
            )
        requested = {self._role(role) for role in roles}
        self._check_activation(user, session, requested, context, new_session=True)
        self._state.sessions[session] = Session(user=user, active_roles=requested, last_activity=self._clock())
        self._state.user_sessions.setdefault(user, set()).add(session)
        return session

    def check_activation(
        self, user: str, roles: Any = (), *, context: Mapping[str, Any] | None = None, session: str = "vérification"
    ) -> None:
        """Whether ``user`` may activate ``roles`` together in one session — CreateSession's checks on the roles
        (authorized, DSD, temporal and activation constraints, dynamic exclusions) without opening a session,
        so the user's maximum of sessions (ENG-6) is not counted: a decision's ``active_roles`` is no session."""
        self._user(user)
        if isinstance(roles, str) or roles is None:
            raise InvalidArgument(
                "Le paramètre « roles » doit être une collection de rôles.", code="wrong_type", parameter="roles"
            )
        self._check_activation(user, session, {self._role(role) for role in roles}, context)

    def _check_activation(
        self, user: str, session: str, requested: set[str], context: Mapping[str, Any] | None,
        new_session: bool = False,
    ) -> None:
        self._require_authorized(user, requested, self._authorized(user))
        if new_session:
            check_user_max_sessions(self._state, user)
        check_dsd(self._state, self._cache, user, self._entries(user), requested, session=session)
        self._check_activation_time(user, requested)
        self._check_activation_context(user, requested, context)
        self._check_dynamic_exclusions(user, session, requested)

    def delete_session(self, user: str, session: str) -> None:
        """DeleteSession: the session exists and belongs to ``user``."""
        self._owned_session(user, session)
        del self._state.sessions[session]
        self._state.user_sessions[user].discard(session)

    def add_active_role(
        self, user: str, session: str, role: str, *, context: Mapping[str, Any] | None = None
    ) -> None:
        """AddActiveRole: the session belongs to ``user``, ``role`` is authorized and not active; DSD holds;
        the role's temporal and activation constraints hold now (in the request ``context``)."""
        self._owned_session(user, session)
        self._role(role)
        active = self._state.sessions[session].active_roles
        if role in active:
            raise AlreadyExists(
                f"Le rôle « {role} » est déjà actif dans la session « {session} ».",
                code="role_already_active", role=role, session=session,
            )
        self._require_authorized(user, {role}, self._authorized(user))
        check_dsd(self._state, self._cache, user, self._entries(user), active | {role}, session=session)
        self._check_activation_time(user, {role})
        self._check_activation_context(user, {role}, context)
        self._check_dynamic_exclusions(user, session, active | {role})
        active.add(role)

    def drop_active_role(self, user: str, session: str, role: str) -> None:
        """DropActiveRole: the session belongs to ``user`` and ``role`` is active in it."""
        self._owned_session(user, session)
        self._role(role)
        active = self._state.sessions[session].active_roles
        if role not in active:
            raise NotFound(
                f"Le rôle « {role} » n'est pas actif dans la session « {session} ».",
                code="role_not_active", role=role, session=session,
            )
        active.discard(role)

    def check_access(
        self, session: str, operation: str, obj: str, org: str | None = None,
        context: Mapping[str, Any] | None = None,
    ) -> bool:
        """CheckAccess: true iff an active role of the session, or a junior it inherits, holds
        (operation, obj) — through an assignment that applies in ``org`` when an org is given, usable now
        (temporal constraints), and every condition of the permission holds in ``context`` (ENG-5, ENG-7)."""
        return self.explain_access(session, operation, obj, org, context).granted

    def explain_access(
        self, session: str, operation: str, obj: str, org: str | None = None,
        context: Mapping[str, Any] | None = None,
    ) -> Decision:
        """The decision of `check_access` with its reasons: the grant path, or the closest miss (ENG-9).

        ``context`` is the request context: ``now`` (defaults to the engine's clock), ``client_ip``, ``subject``
        and ``object`` attribute mappings, ``history`` of the object instance, any value a context attribute
        reads. A granted decision marks the session active at ``now`` (idle timeouts).
        """
        self._session(session)
        require_name(operation, "operation")
        require_name(obj, "obj")
        org = self._org(org)
        record = self._state.sessions[session]
        guards = self._current_guards()
        now = guards.now(context)
        if context is None or "last_activity" not in context:
            context = {**(context or {}), "last_activity": record.last_activity}
        inputs = self._decision_inputs(record.user, context)
        decision = decide(inputs, record.user, operation, obj, org, record.active_roles)
        if decision.granted:
            record.last_activity = now
            if decision.reported:
                self._record_reported_access(decision, session)
        return decision

    def _decision_inputs(self, user: str, context: Mapping[str, Any] | None = None) -> DecisionInputs:
        state = self._state
        guards = self._current_guards()

        def holders(permission: tuple[str, str]) -> set[str]:
            return {role for role, perms in state.role_permissions.items() if permission in perms}

        now = guards.now(context)
        last = guards.last_activity(context)
        entry_failure = None
        user_failure = None
        if guards.timed:
            user_failure = guards.user_failure(user, now, last)

            def entry_failure(entry: Any, via: str | None) -> Any:
                return guards.entry_failure(user, entry, via, now, last)

        permission_checks = None
        if guards.conditional_permissions:

            def permission_checks(permission: tuple[str, str]) -> Any:
                return guards.permission_checks(user, permission, context, now)

        grant_checks = None
        if guards.grant_links:

            def grant_checks(role: str, permission: tuple[str, str]) -> Any:
                return guards.grant_failures(user, role, permission, context, now)

        return DecisionInputs(
            entries=self._entries(user),
            juniors=state.juniors,
            juniors_closure=self._cache.juniors_closure,
            holders=holders,
            applies=lambda entry, org: applies_in(state, entry, org),
            user_failure=user_failure,
            entry_failure=entry_failure,
            permission_checks=permission_checks,
            grant_checks=grant_checks,
        )

    def _check_activation_time(self, user: str, roles: set[str]) -> None:
        """Refuse activating a role outside its time constraints, or those of the user or of every assignment
        through which the user holds it (ENG-5; thesis 4.5.9: constraints also apply to activation)."""
        guards = self._current_guards()
        if not guards.timed or not roles:
            return
        now = self._clock()
        failure = guards.user_failure(user, now, None)
        if failure is None:
            for role in sorted(roles):
                failure = guards.role_failure(role, now, None)
                if failure is not None:
                    break
                failures = [
                    guards.entry_failure(user, entry, None, now, None)
                    for entry in self._entries(user)
                    if role in self._cache.juniors_closure(entry.role)
                ]
                if failures and all(failures):
                    failure = failures[0]
                    break
        if failure is not None:
            raise ConstraintViolation(
                f"Activation refusée pour « {user} » : {failure['message']}.", code="temporal_constraint",
                user=user, failure=failure,
            )

    def _check_activation_context(self, user: str, roles: set[str], context: Mapping[str, Any] | None) -> None:
        """Refuse activating a role whose activation constraints (context constraints linked to the role) do
        not hold in the request context, naming the failed condition. Conditions read the user's stored
        attributes over the subject attributes the request carries, as at decision time.

        A senior role brings its juniors' permissions (ENG-2), so it is activated only if the activation
        constraints of every junior it inherits hold too — as DSD counts the juniors an active role inherits:
        the engine never activates part of a role. The refusal names the senior (``role``) and the junior
        whose condition failed (``junior``)."""
        linked = self._state.activation_constraints
        if not linked:
            return
        closure = self._cache.juniors_closure
        conditioned = {role: sorted(r for r in closure(role) if linked.get(r)) for role in roles}
        if not any(conditioned.values()):
            return
        guards = self._current_guards()
        request = guards.request(user, context, guards.now(context))
        for role in sorted(roles):
            # the role's own constraints first, then its juniors' (by name)
            for holder in sorted(conditioned[role], key=lambda r: (r != role, r)):
                for name in sorted(linked[holder]):
                    failure = self._state.context_constraints[name].failure(request)
                    if failure is None:
                        continue
                    if holder == role:
                        message = f"Activation du rôle « {role} » refusée pour « {user} » : {failure['message']}."
                    else:
                        message = (f"Activation du rôle « {role} » refusée pour « {user} » : il hérite du rôle "
                                   f"« {holder} », dont la condition d'activation n'est pas remplie : "
                                   f"{failure['message']}.")
                    raise ConstraintViolation(message, code="activation_condition", user=user, role=role,
                                              junior=holder if holder != role else None, failure=failure)

    def _check_dynamic_exclusions(self, user: str, session: str, active: set[str]) -> None:
        """Hook for dynamic exclusions (ENG-7), provided by `ExclusionFunctions`; nothing to check by default."""

    def _record_reported_access(self, decision: Decision, session: str) -> None:
        """Hook recording breaches of ``report`` history exclusions (ENG-7); provided by `ExclusionFunctions`."""

    @staticmethod
    def _require_authorized(user: str, requested: set[str], authorized: set[str]) -> None:
        missing = sorted(requested - authorized)
        if missing:
            raise ConstraintViolation(
                f"L'utilisateur « {user} » n'est pas habilité au(x) rôle(s) : "
                + ", ".join(f"« {r} »" for r in missing) + ".",
                code="role_not_authorized", user=user, roles=missing,
            )
