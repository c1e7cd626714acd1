"""A deliberately naive RBAC reference model for differential testing (Cedar's habit).

It stores plain relations and recomputes everything from scratch; a change is applied, then every invariant is
re-checked and the change is undone if one breaks. The engine checks before changing, with indexes and caches.
Agreeing on random call sequences is strong evidence that both implement the same semantics.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field


class Refused(Exception):
    pass


@dataclass
class Reference:
    users: dict = field(default_factory=dict)  # user -> {"max_roles":, "max_sessions":}
    roles: dict = field(default_factory=dict)  # role -> {"max_users":, "descends":}
    orgs: dict = field(default_factory=dict)  # org -> parent
    groups: set = field(default_factory=set)
    ua: set = field(default_factory=set)  # (user, role, org)
    ga: set = field(default_factory=set)  # (group, role, org)
    gm: set = field(default_factory=set)  # (group, user)
    pa: set = field(default_factory=set)  # (operation, obj, role)
    rh: set = field(default_factory=set)  # (ascendant, descendant)
    ssd: dict = field(default_factory=dict)  # name -> [set(members), n]
    dsd: dict = field(default_factory=dict)
    sessions: dict = field(default_factory=dict)  # session -> [user, set(active)]

    # -- derived ---------------------------------------------------------------------------------------------
    def closure(self, role):
        result = {role}
        changed = True
        while changed:
            changed = False
            for a, d in self.rh:
                if a in result and d not in result:
                    result.add(d)
                    changed = True
        return result

    def entries(self, user):
        direct = [(r, o) for (u, r, o) in self.ua if u == user]
        via = [(r, o) for (g, r, o) in self.ga if (g, user) in self.gm]
        return direct + via

    def authorized(self, user):
        result = set()
        for r, _o in self.entries(user):
            result |= self.closure(r)
        return result

    def ancestors(self, org):
        result = []
        parent = self.orgs.get(org)
        while parent is not None:
            result.append(parent)
            parent = self.orgs.get(parent)
        return result

    def applies(self, role, assignment_org, org):
        if assignment_org is None or org is None or assignment_org == org:
            return True
        return self.roles[role]["descends"] and assignment_org in self.ancestors(org)

    def holds_static(self, user, member):
        if isinstance(member, str):
            return member in self.authorized(user)
        role, org = member
        return any(role in self.closure(r) and self.applies(r, o, org) for r, o in self.entries(user))

    def holds_dynamic(self, user, active, member):
        if isinstance(member, str):
            return any(member in self.closure(x) for x in active)
        role, org = member
        return any(
            self.applies(r, o, org) and any(x in self.closure(r) and role in self.closure(x) for x in active)
            for r, o in self.entries(user)
        )

    def granted(self, user, active, operation, obj, org):
        for r, o in self.entries(user):
            if not self.applies(r, o, org):
                continue
            for x in active:
                if x in self.closure(r) and any((operation, obj, p) in self.pa for p in self.closure(x)):
                    return True
        return False

    def assigned_roles(self, user):
        return {r for r, _o in self.entries(user)}

    def assigned_users(self, role):
        return {u for u in self.users if role in self.assigned_roles(u)}

    def invariants_hold(self):
        # hierarchy acyclic: no edge whose ascendant is reachable from its descendant
        if any(a in self.closure(d) for a, d in self.rh):
            return False
        for _name, (members, n) in self.ssd.items():
            for user in self.users:
                if sum(self.holds_static(user, m) for m in members) >= n:
                    return False
        for _name, (members, n) in self.dsd.items():
            for user, active in self.sessions.values():
                if sum(self.holds_dynamic(user, active, m) for m in members) >= n:
                    return False
        for user, active in self.sessions.values():
            if not active <= self.authorized(user):
                return False
        for role, rec in self.roles.items():
            if rec["max_users"] is not None and len(self.assigned_users(role)) > rec["max_users"]:
                return False
        for user, rec in self.users.items():
            if rec["max_roles"] is not None and len(self.assigned_roles(user)) > rec["max_roles"]:
                return False
        return True

    def drop_unauthorized(self):
        for session in self.sessions.values():
            session[1] &= self.authorized(session[0])

    # -- operations: apply, then check; undo when an invariant breaks ----------------------------------------
    def apply(self, name, kwargs):
        saved = copy.deepcopy(self.__dict__)
        try:
            getattr(self, "op_" + name)(**kwargs)
            if name in {"deassign_user", "delete_inheritance", "remove_group_member", "deassign_group",
                        "delete_group", "delete_role", "delete_org"}:
                self.drop_unauthorized()
            if not self.invariants_hold():
                raise Refused(name)
        except Refused:
            self.__dict__.update(saved)
            raise

    @staticmethod
    def need(condition):
        if not condition:
            raise Refused()

    def op_add_user(self, user):
        self.need(user not in self.users)
        self.users[user] = {"max_roles": None, "max_sessions": None}

    def op_delete_user(self, user):
        self.need(user in self.users)
        del self.users[user]
        self.ua = {t for t in self.ua if t[0] != user}
        self.gm = {t for t in self.gm if t[1] != user}
        self.sessions = {s: v for s, v in self.sessions.items() if v[0] != user}

    def op_add_role(self, role):
        self.need(role not in self.roles)
        self.roles[role] = {"max_users": None, "descends": True}

    def op_delete_role(self, role):
        self.need(role in self.roles)
        del self.roles[role]
        self.ua = {t for t in self.ua if t[1] != role}
        self.ga = {t for t in self.ga if t[1] != role}
        self.pa = {t for t in self.pa if t[2] != role}
        self.rh = {t for t in self.rh if role not in t}
        for sets in (self.ssd, self.dsd):
            for entry in sets.values():
                entry[0] = {m for m in entry[0] if (m if isinstance(m, str) else m[0]) != role}
        self._drop_inert_sets()
        for session in self.sessions.values():
            session[1].discard(role)

    def op_assign_user(self, user, role, org=None):
        self.need(user in self.users and role in self.roles and (org is None or org in self.orgs))
        self.need((user, role, org) not in self.ua)
        self.ua.add((user, role, org))

    def op_deassign_user(self, user, role, org=None):
        self.need(user in self.users and role in self.roles and (org is None or org in self.orgs))
        self.need((user, role, org) in self.ua)
        self.ua.discard((user, role, org))

    def op_grant_permission(self, operation, obj, role):
        self.need(role in self.roles and (operation, obj, role) not in self.pa)
        self.pa.add((operation, obj, role))

    def op_revoke_permission(self, operation, obj, role):
        self.need(role in self.roles and (operation, obj, role) in self.pa)
        self.pa.discard((operation, obj, role))

    def op_add_inheritance(self, ascendant, descendant):
        self.need(ascendant in self.roles and descendant in self.roles)
        self.need((ascendant, descendant) not in self.rh)
        self.need(ascendant not in self.closure(descendant))
        self.rh.add((ascendant, descendant))

    def op_delete_inheritance(self, ascendant, descendant):
        self.need(ascendant in self.roles and descendant in self.roles and (ascendant, descendant) in self.rh)
        self.rh.discard((ascendant, descendant))

    def _members(self, roles):
        members = set()
        for m in roles:
            if isinstance(m, tuple):
                self.need(m[0] in self.roles and m[1] in self.orgs)
            else:
                self.need(m in self.roles)
            members.add(m)
        return members

    def op_create_ssd_set(self, name, roles, cardinality, kind="ssd"):
        sets = self.ssd if kind == "ssd" else self.dsd
        self.need(name not in sets)
        members = self._members(roles)
        self.need(2 <= cardinality <= len(members))
        sets[name] = [members, cardinality]

    def op_add_ssd_role_member(self, name, role, kind="ssd"):
        sets = self.ssd if kind == "ssd" else self.dsd
        self.need(name in sets)
        member = next(iter(self._members([role])))
        self.need(member not in sets[name][0])
        sets[name][0].add(member)

    def op_delete_ssd_role_member(self, name, role, kind="ssd"):
        sets = self.ssd if kind == "ssd" else self.dsd
        self.need(name in sets and role in sets[name][0] and sets[name][1] < len(sets[name][0]))
        sets[name][0].discard(role)

    def op_set_ssd_set_cardinality(self, name, cardinality, kind="ssd"):
        sets = self.ssd if kind == "ssd" else self.dsd
        self.need(name in sets and 2 <= cardinality <= len(sets[name][0]))
        sets[name][1] = cardinality

    def op_delete_ssd_set(self, name, kind="ssd"):
        sets = self.ssd if kind == "ssd" else self.dsd
        self.need(name in sets)
        del sets[name]

    def op_create_dsd_set(self, name, roles, cardinality):
        self.op_create_ssd_set(name, roles, cardinality, kind="dsd")

    def op_add_dsd_role_member(self, name, role):
        self.op_add_ssd_role_member(name, role, kind="dsd")

    def op_delete_dsd_role_member(self, name, role):
        self.op_delete_ssd_role_member(name, role, kind="dsd")

    def op_set_dsd_set_cardinality(self, name, cardinality):
        self.op_set_ssd_set_cardinality(name, cardinality, kind="dsd")

    def op_delete_dsd_set(self, name):
        self.op_delete_ssd_set(name, kind="dsd")

    def op_add_org(self, org, parent=None):
        self.need(org not in self.orgs and (parent is None or parent in self.orgs))
        self.orgs[org] = parent

    def op_delete_org(self, org):
        self.need(org in self.orgs and org not in self.orgs.values())
        del self.orgs[org]
        self.ua = {t for t in self.ua if t[2] != org}
        self.ga = {t for t in self.ga if t[2] != org}
        for sets in (self.ssd, self.dsd):
            for entry in sets.values():
                entry[0] = {m for m in entry[0] if isinstance(m, str) or m[1] != org}
        self._drop_inert_sets()

    def _drop_inert_sets(self):
        """A set left with fewer members than its cardinality can never be broken again: it goes."""
        for sets in (self.ssd, self.dsd):
            for name in [name for name, (members, n) in sets.items() if len(members) < n]:
                del sets[name]

    def op_add_group(self, group):
        self.need(group not in self.groups)
        self.groups.add(group)

    def op_delete_group(self, group):
        self.need(group in self.groups)
        self.groups.discard(group)
        self.gm = {t for t in self.gm if t[0] != group}
        self.ga = {t for t in self.ga if t[0] != group}

    def op_add_group_member(self, group, user):
        self.need(group in self.groups and user in self.users and (group, user) not in self.gm)
        self.gm.add((group, user))

    def op_remove_group_member(self, group, user):
        self.need(group in self.groups and user in self.users and (group, user) in self.gm)
        self.gm.discard((group, user))

    def op_assign_group(self, group, role, org=None):
        self.need(group in self.groups and role in self.roles and (org is None or org in self.orgs))
        self.need((group, role, org) not in self.ga)
        self.ga.add((group, role, org))

    def op_deassign_group(self, group, role, org=None):
        self.need(group in self.groups and role in self.roles and (org is None or org in self.orgs))
        self.need((group, role, org) in self.ga)
        self.ga.discard((group, role, org))

    def op_set_role_max_users(self, role, cardinality):
        self.need(role in self.roles)
        self.roles[role]["max_users"] = cardinality

    def op_set_user_max_roles(self, user, cardinality):
        self.need(user in self.users)
        self.users[user]["max_roles"] = cardinality

    def op_set_user_max_sessions(self, user, cardinality):
        self.need(user in self.users)  # sessions already open stay open: new ones are refused
        self.users[user]["max_sessions"] = cardinality

    def op_set_role_descends(self, role, descends):
        self.need(role in self.roles)
        self.roles[role]["descends"] = descends

    def op_create_session(self, user, session, roles=()):
        self.need(user in self.users and session not in self.sessions)
        self.need(all(r in self.roles for r in roles))
        self.need(set(roles) <= self.authorized(user))
        limit = self.users[user]["max_sessions"]
        count = sum(1 for u, _a in self.sessions.values() if u == user)
        self.need(limit is None or count < limit)
        self.sessions[session] = [user, set(roles)]

    def op_delete_session(self, user, session):
        self.need(user in self.users and session in self.sessions and self.sessions[session][0] == user)
        del self.sessions[session]

    def op_add_active_role(self, user, session, role):
        self.need(user in self.users and session in self.sessions and self.sessions[session][0] == user)
        self.need(role in self.roles and role not in self.sessions[session][1])
        self.need(role in self.authorized(user))
        self.sessions[session][1].add(role)

    def op_drop_active_role(self, user, session, role):
        self.need(user in self.users and session in self.sessions and self.sessions[session][0] == user)
        self.need(role in self.roles and role in self.sessions[session][1])
        self.sessions[session][1].discard(role)
