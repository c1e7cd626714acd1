"""Deterministic generator of national-shape policies for the engine benchmark (issue 3).

The shape is the one the network will run at: one national body, 100 funds (Caf), partners under each fund,
two groups per partner, partner staff assigned to service access profiles *through their groups in the
partner's org unit*, a few direct assignments (partner administrators, habilitation managers, fund agents),
a small administrative role hierarchy with one SSD rule, and three services of 12 access profiles each.

`generate_policy(users, seed)` returns a `PolicyPlan`: plain data, so that the same policy can be built twice —
through the public `RBAC` API (`build_rbac`, the measured build) and as casbin RBAC-with-domains rules
(`casbin_rules`, the comparison). `sample_queries` draws check queries, half of them expected to be granted.
Every draw comes from one seeded `random.Random`: the same (users, seed) always gives the same policy.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field

from habpps.engine import RBAC

NATIONAL = "cnaf"
FUNDS = 100
USERS_PER_PARTNER = 10
"""30,000 partners for 300,000 users at national scale, proportional below."""

NATIONAL_ADMINS = 2
FUND_ADMINS = 2
FUND_VERIFIERS = 1

SERVICES: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    # service → (object, operations) catalogue; objects are "<service>:<section>".
    "cdap": (
        ("dossier", ("consulter",)),
        ("droits", ("consulter",)),
        ("adresse", ("consulter",)),
        ("famille", ("consulter",)),
        ("logement", ("consulter",)),
        ("rsa", ("consulter",)),
        ("paiement", ("consulter",)),
        ("courrier", ("consulter",)),
        ("ressources", ("consulter",)),
        ("creances", ("consulter",)),
        ("attestation-paiement", ("consulter", "telecharger")),
        ("qf", ("consulter",)),
        ("enfants", ("consulter",)),
    ),
    "cafpro": (
        ("dossier", ("consulter",)),
        ("droits", ("consulter",)),
        ("prestations", ("consulter",)),
        ("famille", ("consulter",)),
        ("ressources", ("consulter",)),
        ("rsa", ("consulter", "instruire")),
        ("indus", ("consulter",)),
        ("pieces", ("consulter", "deposer")),
        ("historique", ("consulter",)),
        ("contentieux", ("consulter",)),
    ),
    "ql-web": (
        ("logements", ("consulter", "declarer")),
        ("loyers", ("consulter", "declarer")),
        ("impayes", ("consulter", "signaler")),
        ("aides-logement", ("consulter",)),
        ("attestations", ("consulter", "telecharger")),
        ("bailleur", ("consulter", "modifier")),
    ),
}
PROFILES_PER_SERVICE = 12

# Administrative roles: a small hierarchy (senior → juniors) and the permissions each holds directly.
ADMIN_ROLES: dict[str, tuple[tuple[str, str], ...]] = {
    "administrateur-national": (("parametrer", "habpps:services"), ("gerer", "habpps:caisses")),
    "administrateur-caisse": (("gerer", "habpps:partenaires"), ("saisir", "habpps:conventions")),
    "verificateur-caisse": (("valider", "habpps:conventions"),),
    "administrateur-partenaire": (("gerer", "habpps:utilisateurs"), ("consulter", "habpps:conventions")),
    "responsable-habilitations": (("affecter", "habpps:groupes"), ("consulter", "habpps:tableaux-de-bord")),
}
ADMIN_HIERARCHY: tuple[tuple[str, str], ...] = (
    ("administrateur-national", "administrateur-caisse"),
    ("administrateur-caisse", "administrateur-partenaire"),
    ("administrateur-partenaire", "responsable-habilitations"),
)
SSD_SETS: tuple[tuple[str, tuple[str, ...], int], ...] = (
    # The agent who enters a convention never validates it (slides: "Vérificateur … responsabilité agent
    # comptable").
    ("saisie-validation-conventions", ("administrateur-caisse", "verificateur-caisse"), 2),
)


@dataclass
class PolicyPlan:
    """One generated policy as plain data, in the order it is built (parents before children)."""

    users_target: int
    seed: int
    orgs: list[tuple[str, str | None]] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    grants: list[tuple[str, str, str]] = field(default_factory=list)
    """(operation, obj, role) — direct grants."""
    inheritance: list[tuple[str, str]] = field(default_factory=list)
    ssd_sets: list[tuple[str, tuple[str, ...], int]] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    group_assignments: list[tuple[str, str, str]] = field(default_factory=list)
    """(group, role, org)."""
    users: list[str] = field(default_factory=list)
    memberships: list[tuple[str, str]] = field(default_factory=list)
    """(group, user)."""
    user_assignments: list[tuple[str, str, str]] = field(default_factory=list)
    """(user, role, org) — direct assignments."""
    user_home: dict[str, str] = field(default_factory=dict)
    """Each user's own org unit (partner for staff, fund or national body for agents)."""

    @property
    def partners(self) -> list[str]:
        return [org for org, parent in self.orgs if parent is not None and parent != NATIONAL]

    def summary(self) -> dict[str, int]:
        return {
            "users": len(self.users),
            "org_units": len(self.orgs),
            "partners": len(self.partners),
            "groups": len(self.groups),
            "roles": len(self.roles),
            "grants": len(self.grants),
            "group_memberships": len(self.memberships),
            "group_assignments": len(self.group_assignments),
            "direct_assignments": len(self.user_assignments),
        }


