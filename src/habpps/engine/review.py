"""Review functions of ANSI INCITS 359 (§7.1.3, §7.2.3 advanced review, §7.3.2, §7.4.3). Fortress's `ReviewMgr`.

Every function returns a fresh set the caller may keep; a permission is the pair ``(operation, obj)``.
Assignments made through groups count as assignments (ENG-4).
"""

from __future__ import annotations

from habpps.engine.authority import assigned_roles, users_assigned_to, users_authorized_for_any
from habpps.engine.base import EngineCore, require_name
from habpps.engine.model import Assignment, Permission, SodMember


class ReviewFunctions(EngineCore):
    def assigned_users(self, role: str) -> set[str]:
        """AssignedUsers: users assigned to ``role`` itself (directly or through a group)."""
        return users_assigned_to(self._state, self._role(role))

    def assigned_roles(self, user: str) -> set[str]:
        """AssignedRoles: roles assigned to ``user`` (directly or through its groups), hierarchy excluded."""
        return assigned_roles(self._entries(self._user(user)))

    def authorized_users(self, role: str) -> set[str]:
        """AuthorizedUsers: users assigned to ``role`` or to a senior that inherits it."""
        return users_authorized_for_any(self._state, self._cache, [self._role(role)])

    def authorized_roles(self, user: str) -> set[str]:
        """AuthorizedRoles: assigned roles and every junior they inherit."""
        return self._authorized(self._user(user))

    def role_permissions(self, role: str, inherited: bool = True) -> set[Permission]:
        """RolePermissions: permissions held by ``role`` — with those of its juniors unless ``inherited=False``."""
        self._role(role)
        roles = self._cache.juniors_closure(role) if inherited else (role,)
        result: set[Permission] = set()
        for each in roles:
            result |= self._state.role_permissions.get(each, set())
        return result

    def user_permissions(self, user: str) -> set[Permission]:
        """UserPermissions: permissions of every authorized role of ``user`` (org scope ignored)."""
        result: set[Permission] = set()
        for role in self._authorized(self._user(user)):
            result |= self._state.role_permissions.get(role, set())
        return result

    def session_roles(self, session: str) -> set[str]:
        """SessionRoles: the roles active in ``session``."""
        return set(self._state.sessions[self._session(session)].active_roles)

    def session_permissions(self, session: str) -> set[Permission]:
        """SessionPermissions: permissions of the active roles and of the juniors they inherit."""
        active = self._state.sessions[self._session(session)].active_roles
        result: set[Permission] = set()
        for role in self._cache.closure_of(active):
            result |= self._state.role_permissions.get(role, set())
        return result

    def role_operations_on_object(self, role: str, obj: str) -> set[str]:
        """RoleOperationsOnObject: operations ``role`` may perform on ``obj`` (inherited ones included)."""
        require_name(obj, "obj")
        return {op for op, target in self.role_permissions(role) if target == obj}

    def user_operations_on_object(self, user: str, obj: str) -> set[str]:
        """UserOperationsOnObject: operations ``user`` may perform on ``obj`` through its authorized roles."""
        require_name(obj, "obj")
        return {op for op, target in self.user_permissions(user) if target == obj}

    def ssd_role_sets(self) -> set[str]:
        return set(self._state.ssd_sets)

    def ssd_role_set_roles(self, name: str) -> set[SodMember]:
        return set(self._existing_set("ssd", name).members)

    def ssd_role_set_cardinality(self, name: str) -> int:
        return self._existing_set("ssd", name).cardinality

    def dsd_role_sets(self) -> set[str]:
        return set(self._state.dsd_sets)

    def dsd_role_set_roles(self, name: str) -> set[SodMember]:
        return set(self._existing_set("dsd", name).members)

    def dsd_role_set_cardinality(self, name: str) -> int:
        return self._existing_set("dsd", name).cardinality

    # -- beyond the standard: what the administration pages need (ADM-7) --------------------------------------
    def users(self) -> set[str]:
        return set(self._state.users)

    def roles(self) -> set[str]:
        return set(self._state.roles)

    def permissions(self) -> set[Permission]:
        return set(self._state.permissions)

    def user_assignments(self, user: str) -> list[Assignment]:
        """Each way ``user`` holds a role: (role, org, group), group None for a direct assignment."""
        return sorted(self._entries(self._user(user)), key=lambda e: (e.group or "", e.role, e.org or ""))

    def user_sessions(self, user: str) -> set[str]:
        return set(self._state.user_sessions.get(self._user(user), ()))

    def user_max_sessions(self, user: str) -> int | None:
        """The most sessions ``user`` may have open at once (ENG-6); None: no limit."""
        return self._state.users[self._user(user)].max_sessions

    def role_juniors(self, role: str) -> set[str]:
        """Immediate juniors of ``role``."""
        return set(self._state.juniors.get(self._role(role), ()))

    def role_inherited(self, role: str) -> set[str]:
        """Every role ``role`` inherits, directly or through others (itself excluded): the juniors whose
        permissions and activation conditions come along with it."""
        return set(self._cache.juniors_closure(self._role(role))) - {role}

    def role_seniors(self, role: str) -> set[str]:
        """Immediate seniors of ``role``."""
        return set(self._state.seniors.get(self._role(role), ()))
