"""Administrative RBAC (ENG-12): who may assign, revoke and manage whom — Fortress's `DelAdminMgr` /
`DelAccessMgr`, the basis of fund admins, partner admins and partner delegates (ADM-4).

- An administrative role carries an `Authority` (roles and a role range, org units, groups, abilities); users
  hold it through administrative assignments, optionally in one org unit (a partner admin in its partner).
- A user may delegate part of its authority to another (the partner delegate's sub-perimeter). A delegation's
  effective authority is its declared authority intersected with the grantor's *current* effective authority,
  so it shrinks when the grantor's does, and creating one that exceeds the grantor's is refused: nobody grants
  more than they hold.
- A perimeter on an org unit (the partner's validated convention: allowed profiles, per-profile user limits)
  narrows every grant made in that unit and below.

`can_assign`, `can_revoke`, `can_manage_user`, `can_assign_group`, `can_add_group_member`, `can_create_group`,
`can_assign_admin`, `can_delegate` answer with an `AdminDecision` and its explanation; the administrative functions
take ``actor=`` and refuse when it is denied.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from habpps.engine.authority import org_lineage
from habpps.engine.base import EngineCore, require_name
from habpps.engine.delegation_model import (
    ABILITIES,
    ABILITY_LABELS,
    AdminDecision,
    AdminRole,
    Authority,
    Delegation,
    Perimeter,
    org_within,
)
from habpps.engine.errors import AlreadyExists, ConstraintViolation, InvalidArgument, NotFound

_DEFAULT_ABILITIES = ("assign", "revoke", "manage_user")


def _allowed(roles: Iterable[str]) -> str:
    """The roles a perimeter allows, each quoted as the engine quotes every name (so that a page can show them
    by their labels): « autorisés : « T1 », « T2 » », or that none is."""
    names = sorted(roles)
    return "autorisés : " + ", ".join(f"« {r} »" for r in names) if names else "aucun profil autorisé"


class DelegatedAdministration(EngineCore):
    # -- administrative roles -------------------------------------------------------------------------------------
    def add_admin_role(
        self, name: str, roles: Iterable[str] = (), role_range: tuple[str, str] | None = None,
        orgs: Iterable[str] | None = None, groups: Iterable[str] | None = None,
        abilities: Iterable[str] = _DEFAULT_ABILITIES,
    ) -> None:
        """Create an administrative role with authority over ``roles`` and the range ``(low, high)`` of the
        hierarchy, in ``orgs`` (None: the org unit of each administrative assignment, or everywhere)."""
        require_name(name, "name")
        if name in self._state.admin_roles:
            raise AlreadyExists(f"Le rôle administratif « {name} » existe déjà.", code="admin_role_exists",
                                name=name)
        role_set = self._role_set(roles)
        if role_range is not None:
            if not isinstance(role_range, (tuple, list)) or len(role_range) != 2:
                raise InvalidArgument("Une plage de rôles s'écrit (rôle bas, rôle haut).", code="invalid_range")
            low, high = self._role(role_range[0]), self._role(role_range[1])
            if low not in self._cache.juniors_closure(high):
                raise InvalidArgument(f"« {high} » n'hérite pas de « {low} » : la plage est vide.",
                                      code="invalid_range")
            role_range = (low, high)
        self._state.admin_roles[name] = AdminRole(
            name, role_set, role_range, self._org_set(orgs), self._group_set(groups), self._abilities(abilities))
        self._changed()

    def redefine_admin_role(
        self, name: str, roles: Iterable[str] = (), role_range: tuple[str, str] | None = None,
        orgs: Iterable[str] | None = None, groups: Iterable[str] | None = None,
        abilities: Iterable[str] = _DEFAULT_ABILITIES,
    ) -> None:
        """Change what an existing administrative role covers, keeping its administrative assignments (a
        partner's convention grants another profile: its administrators keep their role, over the new list).
        Validated as `add_admin_role`; a refused definition leaves the former one in place."""
        former = self._admin_role(name)
        del self._state.admin_roles[name]
        try:
            self.add_admin_role(name, roles, role_range, orgs, groups, abilities)
        except BaseException:
            self._state.admin_roles[name] = former
            raise

    def delete_admin_role(self, name: str) -> None:
        """Delete an administrative role and its administrative assignments."""
        self._admin_role(name)
        del self._state.admin_roles[name]
        for pairs in self._state.admin_assignments.values():
            for pair in [p for p in pairs if p[0] == name]:
                pairs.discard(pair)
        self._changed()

    def admin_roles(self) -> dict[str, AdminRole]:
        return dict(self._state.admin_roles)

    def assign_admin(self, user: str, admin_role: str, org: str | None = None, *, actor: str | None = None) -> None:
        """Give ``user`` the administrative role, in ``org`` (and below) when given — inside the role's orgs; with
        ``actor``, only within its authority (`can_assign_admin`)."""
        self._user(user)
        if actor is not None:
            self._require(self.can_assign_admin(actor, user, admin_role, org))
        definition = self._admin_role(admin_role)
        org = self._org(org)
        if org is not None and not org_within(org, definition.orgs, self._lineage):
            raise ConstraintViolation(
                f"L'unité « {org} » est hors des unités du rôle administratif « {admin_role} ».",
                code="admin_org_out_of_scope", org=org,
            )
        pairs = self._state.admin_assignments.setdefault(user, set())
        if (admin_role, org) in pairs:
            raise AlreadyExists(f"« {user} » a déjà le rôle administratif « {admin_role} ».",
                                code="admin_assignment_exists")
        pairs.add((admin_role, org))
        self._changed()

    def deassign_admin(self, user: str, admin_role: str, org: str | None = None) -> None:
        self._user(user)
        self._admin_role(admin_role)
        org = self._org(org)
        pairs = self._state.admin_assignments.get(user, set())
        if (admin_role, org) not in pairs:
            raise NotFound(f"« {user} » n'a pas le rôle administratif « {admin_role} ».",
                           code="admin_assignment_not_found")
        pairs.discard((admin_role, org))
        self._changed()

    def set_user_org(self, user: str, org: str | None) -> None:
        """The org unit a user account belongs to (its partner): what `can_manage_user` scopes."""
        self._user(user)
        org = self._org(org)
        if org is None:
            self._state.user_orgs.pop(user, None)
        else:
            self._state.user_orgs[user] = org
        self._changed()

    def user_org(self, user: str) -> str | None:
        return self._state.user_orgs.get(self._user(user))

    # -- delegation -------------------------------------------------------------------------------------------
    def delegate_authority(
        self, name: str, grantor: str, grantee: str, roles: Iterable[str], orgs: Iterable[str] | None = None,
        groups: Iterable[str] | None = None, abilities: Iterable[str] = _DEFAULT_ABILITIES,
    ) -> None:
        """``grantor`` hands ``grantee`` authority over ``roles`` in ``orgs`` (None: everywhere the grantor
        may act), for ``groups``. Refused unless one authority of the grantor with the ``delegate`` ability
        includes all of it: nobody grants more than they hold."""
        require_name(name, "name")
        if name in self._state.delegations:
            raise AlreadyExists(f"La délégation « {name} » existe déjà.", code="delegation_exists", name=name)
        self._user(grantor, "user")
        self._user(grantee, "user")
        if grantor == grantee:
            raise InvalidArgument("On ne se délègue pas à soi-même.", code="self_delegation")
        if grantee in self._delegation_ancestors(grantor):
            raise ConstraintViolation(
                f"« {grantee} » est déjà à l'origine de l'autorité de « {grantor} » : la délégation formerait "
                "un cycle.", code="delegation_cycle",
            )
        delegation = Delegation(name, grantor, grantee, self._role_set(roles), self._org_set(orgs),
                                self._group_set(groups), self._abilities(abilities))
        decision = self._delegation_decision(delegation)
        if not decision:
            raise ConstraintViolation(decision.message, code="delegation_exceeds_authority", grantor=grantor)
        self._state.delegations[name] = delegation
        self._changed()

    def can_delegate(
        self, grantor: str, roles: Iterable[str], orgs: Iterable[str] | None = None,
        groups: Iterable[str] | None = None, abilities: Iterable[str] = _DEFAULT_ABILITIES,
    ) -> AdminDecision:
        """Would ``grantor`` be allowed to hand over this authority (`delegate_authority`)? Asked by a page
        before it stores a delegation, so that the refusal is the engine's: nobody grants more than they hold."""
        target: dict[str, Any] = {"grantor": grantor}
        if grantor not in self._state.users:
            return AdminDecision(False, grantor, "delegate", target, "unknown_admin",
                                 f"Refusé : « {grantor} » est inconnu.")
        try:
            wanted = Delegation("?", grantor, grantor, self._role_set(roles), self._org_set(orgs),
                                self._group_set(groups), self._abilities(abilities))
        except NotFound as error:
            return AdminDecision(False, grantor, "delegate", target, "unknown", f"Refusé : {error}")
        return self._delegation_decision(wanted)

    def _delegation_decision(self, delegation: Delegation) -> AdminDecision:
        grantor = delegation.grantor
        target: dict[str, Any] = {"grantor": grantor, "roles": sorted(delegation.roles)}
        wanted = delegation.declared()
        authorities = self.effective_authorities(grantor)
        held = [a for a in authorities if "delegate" in a.abilities]
        if not held:
            why = (f"{authorities[0].source} ne permet pas de déléguer" if authorities
                   else "il n'a aucun rôle administratif ni délégation")
            return AdminDecision(False, grantor, "delegate", target,
                                 "missing_ability" if authorities else "no_authority",
                                 f"Refusé : « {grantor} » ne peut pas déléguer : {why}.")
        for authority in held:
            if authority.includes(self._bounded(wanted, authority), self._lineage):
                return AdminDecision(True, grantor, "delegate", target, "granted",
                                     f"Autorisé : « {grantor} » peut déléguer cette autorité par "
                                     f"{authority.source}.", authority)
        best = held[0] if held else None
        outside = sorted(wanted.roles - best.roles) if best else sorted(wanted.roles)
        if best is not None and outside:
            target["outside_roles"] = outside
        return AdminDecision(False, grantor, "delegate", target,
                             "roles_out_of_authority" if best is not None and outside else "exceeds_authority",
                             f"Refusé : « {grantor} » ne peut pas déléguer plus qu'il ne détient : "
                             + self._exceeds(wanted, held))

    def _restore_delegation(self, name: str, grantor: str, grantee: str, roles: Iterable[str],
                            orgs: Iterable[str] | None, groups: Iterable[str] | None,
                            abilities: Iterable[str]) -> None:
        """Load a delegation from a policy document as it was declared. Its grantor's authority may have
        shrunk since it was made; that is safe, since a delegation's effective authority is always
        intersected with its grantor's current one."""
        require_name(name, "name")
        if name in self._state.delegations:
            raise AlreadyExists(f"La délégation « {name} » existe déjà.", code="delegation_exists", name=name)
        self._user(grantor, "user")
        self._user(grantee, "user")
        if grantor == grantee or grantee in self._delegation_ancestors(grantor):
            raise ConstraintViolation("La délégation formerait un cycle.", code="delegation_cycle")
        self._state.delegations[name] = Delegation(name, grantor, grantee, self._role_set(roles),
                                                   self._org_set(orgs), self._group_set(groups),
                                                   self._abilities(abilities))
        self._changed()

    def revoke_delegation(self, name: str) -> None:
        require_name(name, "name")
        if name not in self._state.delegations:
            raise NotFound(f"Délégation inconnue : « {name} ».", code="delegation_not_found", name=name)
        del self._state.delegations[name]
        self._changed()

    def delegations(self) -> dict[str, Delegation]:
        return dict(self._state.delegations)

    # -- perimeters (the partner's validated convention) -----------------------------------------------------
    def set_perimeter(self, org: str, roles: Iterable[str], max_users: dict[str, int] | None = None) -> None:
        """Only ``roles`` may be granted in ``org`` and below, each to at most ``max_users[role]`` users."""
        org = self._org(org)
        if org is None:
            raise InvalidArgument("Un périmètre s'applique à une unité organisationnelle.", code="empty_name")
        role_set = self._role_set(roles)
        limits = dict(max_users or {})
        for role, limit in limits.items():
            if role not in role_set:
                raise InvalidArgument(f"Limite donnée pour « {role} », absent du périmètre.",
                                      code="limit_outside_perimeter")
            if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
                raise InvalidArgument(f"La limite d'utilisateurs de « {role} » doit être un entier ≥ 1.",
                                      code="wrong_type")
        self._state.perimeters[org] = Perimeter(org, role_set, limits)
        self._changed()

    def clear_perimeter(self, org: str) -> None:
        org = self._org(org)
        if self._state.perimeters.pop(org, None) is None:
            raise NotFound(f"Aucun périmètre sur « {org} ».", code="perimeter_not_found", org=org)
        self._changed()

    def perimeters(self) -> dict[str, Perimeter]:
        return dict(self._state.perimeters)

    def perimeter_decision(self, role: str, org: str | None, users: Iterable[str] = ()) -> AdminDecision:
        """Would granting ``role`` in ``org`` to ``users`` stay within the perimeters of ``org`` and its ancestors
        (allowed roles, per-role user limits)? The perimeter half of `can_assign`, for changes no administrator
        makes (the platform's own imports and seeding) and for asking before the administrator is known."""
        target: dict[str, Any] = {"role": role, "org": org}
        refusal = self._perimeter_refusal(self._role(role), self._org(org), set(users))
        if refusal:
            details = {**target, **refusal[2]}
            return AdminDecision(False, "", "assign", details, refusal[0], f"Refusé : {refusal[1]}.")
        return AdminDecision(True, "", "assign", target, "granted",
                             f"Autorisé : le profil « {role} » est dans les périmètres de « {org} ».")

    def holders_within(self, role: str, org: str) -> set[str]:
        """The users holding ``role`` through an assignment in ``org`` or below: what a perimeter's limit counts."""
        org = self._org(org)
        if org is None:
            raise InvalidArgument("Un périmètre s'applique à une unité organisationnelle.", code="empty_name")
        return self._holders_within(self._role(role), org)

    # -- authority ----------------------------------------------------------------------------------------------
    def effective_authorities(self, user: str) -> list[Authority]:
        """Every authority ``user`` holds now: from administrative roles, and from delegations (each
        intersected with its grantor's current authorities)."""
        self._user(user)
        return self._authorities(user, frozenset())

    # -- decisions ---------------------------------------------------------------------------------------------
    def can_assign(self, admin: str, user: str, role: str, org: str | None = None) -> AdminDecision:
        """May ``admin`` assign ``role`` (in ``org``) to ``user``? Ability, role range, org scope, the user's
        own org unit, then the perimeters of ``org`` and its ancestors."""
        target = {"user": user, "role": role, "org": org}
        return self._decide(admin, "assign", target, role=role, org=org, user=user, perimeter_users={user})

    def can_revoke(self, admin: str, user: str, role: str, org: str | None = None) -> AdminDecision:
        """May ``admin`` withdraw ``role`` (in ``org``) from ``user``? (Perimeters never prevent a revocation.)"""
        return self._decide(admin, "revoke", {"user": user, "role": role, "org": org}, role=role, org=org,
                            user=user)

    def can_manage_user(self, admin: str, user: str) -> AdminDecision:
        """May ``admin`` create, suspend, delete or edit the account ``user``? Its org unit must be in scope."""
        return self._decide(admin, "manage_user", {"user": user}, user=user)

    def can_create_user(self, admin: str, org: str | None) -> AdminDecision:
        """May ``admin`` create an account in ``org`` (its partner)? An account without org needs authority
        everywhere."""
        target = {"org": org}
        if admin not in self._state.users or (org is not None and org not in self._state.orgs):
            return AdminDecision(False, admin, "manage_user", target, "unknown",
                                 f"Refusé : « {admin if admin not in self._state.users else org} » est inconnu.")
        for authority in self._authorities(admin, frozenset()):
            if "manage_user" in authority.abilities and authority.covers_org(org, self._lineage):
                return AdminDecision(True, admin, "manage_user", target, "granted",
                                     f"Autorisé : « {admin} » peut créer un compte dans « {org} » par "
                                     f"{authority.source}.", authority)
        where = f"l'unité « {org} »" if org else "partout"
        return AdminDecision(False, admin, "manage_user", target, "org_out_of_scope",
                             f"Refusé : « {admin} » ne peut pas créer de compte dans {where}.")

    def can_create_group(self, admin: str, org: str) -> AdminDecision:
        """May ``admin`` create a group in ``org`` (its partner)? Needs an authority managing accounts in ``org``
        that is not limited to some groups: a delegate's authority lists its groups, and a new group is outside
        the list."""
        target: dict[str, Any] = {"org": org}

        def denied(reason: str, message: str) -> AdminDecision:
            return AdminDecision(False, admin, "create_group", target, reason, f"Refusé : {message}.")

        if admin not in self._state.users:
            return denied("unknown_admin", f"« {admin} » est inconnu")
        if org not in self._state.orgs:
            return denied("unknown_org", f"« {org} » est inconnu")
        authorities = self._authorities(admin, frozenset())
        if not authorities:
            return denied("no_authority", f"« {admin} » n'a aucun rôle administratif ni délégation")
        misses: list[tuple[int, str, str]] = []
        for authority in authorities:
            via = authority.source
            if "manage_user" not in authority.abilities:
                misses.append((0, "missing_ability", f"{via} ne permet pas de {ABILITY_LABELS['manage_user']}"))
            elif not authority.covers_org(org, self._lineage):
                misses.append((3, "org_out_of_scope", f"l'unité « {org} » est hors des unités de {via}"))
            elif authority.groups is not None:
                misses.append((5, "groups_limited", f"{via} est limitée à des groupes désignés : un nouveau "
                                                    "groupe serait hors de son périmètre"))
            else:
                return AdminDecision(True, admin, "create_group", target, "granted",
                                     f"Autorisé : « {admin} » peut créer un groupe dans « {org} » par {via}.",
                                     authority)
        misses.sort(key=lambda miss: -miss[0])
        return denied(misses[0][1], misses[0][2])

    def can_assign_admin(self, admin: str, user: str | None, admin_role: str, org: str | None = None
                         ) -> AdminDecision:
        """May ``admin`` give ``user`` the administrative role ``admin_role`` in ``org`` (default: the user's unit;
        ``user`` None: an account about to be created in ``org``)? Giving authority is delegating it: it needs the
        ``delegate`` ability over the user's unit, and the role's authority there within one held by ``admin`` —
        nobody grants more than he holds."""
        state = self._state
        target: dict[str, Any] = {"user": user, "admin_role": admin_role, "org": org}

        def denied(reason: str, message: str) -> AdminDecision:
            return AdminDecision(False, admin, "delegate", target, reason, f"Refusé : {message}.")

        for kind, name, known in (("admin", admin, state.users), ("user", user, state.users),
                                  ("org", org, state.orgs)):
            if name is not None and name not in known:
                return denied(f"unknown_{kind}", f"« {name} » est inconnu")
        user_org = state.user_orgs.get(user) if user is not None else None
        where = org if org is not None else user_org
        authorities = self._authorities(admin, frozenset())
        if not authorities:
            return denied("no_authority", f"« {admin} » n'a aucun rôle administratif ni délégation")
        misses: list[tuple[int, str, str]] = []
        held = []
        for authority in authorities:
            via = authority.source
            if "delegate" not in authority.abilities:
                misses.append((0, "missing_ability", f"{via} ne permet pas de {ABILITY_LABELS['delegate']} : "
                                                     "attribuer un rôle administratif, c'est déléguer"))
            elif not authority.covers_org(where, self._lineage):
                unit = f"l'unité « {where} »" if where else "une affectation sans unité (partout)"
                misses.append((3, "org_out_of_scope", f"{unit} est hors des unités de {via}"))
            elif user is not None and not self._user_in_scope(authority, user, user_org):
                unit = f"l'unité « {user_org} »" if user_org else "aucune unité"
                misses.append((4, "user_out_of_scope", f"le compte « {user} » ({unit}) est hors des unités de {via}"))
            else:
                held.append(authority)
        if not held:
            misses.sort(key=lambda miss: -miss[0])
            return denied(misses[0][1], misses[0][2])
        definition = state.admin_roles.get(admin_role)
        if definition is None:
            return denied("unknown_admin_role", f"rôle administratif inconnu : « {admin_role} »")
        wanted = self._admin_role_authority(definition, where)
        for authority in held:
            if authority.includes(wanted, self._lineage):
                return AdminDecision(True, admin, "delegate", target, "granted",
                                     f"Autorisé : « {admin} » peut attribuer le rôle administratif « {admin_role} » "
                                     f"par {authority.source}.", authority)
        return denied("exceeds_authority", f"« {admin} » ne peut pas attribuer le rôle administratif "
                                           f"« {admin_role} », plus qu'il ne détient : " + self._exceeds(wanted, held)
                      .removesuffix("."))

    def can_manage_group(self, admin: str, group: str) -> AdminDecision:
        """May ``admin`` administer ``group`` at all (see it, rename it, suspend it, change its members)? An
        authority limited to some groups (a delegate's) covers only those."""
        return self._decide(admin, "manage_user", {"group": group}, group=group)

    def can_assign_group(self, admin: str, group: str, role: str, org: str | None = None) -> AdminDecision:
        """May ``admin`` give ``role`` (in ``org``) to every member of ``group``?"""
        members = self._state.groups.get(group, set())
        return self._decide(admin, "assign", {"group": group, "role": role, "org": org}, role=role, org=org,
                            group=group, perimeter_users=set(members), members=set(members))

    def can_revoke_group(self, admin: str, group: str, role: str, org: str | None = None) -> AdminDecision:
        return self._decide(admin, "revoke", {"group": group, "role": role, "org": org}, role=role, org=org,
                            group=group)

    def can_add_group_member(self, admin: str, group: str, user: str) -> AdminDecision:
        """May ``admin`` put ``user`` in ``group``? The group must be in scope, the user manageable, and the
        group's roles within the admin's range and the perimeters."""
        decision = self._decide(admin, "manage_user", {"group": group, "user": user}, user=user, group=group)
        if not decision:
            return decision
        for role, org in sorted(self._state.group_assignments.get(group, ()), key=lambda p: (p[0], p[1] or "")):
            decision = self._decide(admin, "assign", {"group": group, "user": user, "role": role, "org": org},
                                    role=role, org=org, user=user, group=group, perimeter_users={user})
            if not decision:
                return decision
        return decision

    # -- administrative functions with an actor ----------------------------------------------------------------
    def assign_user(self, user: str, role: str, org: str | None = None, *, actor: str | None = None) -> None:
        if actor is not None:
            self._require(self.can_assign(actor, user, role, org))
        super().assign_user(user, role, org, actor=actor)

    def deassign_user(self, user: str, role: str, org: str | None = None, *, actor: str | None = None) -> None:
        if actor is not None:
            self._require(self.can_revoke(actor, user, role, org))
        super().deassign_user(user, role, org)

    def assign_group(self, group: str, role: str, org: str | None = None, *, actor: str | None = None) -> None:
        if actor is not None:
            self._require(self.can_assign_group(actor, group, role, org))
        super().assign_group(group, role, org, actor=actor)

    def deassign_group(self, group: str, role: str, org: str | None = None, *, actor: str | None = None) -> None:
        if actor is not None:
            self._require(self.can_revoke_group(actor, group, role, org))
        super().deassign_group(group, role, org)

    def add_group_member(self, group: str, user: str, *, actor: str | None = None) -> None:
        if actor is not None:
            self._require(self.can_add_group_member(actor, group, user))
        super().add_group_member(group, user, actor=actor)

    def remove_group_member(self, group: str, user: str, *, actor: str | None = None) -> None:
        if actor is not None:
            self._require(self._decide(actor, "manage_user", {"group": group, "user": user}, user=user,
                                       group=group))
        super().remove_group_member(group, user)

    def can_change_role(self, admin: str, action: str, roles: Iterable[str]) -> AdminDecision:
        """May ``admin`` change what ``roles`` confer (a new inheritance edge, a grant, a wider reach)? Such a
        change reaches every holder everywhere, so it needs authority to assign each role (and the juniors it
        brings) with no org restriction."""
        decision = AdminDecision(False, admin, "assign", {"action": action}, "no_authority",
                                 f"Refusé : « {admin} » n'a aucun rôle à modifier.")
        for role in roles:
            decision = self._decide(admin, "assign", {"action": action, "role": role}, role=role)
            if not decision:
                return decision
        return decision

    def add_inheritance(self, ascendant: str, descendant: str, *, actor: str | None = None) -> None:
        """AddInheritance; with ``actor``, only within its authority over both roles (review defect 7)."""
        if actor is not None:
            self._require(self.can_change_role(actor, "add_inheritance", [ascendant, descendant]))
        super().add_inheritance(ascendant, descendant, actor=actor)

    def grant_permission(self, operation: str, obj: str, role: str, *, actor: str | None = None) -> None:
        """GrantPermission; with ``actor``, only within its authority over the role (review defect 7)."""
        if actor is not None:
            self._require(self.can_change_role(actor, "grant_permission", [role]))
        super().grant_permission(operation, obj, role, actor=actor)

    def set_role_descends(self, role: str, descends: bool, *, actor: str | None = None) -> None:
        if actor is not None:
            self._require(self.can_change_role(actor, "set_role_descends", [role]))
        super().set_role_descends(role, descends, actor=actor)

    def add_user(self, user: str, *, max_roles: int | None = None, max_sessions: int | None = None,
                 org: str | None = None, actor: str | None = None) -> None:
        """AddUser, placing the account in ``org`` when given; with ``actor``, only within its authority."""
        if actor is not None:
            self._require(self.can_create_user(actor, org))
        org = self._org(org)
        super().add_user(user, max_roles=max_roles, max_sessions=max_sessions)
        if org is not None:
            self._state.user_orgs[user] = org

    def delete_user(self, user: str, *, actor: str | None = None) -> None:
        if actor is not None:
            self._require(self.can_manage_user(actor, user))
        super().delete_user(user)
        state = self._state
        state.admin_assignments.pop(user, None)
        state.user_orgs.pop(user, None)
        for name in [n for n, d in state.delegations.items() if user in (d.grantor, d.grantee)]:
            del state.delegations[name]

    # -- internals --------------------------------------------------------------------------------------------
    def _lineage(self, org: str) -> list[str]:
        return org_lineage(self._state, org)

    _authority_cache: tuple[int, dict[str, list[Authority]]] = (-1, {})

    def _authorities(self, user: str, visiting: frozenset[str]) -> list[Authority]:
        """Memoised per policy version (every change moves the version, so the cache can never be stale)."""
        version, cached = self._authority_cache
        if version != self._state.version or self._state is not getattr(self, "_authority_state", None):
            cached = {}
            self._authority_cache = (self._state.version, cached)
            self._authority_state = self._state
        if not visiting and user in cached:
            return list(cached[user])
        result = self._compute_authorities(user, visiting)
        if not visiting:
            cached[user] = result
        return list(result)

    def _compute_authorities(self, user: str, visiting: frozenset[str]) -> list[Authority]:
        state = self._state
        result = []
        for name, org in sorted(state.admin_assignments.get(user, ()), key=lambda p: (p[0], p[1] or "")):
            result.append(self._admin_role_authority(state.admin_roles[name], org))
        for delegation in sorted(state.delegations.values(), key=lambda d: d.name):
            if delegation.grantee != user or delegation.grantor in visiting:
                continue
            declared = delegation.declared()
            for held in self._authorities(delegation.grantor, visiting | {user}):
                if "delegate" in held.abilities:
                    result.append(declared.intersect(held, self._lineage, declared.source))
        return result

    def _admin_role_authority(self, role: AdminRole, org: str | None) -> Authority:
        """The authority an administrative assignment of ``role`` in ``org`` confers: its roles and range, in
        ``org`` (else the role's own units)."""
        roles = set(role.roles)
        if role.role_range is not None:
            low, high = role.role_range
            roles |= {r for r in self._cache.juniors_closure(high) if low in self._cache.juniors_closure(r)}
        orgs = frozenset({org}) if org is not None else role.orgs
        where = f" dans « {org} »" if org else ""
        return Authority(frozenset(roles), orgs, role.groups, role.abilities,
                         source=f"rôle administratif « {role.name} »{where}")

    @staticmethod
    def _bounded(wanted: Authority, held: Authority) -> Authority:
        """A delegation's org units or groups left open (None) mean "wherever the grantor's authority goes"."""
        return Authority(wanted.roles, held.orgs if wanted.orgs is None else wanted.orgs,
                         held.groups if wanted.groups is None else wanted.groups, wanted.abilities, wanted.source)

    def _delegation_ancestors(self, user: str) -> set[str]:
        seen: set[str] = set()
        frontier = [user]
        while frontier:
            current = frontier.pop()
            for d in self._state.delegations.values():
                if d.grantee == current and d.grantor not in seen:
                    seen.add(d.grantor)
                    frontier.append(d.grantor)
        return seen

    def _decide(self, admin: str, ability: str, target: dict[str, Any], *, role: str | None = None,
                org: str | None = None, user: str | None = None, group: str | None = None,
                perimeter_users: set[str] | None = None, members: set[str] | None = None) -> AdminDecision:
        """The first authority of ``admin`` that covers the request, else the closest miss explained."""
        state = self._state

        def denied(reason: str, message: str) -> AdminDecision:
            return AdminDecision(False, admin, ability, target, reason, f"Refusé : {message}.")

        for kind, name, known in (("admin", admin, state.users), ("user", user, state.users),
                                  ("role", role, state.roles), ("org", org, state.orgs),
                                  ("group", group, state.groups)):
            if name is not None and name not in known:
                return denied(f"unknown_{kind}", f"« {name} » est inconnu")
        authorities = self._authorities(admin, frozenset())
        if not authorities:
            return denied("no_authority", f"« {admin} » n'a aucun rôle administratif ni délégation")
        user_org = state.user_orgs.get(user) if user is not None else None
        misses: list[tuple[int, str, str]] = []
        for authority in authorities:
            via = authority.source
            if ability not in authority.abilities:
                misses.append((0, "missing_ability", f"{via} ne permet pas de {ABILITY_LABELS[ability]}"))
                continue
            if role is not None and role not in authority.roles:
                misses.append((1, "role_out_of_range", f"le rôle « {role} » est hors de la plage de {via}"))
                continue
            if ability == "assign" and role is not None and (juniors := sorted(self._cache.juniors_closure(role)
                                                                              - authority.roles)):
                misses.append((1, "role_out_of_range",
                               f"le rôle « {role} » entraîne par héritage " + ", ".join(f"« {r} »" for r in juniors)
                               + f", hors de la plage de {via}"))
                continue
            if group is not None and not authority.covers_group(group):
                misses.append((2, "group_out_of_scope", f"le groupe « {group} » est hors du périmètre de {via}"))
                continue
            if role is not None and not authority.covers_org(org, self._lineage):
                where = f"l'unité « {org} »" if org else "une affectation sans unité (partout)"
                misses.append((3, "org_out_of_scope", f"{where} est hors des unités de {via}"))
                continue
            if user is not None and not self._user_in_scope(authority, user, user_org):
                where = f"l'unité « {user_org} »" if user_org else "aucune unité"
                misses.append((4, "user_out_of_scope", f"le compte « {user} » ({where}) est hors des unités de {via}"))
                continue
            if ability == "manage_user" and user is not None and (miss := self._beyond_groups(authority, user)):
                misses.append(miss)
                continue
            outside = sorted(m for m in members or () if not self._user_in_scope(authority, m, state.user_orgs.get(m)))
            if outside:
                misses.append((4, "user_out_of_scope",
                               "le groupe compte des membres hors des unités de " + via + " : "
                               + ", ".join(f"« {m} »" for m in outside[:5]) + (" …" if len(outside) > 5 else "")))
                continue
            if ability == "assign" and role is not None:
                refusal = self._perimeter_refusal(role, org, perimeter_users or set())
                if refusal:
                    return AdminDecision(False, admin, ability, target, refusal[0], f"Refusé : {refusal[1]}.",
                                         authority)
            return AdminDecision(True, admin, ability, target, "granted",
                                 f"Autorisé : « {admin} » peut {ABILITY_LABELS[ability]} ({self._what(target)}) "
                                 f"par {via}.", authority)
        misses.sort(key=lambda miss: -miss[0])
        return denied(misses[0][1], misses[0][2])

    def _beyond_groups(self, authority: Authority, user: str) -> tuple[int, str, str] | None:
        """An authority limited to some groups (a partner delegate's sub-perimeter) manages only the plain accounts
        of those groups: not an account holding roles of its own or administrative authority (an administrator —
        nobody manages someone who may hold more than he does), nor one that is a member of a group outside them."""
        if authority.groups is None:
            return None
        state = self._state
        if state.user_assignments.get(user) or state.admin_assignments.get(user):
            return (5, "user_holds_roles",
                    f"le compte « {user} » détient des rôles en propre : il est hors du périmètre de "
                    f"{authority.source}")
        outside = sorted(state.user_groups.get(user, set()) - authority.groups)
        if outside:
            return (5, "user_in_other_group",
                    f"le compte « {user} » est membre du groupe « {outside[0]} », hors du périmètre de "
                    f"{authority.source}")
        return None

    def _user_in_scope(self, authority: Authority, user: str, user_org: str | None) -> bool:
        if user_org is None:
            return authority.orgs is None
        return org_within(user_org, authority.orgs, self._lineage)

    def _perimeter_refusal(self, role: str, org: str | None, newcomers: set[str]) -> tuple[str, str, dict] | None:
        """Why the perimeters of ``org`` and its ancestors forbid granting ``role`` to ``newcomers``, or None:
        (reason, message, details — the unit, and for a limit the limit and the holders' count after)."""
        if org is None or not self._state.perimeters:
            return None
        for unit in self._lineage(org):
            perimeter = self._state.perimeters.get(unit)
            if perimeter is None:
                continue
            if role not in perimeter.roles:
                return ("outside_perimeter",
                        f"le profil « {role} » n'est pas dans le périmètre de « {unit} » ("
                        + _allowed(perimeter.roles) + ")", {"unit": unit})
            juniors = sorted(self._cache.juniors_closure(role) - perimeter.roles)
            if juniors:
                return ("outside_perimeter",
                        f"le profil « {role} » entraîne par héritage " + ", ".join(f"« {r} »" for r in juniors)
                        + f", hors du périmètre de « {unit} » (" + _allowed(perimeter.roles) + ")",
                        {"unit": unit, "juniors": juniors})
            limit = perimeter.max_users.get(role)
            if limit is not None:
                holders = self._holders_within(role, unit)
                total = len(holders | newcomers)
                if total > limit:
                    return ("perimeter_limit",
                            f"le profil « {role} » serait détenu par {total} utilisateurs dans « {unit} », la "
                            f"limite est {limit}", {"unit": unit, "limit": limit, "holders": total})
        return None

    def _holders_within(self, role: str, unit: str) -> set[str]:
        """Users holding ``role`` through an assignment made in ``unit`` or below (directly or by a group)."""
        state = self._state
        subtree = {unit}
        stack = [unit]
        while stack:
            for child in state.org_children.get(stack.pop(), ()):
                subtree.add(child)
                stack.append(child)
        holders = {u for u, o in state.role_user_assignments.get(role, ()) if o in subtree}
        for group, o in state.role_group_assignments.get(role, ()):
            if o in subtree:
                holders |= state.groups.get(group, set())
        return holders

    def _authority_for_change(self, approver: str, action: str, arguments: dict[str, Any]) -> AdminDecision:
        """Whether ``approver`` has authority over a pending change (ENG-7 ``require_approval``)."""
        if action == "assign_user":
            return self.can_assign(approver, arguments["user"], arguments["role"], arguments.get("org"))
        if action == "assign_group":
            return self.can_assign_group(approver, arguments["group"], arguments["role"], arguments.get("org"))
        if action == "add_group_member":
            return self.can_add_group_member(approver, arguments["group"], arguments["user"])
        roles = [arguments.get("role"), arguments.get("ascendant"), arguments.get("descendant")]
        for role in [r for r in roles if r]:
            decision = self._decide(approver, "assign", {"action": action, "role": role}, role=role)
            if not decision:
                return decision
        return decision

    @staticmethod
    def _what(target: dict[str, Any]) -> str:
        labels = {"user": "compte", "role": "rôle", "org": "unité", "group": "groupe"}
        return ", ".join(f"{labels[k]} « {v} »" for k, v in target.items() if v is not None and k in labels)

    @staticmethod
    def _require(decision: AdminDecision) -> None:
        if not decision:
            raise ConstraintViolation(decision.message, code="not_authorized_admin", reason=decision.reason,
                                      admin=decision.admin)

    def _admin_role(self, name: Any) -> AdminRole:
        require_name(name, "name")
        role = self._state.admin_roles.get(name)
        if role is None:
            raise NotFound(f"Rôle administratif inconnu : « {name} ».", code="admin_role_not_found", name=name)
        return role

    def _role_set(self, roles: Any) -> frozenset[str]:
        if isinstance(roles, (str, bytes)) or not isinstance(roles, Iterable):
            raise InvalidArgument("« roles » est une liste de rôles.", code="wrong_type", parameter="roles")
        return frozenset(self._role(role) for role in roles)

    def _org_set(self, orgs: Any) -> frozenset[str] | None:
        if orgs is None:
            return None
        if isinstance(orgs, (str, bytes)) or not isinstance(orgs, Iterable):
            raise InvalidArgument("« orgs » est une liste d'unités.", code="wrong_type", parameter="orgs")
        return frozenset(self._org(org) for org in orgs)

    def _group_set(self, groups: Any) -> frozenset[str] | None:
        if groups is None:
            return None
        if isinstance(groups, (str, bytes)) or not isinstance(groups, Iterable):
            raise InvalidArgument("« groups » est une liste de groupes.", code="wrong_type", parameter="groups")
        return frozenset(self._group(group) for group in groups)

    @staticmethod
    def _abilities(abilities: Any) -> frozenset[str]:
        if isinstance(abilities, (str, bytes)) or not isinstance(abilities, Iterable):
            raise InvalidArgument("« abilities » est une liste.", code="wrong_type", parameter="abilities")
        result = frozenset(abilities)
        unknown = result - set(ABILITIES)
        if unknown:
            raise InvalidArgument(f"Capacité(s) inconnue(s) : {', '.join(sorted(map(str, unknown)))} "
                                  f"(connues : {', '.join(ABILITIES)}).", code="unknown_ability")
        return result

    def _exceeds(self, wanted: Authority, held: list[Authority]) -> str:
        if not held:
            return "il n'a aucune autorité avec la capacité de déléguer."
        best = held[0]
        wanted = self._bounded(wanted, best)
        parts = []
        if extra := wanted.roles - best.roles:
            parts.append("rôles hors de son autorité : " + ", ".join(sorted(extra)))
        if extra := wanted.abilities - best.abilities:
            parts.append("capacités non détenues : " + ", ".join(sorted(extra)))
        if wanted.orgs is None and best.orgs is not None:
            parts.append("il n'a pas autorité partout")
        elif wanted.orgs is not None:
            outside = [o for o in sorted(wanted.orgs) if not org_within(o, best.orgs, self._lineage)]
            if outside:
                parts.append("unités hors de son autorité : " + ", ".join(outside))
        if best.groups is not None and (wanted.groups is None or not wanted.groups <= best.groups):
            parts.append("groupes hors de son autorité")
        return "; ".join(parts or ["aucune de ses autorités ne couvre toute la délégation"]) + "."

    # -- follow deletions -----------------------------------------------------------------------------------------
    def delete_role(self, role: str) -> None:
        super().delete_role(role)
        state = self._state
        for name, definition in list(state.admin_roles.items()):
            rng = definition.role_range if definition.role_range and role not in definition.role_range else None
            state.admin_roles[name] = AdminRole(name, definition.roles - {role}, rng, definition.orgs,
                                                definition.groups, definition.abilities)
        for name, d in list(state.delegations.items()):
            state.delegations[name] = Delegation(name, d.grantor, d.grantee, d.roles - {role}, d.orgs, d.groups,
                                                 d.abilities)
        for org, p in list(state.perimeters.items()):
            limits = {r: n for r, n in p.max_users.items() if r != role}
            state.perimeters[org] = Perimeter(org, p.roles - {role}, limits)

    def delete_org(self, org: str) -> None:
        super().delete_org(org)
        state = self._state
        for pairs in state.admin_assignments.values():
            for pair in [p for p in pairs if p[1] == org]:
                pairs.discard(pair)
        for name, definition in list(state.admin_roles.items()):
            if definition.orgs is not None and org in definition.orgs:
                state.admin_roles[name] = AdminRole(name, definition.roles, definition.role_range,
                                                    definition.orgs - {org}, definition.groups,
                                                    definition.abilities)
        for name, d in list(state.delegations.items()):
            if d.orgs is not None and org in d.orgs:
                state.delegations[name] = Delegation(name, d.grantor, d.grantee, d.roles, d.orgs - {org},
                                                     d.groups, d.abilities)
        state.perimeters.pop(org, None)
        for user in [u for u, o in state.user_orgs.items() if o == org]:
            del state.user_orgs[user]

    def delete_group(self, group: str) -> None:
        super().delete_group(group)
        state = self._state
        for name, definition in list(state.admin_roles.items()):
            if definition.groups is not None and group in definition.groups:
                state.admin_roles[name] = AdminRole(name, definition.roles, definition.role_range,
                                                    definition.orgs, definition.groups - {group},
                                                    definition.abilities)
        for name, d in list(state.delegations.items()):
            if d.groups is not None and group in d.groups:
                state.delegations[name] = Delegation(name, d.grantor, d.grantee, d.roles, d.orgs,
                                                     d.groups - {group}, d.abilities)
