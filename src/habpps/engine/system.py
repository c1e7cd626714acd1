"""System functions of ANSI INCITS 359 (§7.1.2, §7.2.2, §7.4.2): sessions, role activation, access checks.
Fortress's `AccessMgr`.

A session belongs to one user and holds a subset of the user's authorized roles. DSD is enforced here, on
activation. `check_access` is closed: granted only when an active role, or a junior it inherits, holds the
permission — in the org unit asked for when one is given.
"""

from __future__ import annotations

from typing import Any

from habpps.engine.authority import applies_in
from habpps.engine.base import EngineCore, require_name
from habpps.engine.constraints import check_dsd, check_user_max_sessions
from habpps.engine.decision import Decision, DecisionInputs, decide
from habpps.engine.errors import AlreadyExists, ConstraintViolation, InvalidArgument, NotFound
from habpps.engine.model import Session


class SystemFunctions(EngineCore):
    def create_session(self, user: str, session: str, roles: Any = ()) -> str:
        """CreateSession: ``user`` ∈ USERS, new session id, roles ⊆ authorized roles, DSD holds."""
        self._user(user)
        require_name(session, "session")
        if session in self._state.sessions:
            raise AlreadyExists(f"La session « {session} » existe déjà.", code="session_exists", session=session)
        if isinstance(roles, str) or roles is None:
            raise InvalidArgument(
                "Le paramètre « roles » doit être une collection de rôles.", code="wrong_type", parameter="roles"
            )
        requested = {self._role(role) for role in roles}
        authorized = self._authorized(user)
        self._require_authorized(user, requested, authorized)
        check_user_max_sessions(self._state, user)
        check_dsd(self._state, self._cache, user, self._entries(user), requested, session=session)
        self._state.sessions[session] = Session(user=user, active_roles=requested)
        self._state.user_sessions.setdefault(user, set()).add(session)
        return session

    def delete_session(self, user: str, session: str) -> None:
        """DeleteSession: the session exists and belongs to ``user``."""
        self._owned_session(user, session)
        del self._state.sessions[session]
        self._state.user_sessions[user].discard(session)

    def add_active_role(self, user: str, session: str, role: str) -> None:
        """AddActiveRole: the session belongs to ``user``, ``role`` is authorized and not active; DSD holds."""
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

    def check_access(self, session: str, operation: str, obj: str, org: str | None = None) -> bool:
        """CheckAccess: true iff an active role of the session, or a junior it inherits, holds
        (operation, obj) — through an assignment that applies in ``org`` when an org is given."""
        return self.explain_access(session, operation, obj, org).granted

    def explain_access(self, session: str, operation: str, obj: str, org: str | None = None) -> Decision:
        """The decision of `check_access` with its reasons: the grant path, or the closest miss (ENG-9)."""
        self._session(session)
        require_name(operation, "operation")
        require_name(obj, "obj")
        org = self._org(org)
        record = self._state.sessions[session]
        return decide(self._decision_inputs(record.user), record.user, operation, obj, org, record.active_roles)

    def _decision_inputs(self, user: str) -> DecisionInputs:
        state = self._state

        def holders(permission: tuple[str, str]) -> set[str]:
            return {role for role, perms in state.role_permissions.items() if permission in perms}

        return DecisionInputs(
            entries=self._entries(user),
            juniors=state.juniors,
            juniors_closure=self._cache.juniors_closure,
            holders=holders,
            applies=lambda entry, org: applies_in(state, entry, org),
        )

    @staticmethod
    def _require_authorized(user: str, requested: set[str], authorized: set[str]) -> None:
        missing = sorted(requested - authorized)
        if missing:
            raise ConstraintViolation(
                f"L'utilisateur « {user} » n'est pas habilité au(x) rôle(s) : "
                + ", ".join(f"« {r} »" for r in missing) + ".",
                code="role_not_authorized", user=user, roles=missing,
            )
