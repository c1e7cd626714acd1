"""Extensions of the standard's administration: org units (ENG-3), groups (ENG-4), cardinalities (ENG-6).

Org units form a tree (national body → funds → partners → …). Groups carry assignments to their members; a
group assignment is checked against SSD and cardinalities for every member, exactly as if each were direct.
"""

from __future__ import annotations

from habpps.engine.authority import user_assignments, users_assigned_to, users_authorized_for_any
from habpps.engine.base import EngineCore, require_cardinality, require_name
from habpps.engine.constraints import check_role_max_users, check_ssd, check_user_max_roles
from habpps.engine.errors import AlreadyExists, ConstraintViolation, InvalidArgument, NotFound
from habpps.engine.model import Assignment, member_org


class OrganisationFunctions(EngineCore):
    # -- org units ------------------------------------------------------------------------------------------------
    def add_org(self, org: str, parent: str | None = None) -> None:
        """Create org unit ``org`` under ``parent`` (a root when None)."""
        require_name(org, "org")
        if org in self._state.orgs:
            raise AlreadyExists(f"L'unité organisationnelle « {org} » existe déjà.", code="org_exists", org=org)
        parent = self._org(parent, "parent")
        self._state.orgs[org] = parent
        self._state.org_children.setdefault(org, set())
        if parent is not None:
            self._state.org_children[parent].add(org)
        self._changed()

    def delete_org(self, org: str) -> None:
        """Delete a leaf org unit with the assignments made in it and the (role, org) SoD members naming it."""
        org = self._org(org)
        state = self._state
        if state.org_children.get(org):
            raise ConstraintViolation(
                f"L'unité « {org} » contient des sous-unités ({', '.join(sorted(state.org_children[org]))}) : "
                "supprimez-les d'abord.",
                code="org_has_children",
                org=org,
            )
        affected: set[str] = set()
        for user, pairs in state.user_assignments.items():
            for role, where in [p for p in pairs if p[1] == org]:
                pairs.discard((role, where))
                state.role_user_assignments[role].discard((user, where))
                affected.add(user)
        for group, pairs in state.group_assignments.items():
            for role, where in [p for p in pairs if p[1] == org]:
                pairs.discard((role, where))
                state.role_group_assignments[role].discard((group, where))
                affected |= state.groups[group]
        self._drop_sod_members(lambda m: member_org(m) == org)
        parent = state.orgs.pop(org)
        state.org_children.pop(org, None)
        if parent is not None:
            state.org_children[parent].discard(org)
        self._changed()
        self._drop_unauthorized_session_roles(affected)

    # -- groups ---------------------------------------------------------------------------------------------------
    def add_group(self, group: str) -> None:
        require_name(group, "group")
        if group in self._state.groups:
            raise AlreadyExists(f"Le groupe « {group} » existe déjà.", code="group_exists", group=group)
        self._state.groups[group] = set()
        self._state.group_assignments[group] = set()
        self._changed()

    def delete_group(self, group: str) -> None:
        """Delete a group: its members lose what they held only through it (sessions included)."""
        self._group(group)
        state = self._state
        members = state.groups.pop(group)
        for user in members:
            state.user_groups[user].discard(group)
        for role, org in state.group_assignments.pop(group, set()):
            state.role_group_assignments[role].discard((group, org))
        self._changed()
        self._drop_unauthorized_session_roles(members)

    def add_group_member(self, group: str, user: str) -> None:
        """Make ``user`` a member of ``group``: SSD and cardinalities must hold with the group's roles."""
        self._group(group)
        self._user(user)
        state = self._state
        if user in state.groups[group]:
            raise AlreadyExists(
                f"« {user} » est déjà membre du groupe « {group} ».", code="member_exists", group=group, user=user
            )
        group_entries = [Assignment(role, org, group) for role, org in state.group_assignments[group]]
        entries = [*self._entries(user), *group_entries]
        check_ssd(state, self._cache, user, entries)
        self._check_sessions_dsd(user, entries)
        check_user_max_roles(state, user, entries)
        for role in sorted({entry.role for entry in group_entries}):
            check_role_max_users(state, role, {user})
        state.groups[group].add(user)
        state.user_groups.setdefault(user, set()).add(group)
        self._changed()

    def remove_group_member(self, group: str, user: str) -> None:
        self._group(group)
        self._user(user)
        if user not in self._state.groups[group]:
            raise NotFound(
                f"« {user} » n'est pas membre du groupe « {group} ».", code="member_not_found", group=group,
                user=user,
            )
        self._state.groups[group].discard(user)
        self._state.user_groups[user].discard(group)
        self._changed()
        self._drop_unauthorized_session_roles([user])

    def assign_group(self, group: str, role: str, org: str | None = None) -> None:
        """Assign ``role`` (in ``org``) to every member of ``group``, now and future ones."""
        self._group(group)
        self._role(role)
        org = self._org(org)
        state = self._state
        if (role, org) in state.group_assignments[group]:
            raise AlreadyExists(
                f"Le rôle « {role} » est déjà affecté au groupe « {group} »" + (f" dans « {org} »." if org else "."),
                code="group_assignment_exists", group=group, role=role, org=org,
            )
        members = state.groups[group]
        for user in sorted(members):
            entries = [*user_assignments(state, user), Assignment(role, org, group)]
            check_ssd(state, self._cache, user, entries)
            self._check_sessions_dsd(user, entries)
            check_user_max_roles(state, user, entries)
        check_role_max_users(state, role, members)
        state.group_assignments[group].add((role, org))
        state.role_group_assignments.setdefault(role, set()).add((group, org))
        self._changed()

    def deassign_group(self, group: str, role: str, org: str | None = None) -> None:
        self._group(group)
        self._role(role)
        org = self._org(org)
        state = self._state
        if (role, org) not in state.group_assignments[group]:
            raise NotFound(
                f"Le rôle « {role} » n'est pas affecté au groupe « {group} »" + (f" dans « {org} »." if org else "."),
                code="group_assignment_not_found", group=group, role=role, org=org,
            )
        state.group_assignments[group].discard((role, org))
        state.role_group_assignments[role].discard((group, org))
        self._changed()
        self._drop_unauthorized_session_roles(state.groups[group])

    # -- cardinalities (ENG-6) and role properties -----------------------------------------------------------------
    def set_role_max_users(self, role: str, cardinality: int | None) -> None:
        """At most ``cardinality`` users assigned to ``role`` (1 = a unique role); None lifts the limit."""
        self._role(role)
        if cardinality is not None:
            require_cardinality(cardinality, 1)
            count = len(users_assigned_to(self._state, role))
            if count > cardinality:
                raise ConstraintViolation(
                    f"Le rôle « {role} » est déjà affecté à {count} utilisateurs, plus que {cardinality}.",
                    code="role_max_users", role=role,
                )
        self._state.roles[role].max_users = cardinality
        self._changed()

    def set_user_max_roles(self, user: str, cardinality: int | None) -> None:
        self._user(user)
        if cardinality is not None:
            require_cardinality(cardinality, 1)
            count = len({entry.role for entry in self._entries(user)})
            if count > cardinality:
                raise ConstraintViolation(
                    f"L'utilisateur « {user} » a déjà {count} rôles affectés, plus que {cardinality}.",
                    code="user_max_roles", user=user,
                )
        self._state.users[user].max_roles = cardinality
        self._changed()

    def set_user_max_sessions(self, user: str, cardinality: int | None) -> None:
        """At most ``cardinality`` sessions of ``user`` at once (None lifts the limit). Sessions already open
        stay open, as an open session keeps its roles (ANSI checks at creation): a new one is refused until
        fewer than ``cardinality`` remain — so a policy built afresh and one changed in place agree."""
        self._user(user)
        if cardinality is not None:
            require_cardinality(cardinality, 1)
        self._state.users[user].max_sessions = cardinality
        self._changed()

    def set_role_descends(self, role: str, descends: bool) -> None:
        """Whether the role's authority in an org unit reaches the unit's sub-units (thesis 4.5.2)."""
        self._role(role)
        if not isinstance(descends, bool):
            raise InvalidArgument("« descends » doit être un booléen.", code="wrong_type", parameter="descends")
        record = self._state.roles[role]
        previous, record.descends = record.descends, descends
        try:  # (role, org) SoD members depend on where the role's authority reaches
            self._verify_sod_for_users(users_authorized_for_any(self._state, self._cache, [role]))
        except ConstraintViolation:
            record.descends = previous
            raise
        self._changed()

    def org_units(self) -> dict[str, str | None]:
        """Every org unit with its parent."""
        return dict(self._state.orgs)

    def group_members(self, group: str) -> set[str]:
        return set(self._state.groups[self._group(group)])

    def user_groups(self, user: str) -> set[str]:
        return set(self._state.user_groups.get(self._user(user), ()))

    def groups(self) -> set[str]:
        return set(self._state.groups)