def _service_profiles(rng: random.Random) -> tuple[list[str], list[tuple[str, str, str]], dict[str, list[str]]]:
    """The 36 access profiles and their 2–5 permissions each, drawn from each service's catalogue."""
    roles: list[str] = []
    grants: list[tuple[str, str, str]] = []
    by_service: dict[str, list[str]] = {}
    for service, catalogue in SERVICES.items():
        permissions = [(op, f"{service}:{section}") for section, ops in catalogue for op in ops]
        by_service[service] = []
        for number in range(1, PROFILES_PER_SERVICE + 1):
            role = f"{service}:profil-{number:02d}"
            roles.append(role)
            by_service[service].append(role)
            # Every profile sees the file itself; the rest of its perimeter differs from profile to profile.
            chosen = {permissions[0], *rng.sample(permissions[1:], rng.randint(1, 4))}
            grants.extend((op, obj, role) for op, obj in sorted(chosen))
    return roles, grants, by_service


def generate_policy(users: int, seed: int = 359) -> PolicyPlan:
    """A national-shape policy with exactly ``users`` users (partner staff plus fund and national agents)."""
    agents = NATIONAL_ADMINS + FUNDS * (FUND_ADMINS + FUND_VERIFIERS)
    if users <= agents:
        raise ValueError(f"at least {agents + 1} users are needed (fund and national agents come first)")
    rng = random.Random(seed)
    plan = PolicyPlan(users_target=users, seed=seed)
    intern = sys.intern

    # Org units: national body → funds → partners.
    plan.orgs.append((NATIONAL, None))
    funds = [intern(f"caf-{number:03d}") for number in range(1, FUNDS + 1)]
    plan.orgs.extend((fund, NATIONAL) for fund in funds)
    partner_count = max(1, users // USERS_PER_PARTNER)
    partners = [intern(f"partenaire-{number:05d}") for number in range(1, partner_count + 1)]
    plan.orgs.extend((partner, funds[index % FUNDS]) for index, partner in enumerate(partners))

    # Roles, grants, hierarchy, SSD.
    profiles, profile_grants, by_service = _service_profiles(rng)
    plan.roles = [*ADMIN_ROLES, *profiles]
    plan.grants = [(op, obj, role) for role, perms in ADMIN_ROLES.items() for op, obj in perms] + profile_grants
    plan.inheritance = list(ADMIN_HIERARCHY)
    plan.ssd_sets = list(SSD_SETS)

    # Agents: national administrators, then per fund its administrators and its verifier.
    for number in range(1, NATIONAL_ADMINS + 1):
        _add_user(plan, intern(f"agent-cnaf-{number}"), NATIONAL)
        plan.user_assignments.append((plan.users[-1], "administrateur-national", NATIONAL))
    for fund in funds:
        for number in range(1, FUND_ADMINS + FUND_VERIFIERS + 1):
            role = "administrateur-caisse" if number <= FUND_ADMINS else "verificateur-caisse"
            _add_user(plan, intern(f"agent-{fund}-{number}"), fund)
            plan.user_assignments.append((plan.users[-1], role, fund))

    # Partners: each subscribes to one to three services; its two groups receive profiles of those services.
    services = list(SERVICES)
    staff = [intern(f"u{number:07d}") for number in range(1, users - agents + 1)]
    homes = [rng.randrange(partner_count) for _ in staff]
    staff_by_partner: list[list[str]] = [[] for _ in partners]
    for user, home in zip(staff, homes, strict=True):
        staff_by_partner[home].append(user)
    for partner, members in zip(partners, staff_by_partner, strict=True):
        subscribed = rng.sample(services, rng.choice((1, 1, 2, 2, 3)))
        first, second = intern(f"{partner}/groupe-a"), intern(f"{partner}/groupe-b")
        plan.groups += [first, second]
        for group, count in ((first, rng.randint(1, 2)), (second, 1)):
            for service in subscribed:
                for role in rng.sample(by_service[service], count):
                    plan.group_assignments.append((group, role, partner))
        for index, user in enumerate(members):
            _add_user(plan, user, partner)
            draw = rng.random()
            if draw < 0.6 or index == 0:
                plan.memberships.append((first, user))
            elif draw < 0.9:
                plan.memberships.append((second, user))
            else:
                plan.memberships += [(first, user), (second, user)]
            if index == 0:
                plan.user_assignments.append((user, "administrateur-partenaire", partner))
            elif rng.random() < 0.05:
                plan.user_assignments.append((user, "responsable-habilitations", partner))
            elif rng.random() < 0.01:
                service = rng.choice(subscribed)
                plan.user_assignments.append((user, rng.choice(by_service[service]), partner))
    return plan


def _add_user(plan: PolicyPlan, user: str, home: str) -> None:
    plan.users.append(user)
    plan.user_home[user] = home


def build_rbac(plan: PolicyPlan) -> RBAC:
    """Build the policy through the public `RBAC` API, in the order an administrator would."""
    rbac = RBAC()
    for org, parent in plan.orgs:
        rbac.add_org(org, parent)
    for role in plan.roles:
        rbac.add_role(role)
    for operation, obj, role in plan.grants:
        rbac.grant_permission(operation=operation, obj=obj, role=role)
    for ascendant, descendant in plan.inheritance:
        rbac.add_inheritance(ascendant=ascendant, descendant=descendant)
    for name, roles, cardinality in plan.ssd_sets:
        rbac.create_ssd_set(name=name, roles=roles, cardinality=cardinality)
    for group in plan.groups:
        rbac.add_group(group)
    for group, role, org in plan.group_assignments:
        rbac.assign_group(group=group, role=role, org=org)
    for user in plan.users:
        rbac.add_user(user)
    for group, user in plan.memberships:
        rbac.add_group_member(group=group, user=user)
    for user, role, org in plan.user_assignments:
        rbac.assign_user(user=user, role=role, org=org)
    return rbac


# -- casbin RBAC with domains -----------------------------------------------------------------------------------
_CASBIN_MODEL_TEMPLATE = """
[request_definition]
r = sub, dom, obj, act

[policy_definition]
p = sub, dom, obj, act

[role_definition]
g = _, _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = {matcher}
"""
CASBIN_MODEL = _CASBIN_MODEL_TEMPLATE.format(
    matcher="g(r.sub, p.sub, r.dom) && keyMatch(r.dom, p.dom) && r.obj == p.obj && r.act == p.act"
)
"""casbin's RBAC-with-domains model (docs: "RBAC with domains"), with `keyMatch` on the domain so that
permissions granted to a role in every domain ("*") match, and — on the role manager — `keyMatch` as domain
matching function, so that a role link made in an org unit's domain pattern applies in its sub-units."""
CASBIN_MODEL_CHEAP_FIRST = _CASBIN_MODEL_TEMPLATE.format(
    matcher="r.obj == p.obj && r.act == p.act && keyMatch(r.dom, p.dom) && g(r.sub, p.sub, r.dom)"
)
"""The same model with the matcher's cheap comparisons first, so that `g()` runs only on matching lines."""


def org_paths(plan: PolicyPlan) -> dict[str, str]:
    """Each org unit as a casbin domain path, ``/cnaf/caf-001/partenaire-00001/``: sub-units extend it."""
    paths: dict[str, str] = {}
    for org, parent in plan.orgs:
        paths[org] = (paths[parent] if parent is not None else "/") + org + "/"
    return paths


def casbin_rules(plan: PolicyPlan) -> Iterator[tuple[str, ...]]:
    """The plan as casbin rules: ``p, role, *, obj, act`` and ``g, sub, role, domain-pattern``.

    An assignment in org unit X becomes a link in domain pattern ``path(X)*``, which `keyMatch` extends to X's
    sub-units (ENG-3 organisational inheritance). Groups are flattened: ``user → group`` links are made in each
    domain where the group holds a role, then ``group → role`` in that domain. Role inheritance links hold in
    every domain (``*``).
    """
    paths = org_paths(plan)
    for operation, obj, role in plan.grants:
        yield ("p", role, "*", obj, operation)
    for ascendant, descendant in plan.inheritance:
        yield ("g", ascendant, descendant, "*")
    group_domains: dict[str, set[str]] = {}
    for group, role, org in plan.group_assignments:
        domain = paths[org] + "*"
        group_domains.setdefault(group, set()).add(domain)
        yield ("g", group, role, domain)
    for group, user in plan.memberships:
        for domain in sorted(group_domains.get(group, ())):
            yield ("g", user, group, domain)
    for user, role, org in plan.user_assignments:
        yield ("g", user, role, paths[org] + "*")


# -- queries --------------------------------------------------------------------------------------------------------
Query = tuple[str, str, str, str]
"""(user, operation, obj, org)."""


def sample_queries(plan: PolicyPlan, count: int, seed: int = 2016) -> list[Query]:
    """``count`` check queries, all with an org unit: half aim at a permission the user's roles hold in its own
    unit (granted unless that is the point of the draw), half are random (permission, unit) pairs (mostly
    denied: another partner's unit, a service the user does not have)."""
    rng = random.Random(seed)
    role_perms = _role_permissions(plan)
    roles_of: dict[str, list[str]] = {}
    group_roles: dict[str, list[str]] = {}
    for group, role, _org in plan.group_assignments:
        group_roles.setdefault(group, []).append(role)
    for group, user in plan.memberships:
        roles_of.setdefault(user, []).extend(group_roles.get(group, ()))
    for user, role, _org in plan.user_assignments:
        roles_of.setdefault(user, []).append(role)
    all_perms = sorted({(op, obj) for op, obj, _role in plan.grants})
    all_orgs = [org for org, _parent in plan.orgs]
    queries: list[Query] = []
    for _ in range(count):
        user = rng.choice(plan.users)
        held = sorted({perm for role in roles_of.get(user, ()) for perm in role_perms[role]})
        if held and rng.random() < 0.5:
            operation, obj = rng.choice(held)
            org = plan.user_home[user]
        else:
            operation, obj = rng.choice(all_perms)
            org = plan.user_home[user] if rng.random() < 0.5 else rng.choice(all_orgs)
        queries.append((user, operation, obj, org))
    return queries


def _role_permissions(plan: PolicyPlan) -> dict[str, set[tuple[str, str]]]:
    """Each role's permissions, inherited ones included (the plan's hierarchy is tiny: a plain walk)."""
    direct: dict[str, set[tuple[str, str]]] = {role: set() for role in plan.roles}
    for operation, obj, role in plan.grants:
        direct[role].add((operation, obj))
    juniors: dict[str, list[str]] = {}
    for ascendant, descendant in plan.inheritance:
        juniors.setdefault(ascendant, []).append(descendant)
    result: dict[str, set[tuple[str, str]]] = {}
    for role in plan.roles:
        perms: set[tuple[str, str]] = set()
        stack = [role]
        while stack:
            current = stack.pop()
            perms |= direct[current]
            stack.extend(juniors.get(current, ()))
        result[role] = perms
    return result


if __name__ == "__main__":
    import argparse
    import json

    parser = argparse.ArgumentParser(description="Génère une politique de forme nationale et affiche sa taille.")
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=359)
    args = parser.parse_args()
    print(json.dumps(generate_policy(args.users, args.seed).summary(), indent=2))
