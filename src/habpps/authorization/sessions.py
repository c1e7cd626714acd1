"""Engine sessions of the web (ENG-1, ENG-2 dynamic separation of duty): which of a person's roles are active.

A web login opens an engine session (`open_session`): every role the person is authorised for is active, except
where a dynamic separation-of-duty set (DSD) forbids holding its roles together in one session — there the
first roles of the set (by name) are active, and the person chooses which to activate with the role switcher in
the header (`activate`, a plain form, no JavaScript). The engine checks every activation (`RBAC.create_session`:
authorised roles, DSD sets, temporal and activation constraints) in the request's context (`activation_context`:
the time, the client's address; the person's stored attributes are the engine's own); the chosen roles are kept
in the Django session, and every decision of the pages (`habpps.authorization.decisions`) is taken with only
those roles active. A profile whose activation constraints (« Conditions d'activation ») do not hold at login
is left inactive for the session, and the person is told why in the engine's words. A person whose roles meet
no DSD set and whose activation constraints all hold keeps the fast path: no restriction is stored, all roles
decide.
"""

from __future__ import annotations

import contextlib
import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from habpps.authorization.policy_cache import current_policy
from habpps.authorization.request_context import decision_context
from habpps.engine import RBACError

ACTIVE_ROLES_KEY = "habpps_active_roles"
"""Django session key: the codes of the active roles (absent: all authorised roles are active)."""
ENGINE_SESSION_KEY = "habpps_engine_session"
"""Django session key: the id of the engine session the login opened."""


@dataclass(frozen=True)
class RoleChoice:
    """A DSD set the person holds too many roles of: which of them may be active together, and which are."""

    name: str
    cardinality: int
    roles: tuple[str, ...]
    """Codes of the person's authorised roles in the set, sorted."""


def _member_role(member: Any) -> str:
    return member if isinstance(member, str) else member[0]


def choices_for(login: str, rbac: Any | None = None) -> list[RoleChoice]:
    """The DSD sets that make ``login`` choose: those of which it is authorised for ``cardinality`` roles or more."""
    rbac = rbac if rbac is not None else current_policy().rbac
    try:
        authorized = rbac.authorized_roles(login)
    except RBACError:
        return []
    result = []
    for name in sorted(rbac.dsd_role_sets()):
        held = sorted({_member_role(m) for m in rbac.dsd_role_set_roles(name)} & authorized)
        cardinality = rbac.dsd_role_set_cardinality(name)
        if len(held) >= cardinality:
            result.append(RoleChoice(name, cardinality, tuple(held)))
    return result


def default_roles(login: str, rbac: Any, choices: list[RoleChoice]) -> set[str]:
    """Every authorised role, but only the first ``cardinality - 1`` of each set that makes the person choose."""
    active = set(rbac.authorized_roles(login))
    for choice in choices:
        active -= set(choice.roles[choice.cardinality - 1 :])
    return active


ACTIVATION_REFUSED = "activation_condition"
"""The engine's code for an activation its activation constraints refuse."""


def activation_context() -> dict[str, Any]:
    """The context the engine checks activation constraints in: the request's time and client address (the
    person's stored attributes are laid over by the engine itself)."""
    return decision_context()


def conditioned_roles(login: str, rbac: Any) -> set[str]:
    """The roles ``login`` is authorised for whose activation depends on contextual constraints."""
    try:
        authorized = rbac.authorized_roles(login)
    except RBACError:
        return set()
    linked = rbac._state.activation_constraints
    return {role for role in authorized if linked.get(role)}


def refusal_text(error: RBACError) -> str:
    """The engine's refusal of an activation in a person's words: the profile by its name, the failed condition."""
    if getattr(error, "code", None) != ACTIVATION_REFUSED:
        return str(error)
    from habpps.authorization.stored import ServiceRole

    role, junior = error.details.get("role", ""), error.details.get("junior")
    names = dict(ServiceRole.objects.filter(code__in=[role, junior]).values_list("code", "name"))
    failure = (error.details.get("failure") or {}).get("message", error.message)
    if junior:  # the condition is the junior's: the senior brings its permissions, so it is refused too
        return (f"le profil « {names.get(role, role)} » ne peut pas être activé : il comprend le profil "
                f"« {names.get(junior, junior)} », dont la condition d'activation n'est pas remplie ({failure})")
    return f"le profil « {names.get(role, role)} » ne peut pas être activé : {failure}"


def engine_session_id(session_key: str | None) -> str:
    """The engine's name of the web session ``session_key`` (a digest: the key itself is the cookie's secret)."""
    if not session_key:
        return f"web-{uuid.uuid4().hex[:24]}"
    return "web-" + hashlib.sha256(session_key.encode()).hexdigest()[:24]


def _engine_session(rbac: Any, login: str, roles: set[str], session: str) -> str:
    """(Re)open the engine session ``session`` with ``roles`` active (the engine refuses what breaks a rule,
    activation constraints in the request's context); on a refusal the session keeps the roles it had."""
    previous = None
    if session in rbac.user_sessions(login):
        previous = rbac.session_roles(session)
        rbac.delete_session(login, session)
    try:
        rbac.create_session(login, session, sorted(roles), context=activation_context())
    except RBACError:
        if previous is not None:
            with contextlib.suppress(RBACError):  # the conditions no longer hold: the next login re-counts it
                rbac.create_session(login, session, sorted(previous), context=activation_context())
        raise
    return session


