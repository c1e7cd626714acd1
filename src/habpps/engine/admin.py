"""Administrative functions of ANSI INCITS 359 (§7.1.1 core, §7.2.1 hierarchical): users, roles, assignments,
grants and inheritance. Fortress's `AdminMgr`.

Every function validates first and changes the state only once every precondition and constraint holds.
"""

from __future__ import annotations

from habpps.engine.authority import users_authorized_for_any
from habpps.engine.base import EngineCore, require_cardinality, require_name
from habpps.engine.constraints import check_role_max_users, check_ssd, check_user_max_roles
from habpps.engine.errors import AlreadyExists, ConstraintViolation, InvalidArgument, NotFound
from habpps.engine.model import Assignment, RoleRecord, UserRecord, member_role


def _optional_cardinality(value: int | None, kind: str) -> int | None:
    return None if value is None else require_cardinality(value, 1, kind)


class AdministrativeFunctions(EngineCore):
    # -- users ------------------------------------------------------------------------------------------------
    def add_user(self, user: str, *, max_roles: int | None = None, max_sessions: int | None = None) -> None:
        """AddUser: ``user`` ∉ USERS. Creates a user with no assignment and no session."""
        require_name(user, "user")
        if user in self._state.users:
            raise AlreadyExists(f"L'utilisateur « {user} » existe déjà.", code="user_exists", user=user)
        self._state.users[user] = UserRecord(
            max_roles=_optional_cardinality(max_roles, "max_roles"),
            max_sessions=_optional_cardinality(max_sessions, "max_sessions"),
        )
        self._changed()

    def delete_user(self, user: str) -> None:
        """DeleteUser: ``user`` ∈ USERS. Removes its assignments, group memberships and ends its sessions."""
        self._user(user)
        state = self._state
        for role, org in state.user_assignments.pop(user, set()):
            state.role_user_assignments[role].discard((user, org))
        for group in state.user_groups.pop(user, set()):
            state.groups[group].discard(user)
        for session_id in state.user_sessions.pop(user, set()):
            del state.sessions[session_id]
        del state.users[user]
        self._changed()

    # -- roles ------------------------------------------------------------------------------------------------
    def add_role(self, role: str, *, descends: bool = True, max_users: int | None = None) -> None:
        """AddRole: ``role`` ∉ ROLES. ``descends``: whether its authority in an org unit reaches sub-units."""
        require_name(role, "role")
        if role in self._state.roles:
            raise AlreadyExists(f"Le rôle « {role} » existe déjà.", code="role_exists", role=role)
        if not isinstance(descends, bool):
            raise InvalidArgument("« descends » doit être un booléen.", code="wrong_type", parameter="descends")
        self._state.roles[role] = RoleRecord(
            max_users=_optional_cardinality(max_users, "max_users"), descends=descends
        )
        self._changed()

    def delete_role(self, role: str) -> None:
        """DeleteRole: ``role`` ∈ ROLES. Removes its assignments, grants, inheritance edges (juniors are not
        reconnected to seniors), SSD/DSD memberships, and deactivates it in every session."""
        self._role(role)
        state = self._state
        affected = users_authorized_for_any(state, self._cache, [role])
        for user, org in state.role_user_assignments.pop(role, set()):
            state.user_assignments[user].discard((role, org))
        for group, org in state.role_group_assignments.pop(role, set()):
            state.group_assignments[group].discard((role, org))
        state.role_permissions.pop(role, None)
        for junior in state.juniors.pop(role, set()):
            state.seniors[junior].discard(role)
        for senior in state.seniors.pop(role, set()):
            state.juniors[senior].discard(role)
        self._drop_sod_members(lambda m: member_role(m) == role)
        for session in state.sessions.values():
            session.active_roles.discard(role)
        del state.roles[role]
        self._changed(hierarchy=True)
        self._drop_unauthorized_session_roles(affected)

    # -- user assignment ----------------------------------------------------------------------------------------
    def assign_user(self, user: str, role: str, org: str | None = None) -> None:
        """AssignUser: ``user`` ∈ USERS, ``role`` ∈ ROLES, not yet assigned (in that org); SSD and cardinalities
        hold afterwards. An assignment with ``org`` confers the role in that unit (and its sub-units)."""
        self._user(user)
        self._role(role)
        org = self._org(org)
        state = self._state
        if (role, org) in state.user_assignments.get(user, ()):
            where = f" dans « {org} »" if org else ""
            raise AlreadyExists(
                f"Le rôle « {role} » est déjà affecté à « {user} »{where}.",
                code="assignment_exists",
                user=user,
                role=role,
                org=org,
            )
        entries = [*self._entries(user), Assignment(role, org)]
        check_ssd(state, self._cache, user, entries)
        self._check_sessions_dsd(user, entries)
        check_user_max_roles(state, user, entries)
        check_role_max_users(state, role, {user})
        state.user_assignments.setdefault(user, set()).add((role, org))
        state.role_user_assignments.setdefault(role, set()).add((user, org))
        self._changed()

    def deassign_user(self, user: str, role: str, org: str | None = None) -> None:
        """DeassignUser: the assignment exists. Roles the user is no longer authorized for leave its sessions."""
        self._user(user)
        self._role(role)
        org = self._org(org)
        state = self._state
        if (role, org) not in state.user_assignments.get(user, ()):
            raise NotFound(
                f"Le rôle « {role} » n'est pas affecté à « {user} »" + (f" dans « {org} »." if org else "."),
                code="assignment_not_found",
                user=user,
                role=role,
                org=org,
            )
        state.user_assignments[user].discard((role, org))
        state.role_user_assignments[role].discard((user, org))
        self._changed()
        self._drop_unauthorized_session_roles([user])

    # -- permission assignment ----------------------------------------------------------------------------------
    def grant_permission(self, operation: str, obj: str, role: str) -> None:
        """GrantPermission: ``role`` ∈ ROLES; the permission (operation, obj) is created if new."""
        require_name(operation, "operation")
        require_name(obj, "obj")
        self._role(role)
        perms = self._state.role_permissions.setdefault(role, set())
        if (operation, obj) in perms:
            raise AlreadyExists(
                f"Le rôle « {role} » détient déjà la permission « {operation} » sur « {obj} ».",
                code="grant_exists",
                role=role,
                operation=operation,
                obj=obj,
            )
        perms.add((operation, obj))
        self._state.permissions.add((operation, obj))
        self._changed()

    def revoke_permission(self, operation: str, obj: str, role: str) -> None:
        """RevokePermission: the permission is assigned to ``role`` (directly)."""
        require_name(operation, "operation")
        require_name(obj, "obj")
        self._role(role)
        perms = self._state.role_permissions.get(role, set())
        if (operation, obj) not in perms:
            raise NotFound(
                f"Le rôle « {role} » ne détient pas directement la permission « {operation} » sur « {obj} ».",
                code="grant_not_found",
                role=role,
                operation=operation,
                obj=obj,
            )
        perms.discard((operation, obj))
        self._changed()

    # -- hierarchy (§7.2.1) --------------------------------------------------------------------------------------
    def add_inheritance(self, ascendant: str, descendant: str) -> None:
        """AddInheritance: both roles exist, ¬(ascendant ≫ descendant) and ¬(descendant ≥ ascendant): the
        hierarchy stays a DAG; SSD (authorized roles) and DSD (sessions) still hold afterwards."""
        self._role(ascendant, "ascendant")
        self._role(descendant, "descendant")
        state = self._state
        if descendant in state.juniors.get(ascendant, ()):
            raise AlreadyExists(
                f"« {ascendant} » hérite déjà directement de « {descendant} ».",
                code="inheritance_exists",
                ascendant=ascendant,
                descendant=descendant,
            )
        if self._cache.would_create_cycle(ascendant, descendant):
            raise ConstraintViolation(
                f"L'héritage « {ascendant} » → « {descendant} » créerait un cycle dans la hiérarchie.",
                code="hierarchy_cycle",
                ascendant=ascendant,
                descendant=descendant,
            )
        affected = users_authorized_for_any(state, self._cache, [ascendant])
        self._link(ascendant, descendant)
        try:
            self._verify_sod_for_users(affected)
        except ConstraintViolation:
            self._unlink(ascendant, descendant)
            raise
        self._changed(hierarchy=True)

    def delete_inheritance(self, ascendant: str, descendant: str) -> None:
        """DeleteInheritance: the immediate edge exists. Sessions lose roles no longer authorized."""
        self._role(ascendant, "ascendant")
        self._role(descendant, "descendant")
        if descendant not in self._state.juniors.get(ascendant, ()):
            raise NotFound(
                f"« {ascendant} » n'hérite pas directement de « {descendant} ».",
                code="inheritance_not_found",
                ascendant=ascendant,
                descendant=descendant,
            )
        affected = users_authorized_for_any(self._state, self._cache, [ascendant])
        self._unlink(ascendant, descendant)
        self._changed(hierarchy=True)
        self._drop_unauthorized_session_roles(affected)

    def add_ascendant(self, ascendant: str, descendant: str) -> None:
        """AddAscendant: creates the new role ``ascendant`` as an immediate senior of ``descendant``."""
        require_name(ascendant, "ascendant")
        self._role(descendant, "descendant")
        if ascendant in self._state.roles:
            raise AlreadyExists(f"Le rôle « {ascendant} » existe déjà.", code="role_exists", role=ascendant)
        self._state.roles[ascendant] = RoleRecord()
        self._link(ascendant, descendant)
        self._changed(hierarchy=True)

    def add_descendant(self, ascendant: str, descendant: str) -> None:
        """AddDescendant: creates the new role ``descendant`` as an immediate junior of ``ascendant``."""
        self._role(ascendant, "ascendant")
        require_name(descendant, "descendant")
        if descendant in self._state.roles:
            raise AlreadyExists(f"Le rôle « {descendant} » existe déjà.", code="role_exists", role=descendant)
        self._state.roles[descendant] = RoleRecord()
        self._link(ascendant, descendant)
        self._changed(hierarchy=True)

    def _link(self, ascendant: str, descendant: str) -> None:
        self._state.juniors.setdefault(ascendant, set()).add(descendant)
        self._state.seniors.setdefault(descendant, set()).add(ascendant)
        self._cache.clear()

    def _unlink(self, ascendant: str, descendant: str) -> None:
        self._state.juniors[ascendant].discard(descendant)
        self._state.seniors[descendant].discard(ascendant)
        self._cache.clear()
