"""SSD and DSD set administration (ANSI 359 §7.3.1, §7.4.1) — `create_ssd_set` … `set_dsd_set_cardinality`.

SSD and DSD sets share their shape (named role set + cardinality n ≥ 2: nobody may hold n or more of them);
they differ only in what "hold" means, so one private implementation serves both families of public functions.
Members may be roles or (role, org) pairs (ENG-3).
"""

from __future__ import annotations

from typing import Any

from habpps.engine.authority import users_authorized_for_any
from habpps.engine.base import SOD_LABEL as _LABEL
from habpps.engine.base import EngineCore, Kind, require_cardinality, require_name
from habpps.engine.constraints import check_dsd, check_ssd, describe_member
from habpps.engine.errors import AlreadyExists, ConstraintViolation, InvalidArgument, NotFound
from habpps.engine.model import SodMember, SodSet, member_role


class SeparationOfDutyFunctions(EngineCore):
    # -- SSD ----------------------------------------------------------------------------------------------------
    def create_ssd_set(self, name: str, roles: Any, cardinality: int) -> None:
        """CreateSsdSet: new name, roles ⊆ ROLES, 2 ≤ n ≤ |roles|, and no user is authorized for n of them."""
        self._create_set("ssd", name, roles, cardinality)

    def delete_ssd_set(self, name: str) -> None:
        """DeleteSsdSet: the set exists."""
        self._delete_set("ssd", name)

    def add_ssd_role_member(self, name: str, role: Any) -> None:
        """AddSsdRoleMember: role ∈ ROLES, not yet a member; the constraint still holds for every user."""
        self._add_member("ssd", name, role)

    def delete_ssd_role_member(self, name: str, role: Any) -> None:
        """DeleteSsdRoleMember: role is a member and n < |roles| (the set keeps at least n members)."""
        self._delete_member("ssd", name, role)

    def set_ssd_set_cardinality(self, name: str, cardinality: int) -> None:
        """SetSsdSetCardinality: 2 ≤ n ≤ |roles| and the constraint holds with the new n."""
        self._set_cardinality("ssd", name, cardinality)

    # -- DSD ----------------------------------------------------------------------------------------------------
    def create_dsd_set(self, name: str, roles: Any, cardinality: int) -> None:
        """CreateDsdSet: new name, roles ⊆ ROLES, 2 ≤ n ≤ |roles|; no live session breaks it."""
        self._create_set("dsd", name, roles, cardinality)

    def delete_dsd_set(self, name: str) -> None:
        """DeleteDsdSet: the set exists."""
        self._delete_set("dsd", name)

    def add_dsd_role_member(self, name: str, role: Any) -> None:
        """AddDsdRoleMember: role ∈ ROLES, not yet a member; no live session breaks the set afterwards."""
        self._add_member("dsd", name, role)

    def delete_dsd_role_member(self, name: str, role: Any) -> None:
        """DeleteDsdRoleMember: role is a member and n < |roles|."""
        self._delete_member("dsd", name, role)

    def set_dsd_set_cardinality(self, name: str, cardinality: int) -> None:
        """SetDsdSetCardinality: 2 ≤ n ≤ |roles|; no live session breaks the set with the new n."""
        self._set_cardinality("dsd", name, cardinality)

    # -- shared implementation ----------------------------------------------------------------------------------
    def _verify(self, kind: Kind, name: str, candidate: SodSet) -> None:
        """Refuse when a user (SSD) or a live session (DSD) would break the candidate set."""
        state = self._state
        users = users_authorized_for_any(state, self._cache, {member_role(m) for m in candidate.members})
        for user in sorted(users):
            entries = self._entries(user)
            if kind == "ssd":
                check_ssd(state, self._cache, user, entries, sets={name: candidate})
                continue
            for session_id in sorted(state.user_sessions.get(user, ())):
                check_dsd(
                    state, self._cache, user, entries, state.sessions[session_id].active_roles,
                    sets={name: candidate}, session=session_id,
                )

    @staticmethod
    def _check_cardinality_fits(cardinality: int, members: set[SodMember]) -> None:
        if cardinality > len(members):
            raise InvalidArgument(
                f"La cardinalité {cardinality} dépasse le nombre de rôles de l'ensemble ({len(members)}).",
                code="cardinality_exceeds_members",
            )

    def _create_set(
        self, kind: Kind, name: Any, roles: Any, cardinality: Any, *, allow_fewer_members: bool = False
    ) -> None:
        require_name(name, "name")
        if name in self._sets(kind):
            raise AlreadyExists(
                f"L'ensemble de séparation {_LABEL[kind]} « {name} » existe déjà.", code=f"{kind}_set_exists",
                name=name,
            )
        members = self._sod_members(roles)
        require_cardinality(cardinality, 2)
        if not allow_fewer_members:  # a loaded policy may hold a set a role deletion shrank below n
            self._check_cardinality_fits(cardinality, members)
        candidate = SodSet(members=members, cardinality=cardinality)
        self._verify(kind, name, candidate)
        self._sets(kind)[name] = candidate
        self._changed()

    def _delete_set(self, kind: Kind, name: Any) -> None:
        self._existing_set(kind, name)
        del self._sets(kind)[name]
        self._changed()

    def _add_member(self, kind: Kind, name: Any, role: Any) -> None:
        sod = self._existing_set(kind, name)
        member = self._sod_member(role)
        if member in sod.members:
            raise AlreadyExists(
                f"« {describe_member(member)} » appartient déjà à l'ensemble « {name} ».",
                code=f"{kind}_member_exists", name=name,
            )
        candidate = SodSet(members=sod.members | {member}, cardinality=sod.cardinality)
        self._verify(kind, name, candidate)
        sod.members = candidate.members
        self._changed()

    def _delete_member(self, kind: Kind, name: Any, role: Any) -> None:
        sod = self._existing_set(kind, name)
        member = _named_member(role)
        if member not in sod.members:
            require_name(member[0] if isinstance(member, tuple) else member, "role")
            raise NotFound(
                f"« {describe_member(member)} » n'appartient pas à l'ensemble « {name} ».",
                code=f"{kind}_member_not_found", name=name,
            )
        if not sod.cardinality < len(sod.members):
            raise ConstraintViolation(
                f"Impossible de retirer « {describe_member(member)} » : l'ensemble « {name} » garderait moins de "
                f"rôles ({len(sod.members) - 1}) que sa cardinalité ({sod.cardinality}).",
                code="cardinality_exceeds_members", name=name,
            )
        sod.members.discard(member)
        self._changed()

    def _set_cardinality(self, kind: Kind, name: Any, cardinality: Any) -> None:
        sod = self._existing_set(kind, name)
        require_cardinality(cardinality, 2)
        self._check_cardinality_fits(cardinality, sod.members)
        candidate = SodSet(members=set(sod.members), cardinality=cardinality)
        self._verify(kind, name, candidate)
        sod.cardinality = cardinality
        self._changed()


def _named_member(role: Any) -> Any:
    """The SoD member a caller names, without checking it exists: a role, or a (role, org) pair — (role, None)
    being the plain role, as `_sod_member` stores it."""
    if isinstance(role, (list, tuple)):
        role = tuple(role)
        if len(role) == 2 and role[1] is None:
            return role[0]
    return role
