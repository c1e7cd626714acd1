"""Static and dynamic separation of duty (ANSI 359 §6.3–6.4) and cardinality constraints (ENG-6).

Each check evaluates the state a call *would* produce and raises `ConstraintViolation` before anything
changes. SSD counts the members a user is *authorized* for (hierarchy included); DSD counts the members a
session holds through its active roles and the juniors they inherit.
"""

from __future__ import annotations

from collections.abc import Iterable

from habpps.engine.authority import dsd_members_held, ssd_members_held, users_assigned_to
from habpps.engine.errors import ConstraintViolation
from habpps.engine.hierarchy import HierarchyCache
from habpps.engine.model import Assignment, PolicyState, SodMember, SodSet


def describe_member(member: SodMember) -> str:
    return member if isinstance(member, str) else f"{member[0]} (dans {member[1]})"


def _describe_members(members: Iterable[SodMember]) -> str:
    return ", ".join(sorted(describe_member(m) for m in members))


def check_ssd(
    state: PolicyState,
    cache: HierarchyCache,
    user: str,
    entries: list[Assignment],
    sets: dict[str, SodSet] | None = None,
) -> None:
    """Refuse when ``user`` with these assignments would be authorized for ``cardinality`` members of a set."""
    for name, sod in sorted((sets if sets is not None else state.ssd_sets).items()):
        held = ssd_members_held(state, cache, entries, sod)
        if len(held) >= sod.cardinality:
            raise ConstraintViolation(
                f"Séparation statique des tâches « {name} » : l'utilisateur « {user} » serait habilité à "
                f"{len(held)} rôles de l'ensemble ({_describe_members(held)}), le maximum autorisé est "
                f"{sod.cardinality - 1}.",
                code="ssd_violation",
                set=name,
                user=user,
                members=held,
            )


def check_dsd(
    state: PolicyState,
    cache: HierarchyCache,
    user: str,
    entries: list[Assignment],
    active_roles: Iterable[str],
    sets: dict[str, SodSet] | None = None,
    session: str | None = None,
) -> None:
    """Refuse when a session would hold ``cardinality`` members of a DSD set among its active roles."""
    active = list(active_roles)
    for name, sod in sorted((sets if sets is not None else state.dsd_sets).items()):
        held = dsd_members_held(state, cache, entries, active, sod)
        if len(held) >= sod.cardinality:
            where = f"la session « {session} »" if session else "la session"
            raise ConstraintViolation(
                f"Séparation dynamique des tâches « {name} » : {where} de « {user} » activerait "
                f"{len(held)} rôles de l'ensemble ({_describe_members(held)}), le maximum autorisé est "
                f"{sod.cardinality - 1}.",
                code="dsd_violation",
                set=name,
                user=user,
                session=session,
                members=held,
            )


def check_user_max_roles(state: PolicyState, user: str, entries: list[Assignment]) -> None:
    record = state.users.get(user)
    if record is None or record.max_roles is None:
        return
    count = len({entry.role for entry in entries})
    if count > record.max_roles:
        raise ConstraintViolation(
            f"L'utilisateur « {user} » aurait {count} rôles affectés ; son maximum est {record.max_roles}.",
            code="user_max_roles",
            user=user,
            maximum=record.max_roles,
        )


def check_role_max_users(state: PolicyState, role: str, new_users: set[str]) -> None:
    """Refuse when assigning ``role`` to ``new_users`` would exceed its maximum number of users."""
    record = state.roles.get(role)
    if record is None or record.max_users is None:
        return
    count = len(users_assigned_to(state, role) | new_users)
    if count > record.max_users:
        raise ConstraintViolation(
            f"Le rôle « {role} » serait affecté à {count} utilisateurs ; son maximum est "
            f"{record.max_users}.",
            code="role_max_users",
            role=role,
            maximum=record.max_users,
        )


def check_user_max_sessions(state: PolicyState, user: str) -> None:
    """Refuse a new session of ``user`` when it already has its maximum of sessions open (ENG-6)."""
    record = state.users.get(user)
    if record is None or record.max_sessions is None:
        return
    count = len(state.user_sessions.get(user, ()))
    if count >= record.max_sessions:
        raise ConstraintViolation(
            f"L'utilisateur « {user} » a déjà {count} session(s) active(s) ; son maximum est "
            f"{record.max_sessions}.",
            code="user_max_sessions",
            user=user,
            count=count,
            maximum=record.max_sessions,
        )