# -- the account's maximum of sessions open at once (ENG-6) ------------------------------------------------------------
SESSION_LIMIT_REFUSED = "user_max_sessions"
"""The engine's code for a session its user's maximum of sessions refuses."""


def session_limit(login: str) -> int | None:
    """The most sessions ``login`` may have open at once, as the engine holds it; None: the account has no
    limit of its own and the platform's one-session rule (AUT-6) applies."""
    try:
        return current_policy().rbac.user_max_sessions(login)
    except RBACError:
        return None


def admit_login(login: str, live_keys: Iterable[str]) -> None:
    """Whether ``login`` may open one more session: the engine decides (ENG-6, `RBAC.create_session`).

    The engine's sessions of the account are first made exactly its live web sessions (``live_keys``: the
    Django session keys the platform counts — not ended by a logout, an administrator or a suspension, not idle
    past the timeout), so that a session that ended never counts and every server process counts the same.
    Raises the engine's refusal (`RBACError`, code ``user_max_sessions``)."""
    rbac = current_policy().rbac
    wanted = {engine_session_id(key) for key in live_keys}
    current = rbac.user_sessions(login)
    for ended in sorted(current - wanted):
        rbac.delete_session(login, ended)
    for live in sorted(wanted - current):  # opened by another process, or before the policy was rebuilt
        try:
            rbac.create_session(login, live, [])
        except RBACError:
            break  # the account already holds its maximum: the probe below is refused
    probe = f"connexion-{uuid.uuid4().hex[:12]}"
    rbac.create_session(login, probe, [])
    rbac.delete_session(login, probe)


def session_limit_text(error: RBACError, idle_minutes: int, live: int | None = None) -> str:
    """The engine's refusal of one more session, in the person's words (``live``: the sessions open, when the
    engine counted fewer — a maximum lowered below them)."""
    maximum = error.details.get("maximum")
    count = max(live or 0, error.details.get("count", maximum))
    if count == 1:
        opened = "Vous avez déjà une session ouverte sur un autre poste ou navigateur"
    else:
        opened = f"Vous avez déjà {count} sessions ouvertes sur d'autres postes ou navigateurs"
    limit = "une seule" if maximum == 1 else f"{maximum} sessions"
    return (f"{opened} : votre compte est limité à {limit} à la fois. Déconnectez-vous de l'une d'elles, ou "
            f"attendez qu'elle se ferme d'elle-même après {idle_minutes} minutes d'inactivité ; un administrateur "
            "de votre compte peut aussi la fermer.")


def open_session(request: Any, account: Any) -> list[str]:
    """At login: open the account's engine session with its default roles, remembered in the Django session.

    A role the engine refuses to activate here (its activation constraints do not hold in the request's context)
    is left out and the session opened with the others; returns those refusals in a person's words."""
    request.session.pop(ACTIVE_ROLES_KEY, None)
    rbac = current_policy().rbac
    choices = choices_for(account.login, rbac)
    conditioned = conditioned_roles(account.login, rbac)
    if not choices and not conditioned:
        return []
    roles = default_roles(account.login, rbac, choices)
    refusals: list[str] = []
    while True:
        try:
            request.session[ENGINE_SESSION_KEY] = _engine_session(
                rbac, account.login, roles, engine_session_id(getattr(request.session, "session_key", None)))
        except RBACError as error:
            refused = error.details.get("role") if getattr(error, "code", None) == ACTIVATION_REFUSED else None
            if refused in roles:
                roles.discard(refused)
                refusals.append(refusal_text(error))
                continue
            roles = (set(rbac.authorized_roles(account.login)) - {r for c in choices for r in c.roles}
                     - conditioned)
        break
    if choices or refusals:  # else every role passed its conditions: the fast path, all authorised roles decide
        request.session[ACTIVE_ROLES_KEY] = sorted(roles)
    return refusals


def activate(request: Any, account: Any, chosen: dict[str, str]) -> None:
    """Activate, in each DSD set of ``chosen`` (set name → role code), that role instead of the set's others.

    Raises the engine's refusal (`RBACError`, French message) when the engine refuses the activation.
    """
    rbac = current_policy().rbac
    choices = {choice.name: choice for choice in choices_for(account.login, rbac)}
    active = set(request.session.get(ACTIVE_ROLES_KEY) or default_roles(account.login, rbac, list(choices.values())))
    for name, role in chosen.items():
        choice = choices.get(name)
        if choice is None or role not in choice.roles:
            raise ValueError("Ce rôle ne fait pas partie de ceux que vous pouvez activer.")
        active = (active - set(choice.roles)) | {role}
    request.session[ENGINE_SESSION_KEY] = _engine_session(
        rbac, account.login, active, engine_session_id(getattr(request.session, "session_key", None))
    )
    request.session[ACTIVE_ROLES_KEY] = sorted(active)


def active_roles_of(request: Any) -> frozenset[str] | None:
    """The roles active in the request's session (None: all authorised roles)."""
    roles = request.session.get(ACTIVE_ROLES_KEY)
    return None if roles is None else frozenset(roles)


def validate_activation(login: str, roles: list[str], context: dict[str, Any] | None = None) -> None:
    """Whether the engine lets ``login`` activate ``roles`` together (decision API ``active_roles``) in the
    request ``context`` (time, client address, subject attributes: activation constraints read them): the
    engine's checks of a session opening, without opening one (a decision is not one of the person's sessions:
    their maximum of sessions does not count); raises the engine's refusal."""
    current_policy().rbac.check_activation(login, roles, context=context, session=f"api-{uuid.uuid4().hex}")
