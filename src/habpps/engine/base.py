"""Shared machinery of the engine's managers: the policy state, argument validation, lookups, versioning."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, Literal

from habpps.engine.authority import authorized_roles, user_assignments
from habpps.engine.constraints import check_dsd, check_ssd
from habpps.engine.errors import InvalidArgument, NotFound
from habpps.engine.guards import Guards
from habpps.engine.hierarchy import HierarchyCache
from habpps.engine.model import Assignment, PolicyState, SodMember, SodSet

Kind = Literal["ssd", "dsd"]
SOD_LABEL = {"ssd": "statique (SSD)", "dsd": "dynamique (DSD)"}

_KIND_LABELS = {
    "user": "utilisateur",
    "role": "rôle",
    "operation": "opération",
    "obj": "objet",
    "session": "session",
    "ascendant": "rôle ascendant",
    "descendant": "rôle descendant",
    "name": "nom d'ensemble",
    "org": "unité organisationnelle",
    "parent": "unité organisationnelle parente",
    "group": "groupe",
}


def require_name(value: Any, kind: str) -> str:
    """Validate an identifier: a non-blank string. Refusals name the parameter in French."""
    label = _KIND_LABELS.get(kind, kind)
    if not isinstance(value, str):
        raise InvalidArgument(
            f"Le paramètre « {kind} » ({label}) doit être une chaîne de caractères, reçu {type(value).__name__}.",
            code="wrong_type",
            parameter=kind,
        )
    if not value.strip():
        raise InvalidArgument(
            f"Le paramètre « {kind} » ({label}) ne peut pas être vide.", code="empty_name", parameter=kind
        )
    return value


def require_cardinality(value: Any, minimum: int, kind: str = "cardinality") -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidArgument(
            f"La cardinalité doit être un entier, reçu {type(value).__name__}.", code="wrong_type", parameter=kind
        )
    if value < minimum:
        raise InvalidArgument(
            f"La cardinalité doit être au moins {minimum}, reçu {value}.",
            code="cardinality_too_small",
            parameter=kind,
        )
    return value


class EngineCore:
    """State holder and helpers common to the administrative, system and review managers."""

    def __init__(self, *, clock: Callable[[], datetime] | None = None) -> None:
        """``clock`` gives "now" to decisions whose context does not say it (inject a fixed one in tests)."""
        self._state = PolicyState()
        self._cache = HierarchyCache(self._state)
        self._snapshot: Any = None
        self._clock: Callable[[], datetime] = clock or datetime.now
        self._guards: Guards | None = None

    def _current_guards(self) -> Guards:
        """The conditional parts of the current policy version (context, temporal, history), built once."""
        if self._guards is None:
            self._guards = Guards.of_state(self._state, self._clock)
        return self._guards

    # -- versioning -------------------------------------------------------------------------------------------
    @property
    def version(self) -> int:
        """Policy version: increases with every successful change of the policy (not of sessions)."""
        return self._state.version

    def _changed(self, *, hierarchy: bool = False) -> None:
        if hierarchy:
            self._cache.clear()
        self._state.version += 1
        self._snapshot = None
        self._guards = None

    # -- lookups that refuse unknown elements -----------------------------------------------------------------
    def _user(self, user: Any, kind: str = "user") -> str:
        require_name(user, kind)
        if user not in self._state.users:
            raise NotFound(f"Utilisateur inconnu : « {user} ».", code="user_not_found", user=user)
        return user

    def _role(self, role: Any, kind: str = "role") -> str:
        require_name(role, kind)
        if role not in self._state.roles:
            raise NotFound(f"Rôle inconnu : « {role} ».", code="role_not_found", role=role)
        return role

    def _org(self, org: Any, kind: str = "org") -> str | None:
        if org is None:
            return None
        require_name(org, kind)
        if org not in self._state.orgs:
            raise NotFound(f"Unité organisationnelle inconnue : « {org} ».", code="org_not_found", org=org)
        return org

    def _group(self, group: Any) -> str:
        require_name(group, "group")
        if group not in self._state.groups:
            raise NotFound(f"Groupe inconnu : « {group} ».", code="group_not_found", group=group)
        return group

    def _session(self, session: Any) -> str:
        require_name(session, "session")
        if session not in self._state.sessions:
            raise NotFound(f"Session inconnue : « {session} ».", code="session_not_found", session=session)
        return session

    def _owned_session(self, user: Any, session: Any) -> str:
        self._user(user)
        self._session(session)
        if self._state.sessions[session].user != user:
            raise NotFound(
                f"La session « {session} » n'appartient pas à l'utilisateur « {user} ».",
                code="session_not_owned",
                user=user,
                session=session,
            )
        return session

    def _sets(self, kind: Kind) -> dict[str, SodSet]:
        return self._state.ssd_sets if kind == "ssd" else self._state.dsd_sets

    def _existing_set(self, kind: Kind, name: Any) -> SodSet:
        require_name(name, "name")
        sod = self._sets(kind).get(name)
        if sod is None:
            raise NotFound(
                f"Ensemble de séparation {SOD_LABEL[kind]} inconnu : « {name} ».",
                code=f"{kind}_set_not_found",
                name=name,
            )
        return sod

    def _sod_member(self, member: Any) -> SodMember:
        """Validate an SSD/DSD member: an existing role, or an (existing role, existing org unit) pair."""
        if isinstance(member, (tuple, list)) and len(member) == 2:
            role, org = member
            self._role(role)
            if org is None:
                return role
            self._org(org)
            return (role, org)
        return self._role(member)

    def _sod_members(self, roles: Any) -> set[SodMember]:
        if isinstance(roles, (str, bytes)) or not isinstance(roles, Iterable):
            raise InvalidArgument(
                "Le paramètre « roles » doit être une collection de rôles.", code="wrong_type", parameter="roles"
            )
        return {self._sod_member(member) for member in roles}

    # -- derived relations ------------------------------------------------------------------------------------
    def _entries(self, user: str) -> list[Assignment]:
        return user_assignments(self._state, user)

    def _authorized(self, user: str) -> set[str]:
        return authorized_roles(self._cache, self._entries(user))

    def _verify_sod_for_users(self, users: Iterable[str]) -> None:
        """Refuse (ConstraintViolation) when one of ``users`` breaks an SSD set or one of its sessions a DSD set."""
        state = self._state
        for user in sorted(users):
            entries = self._entries(user)
            check_ssd(state, self._cache, user, entries)
            for session_id in sorted(state.user_sessions.get(user, ())):
                check_dsd(
                    state, self._cache, user, entries, state.sessions[session_id].active_roles, session=session_id
                )

    def _check_sessions_dsd(self, user: str, entries: list[Assignment]) -> None:
        """Refuse when, with ``entries`` as its assignments, a live session of ``user`` would break a DSD set: a
        ``(role, org)`` member becomes held when an assignment starts to apply in ``org`` (review defect 1)."""
        state = self._state
        if not state.dsd_sets:
            return
        for session_id in sorted(state.user_sessions.get(user, ())):
            check_dsd(state, self._cache, user, entries, state.sessions[session_id].active_roles, session=session_id)

    def _drop_sod_members(self, matches: Callable[[SodMember], bool]) -> None:
        """Remove the SSD/DSD members a deletion took away. A set left with fewer members than its cardinality
        could never be broken again, and could not be edited either (n ≤ |members| is every edit's
        precondition): it goes (review defect: SSD after ``delete_role``)."""
        for sets in (self._state.ssd_sets, self._state.dsd_sets):
            for name, sod in list(sets.items()):
                sod.members = {m for m in sod.members if not matches(m)}
                if len(sod.members) < sod.cardinality:
                    del sets[name]

    def _drop_unauthorized_session_roles(self, users: Iterable[str]) -> None:
        """Deactivate, in the sessions of ``users``, every role they are no longer authorized for."""
        for user in users:
            session_ids = self._state.user_sessions.get(user)
            if not session_ids:
                continue
            authorized = self._authorized(user)
            for session_id in session_ids:
                self._state.sessions[session_id].active_roles &= authorized
