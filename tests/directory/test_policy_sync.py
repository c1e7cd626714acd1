"""Incremental policy freshness (ENG-11): the calls logged by each change reproduce exactly a full rebuild.

A seeded random walk of administrative actions goes through the real services, on committed transactions (as
a server makes them). After every action, the acting process's engine — maintained by applying each change's
calls — and a second cache standing for another process — maintained by replaying the log — must both equal a
full rebuild from the directory: same policy document (``export()``), same deployment calendar, same compiled
tables. Neither may have rebuilt in full after its start.
"""

from __future__ import annotations

import random
from datetime import date, time, timedelta

import pytest
from django.core.exceptions import ValidationError

from conftest import make_network
from habpps.accounts.models import Account, AccountStatus
from habpps.authorization import approvals, model_services, scope_services
from habpps.authorization.access_windows import Window
from habpps.authorization.decisions import AccessRefused
from habpps.authorization.models import (
    ApprovalStatus,
    ContextAttribute,
    ContextConstraint,
    Exclusion,
    PendingApproval,
    PermissionConstraint,
    PopulationRule,
    RoleInheritance,
    SeparationSet,
)
from habpps.authorization.policy_build import build_deployment, build_rbac
from habpps.authorization.policy_cache import PolicyCache, policy_cache, policy_change
from habpps.conventions.models import DelegatedPerimeter
from habpps.directory import deployment, services
from habpps.directory.models import (
    AccountRoleAssignment,
    Fund,
    Group,
    GroupMembership,
    GroupRoleAssignment,
    Partner,
    PartnerType,
    PolicyChange,
    ServiceRole,
    Status,
)
from habpps.engine import RBACError
from habpps.engine.exclusion_functions import ExclusionFunctions

ACTIONS_PER_WALK = 40
EXTENSION_SECTIONS = (
    "context_attributes", "context_constraints", "permission_constraints", "populations", "field_rules",
    "action_limits",
)


def valid_siret(rng: random.Random) -> str:
    """A random SIRET whose Luhn key holds."""
    digits = [rng.randrange(10) for _ in range(13)]
    for last in range(10):
        candidate = [*digits, last]
        total = 0
        for index, digit in enumerate(reversed(candidate)):
            doubled = digit * 2 if index % 2 else digit
            total += doubled - 9 if doubled > 9 else doubled
        if total % 10 == 0:
            return "".join(map(str, candidate))
    raise AssertionError("unreachable")


def snapshot_tables(snapshot) -> dict:
    return {
        "entries": dict(snapshot._entries),
        "grants": dict(snapshot._grants),
        "role_perms": dict(snapshot._role_perms),
        "holders": dict(snapshot._holders),
        "lineage": dict(snapshot._lineage),
    }


def assert_equals_full_rebuild(compiled) -> None:
    rebuilt = build_rbac()
    assert compiled.rbac.export() == rebuilt.export()
    assert compiled.deployment == build_deployment()
    assert snapshot_tables(compiled.snapshot) == snapshot_tables(rebuilt.compile())


class Walk:
    """Random administrative actions on the test network, each valid or refused as a whole."""

    def __init__(self, rng: random.Random, network) -> None:
        self.rng = rng
        self.network = network
        self.ccas = PartnerType.objects.get(code="ccas")
        self.profiles = list(ServiceRole.objects.filter(account_level="", doctrine_rules__partner_type=self.ccas))
        self.admin_roles = {role.account_level: role for role in ServiceRole.objects.exclude(account_level="")}

    def pick(self, queryset):
        rows = list(queryset.order_by("pk"))
        return self.rng.choice(rows) if rows else None

    def step(self, actions=None) -> str:
        action = self.rng.choice(actions) if actions else self.rng.choice(
            [
                self.new_partner, self.new_group, self.new_account, self.add_member, self.add_member,
                self.remove_member, self.assign_profile, self.assign_profile, self.unassign_profile,
                self.grant_role, self.revoke_role, self.account_status, self.group_status, self.partner_status,
                self.fund_status, self.permissions, self.opening, self.opening, self.new_profile,
                self.group_window, self.group_window, self.account_window,
                self.context_rule, self.scoping_rule,
                # the extended model (ENG-2, 3, 6, 7) and the changes its exclusions hold
                self.inheritance, self.inheritance, self.separation, self.exclusion, self.exclusion,
                self.role_rule, self.account_limit, self.decide_pending, self.decide_pending,
            ]
        )
        try:
            action()
        except (ValidationError, RBACError) as error:
            return f"{action.__name__} (refusé : {error})"
        return action.__name__

    def context_rule(self) -> None:
        """Contextual constraints (ENG-5): attributes, constraints and their links to permissions, changed,
        linked and deleted at random (a change the engine refuses is refused as a whole)."""
        rng = self.rng
        choice = rng.randrange(5)
        if choice == 0 or not ContextAttribute.objects.filter(name="heure").exists():
            name = rng.choice(["heure", "jour", "poste"]) if choice == 0 else "heure"
            function = {"heure": "current_time", "jour": "weekday", "poste": "client_ip"}[name]
            scope_services.save_attribute(None, ContextAttribute.objects.filter(name=name).first(), name=name,
                                          function=function)
        elif choice == 1:
            hour = rng.randrange(6, 10)
            scope_services.save_constraint(
                None, ContextConstraint.objects.filter(name="ouvert").first(), name="ouvert",
                conditions=[{"operator": "between",
                             "operands": [{"attribute": "heure"}, f"0{hour}:00", "20:00"]}],
            )
        elif ContextConstraint.objects.exists() and (choice == 2 or not PermissionConstraint.objects.exists()):
            permission = self.pick(rng.choice(self.profiles).permissions.all())
            scope_services.link_permission(
                None, permission.operation, permission.obj, self.pick(ContextConstraint.objects.all())
            )
        elif choice == 3 and PermissionConstraint.objects.exists():
            scope_services.unlink_permission(None, self.pick(PermissionConstraint.objects.all()))
        elif ContextConstraint.objects.exists():
            scope_services.delete_constraint(None, self.pick(ContextConstraint.objects.all()))

    def scoping_rule(self) -> None:
        """Populations, field rules and action limits (ENG-8) of profiles, set and removed at random."""
        rng = self.rng
        role = rng.choice([*self.profiles, *self.admin_roles.values()])
        choice = rng.randrange(4)
        if choice == 0:
            scope_services.add_population(
                None, role, resource=rng.choice(["comptes", "organismes"]), name=f"p{rng.randrange(3)}",
                kind=rng.choice(["all", "org_subtree", "org_unit"]), field="org",
            )
        elif choice == 1 and PopulationRule.objects.exists():
            scope_services.delete_population(None, self.pick(PopulationRule.objects.all()))
        elif choice == 2:
            when = self.pick(ContextConstraint.objects.all()) if rng.random() < 0.3 else None
            scope_services.set_field_rule(None, role, resource="dossiers-cdap", field=rng.choice(["iban", "adresse"]),
                                          access=rng.choice(["read", "write", "forbidden"]), when=when)
        else:
            scope_services.set_action_limits(
                None, role, "cdap.consulter-dossier",
                max_per_day=rng.choice([None, 50, 200]), max_records=rng.choice([None, 100]),
            )

    def role_status(self) -> None:
        """A profile leaves force or comes back (its scoping rules follow it out of the engine and back)."""
        role = self.rng.choice(self.profiles)
        with policy_change():
            ServiceRole.objects.filter(pk=role.pk).update(
                status=Status.SUSPENDED if ServiceRole.objects.get(pk=role.pk).status == Status.ACTIVE
                else Status.ACTIVE
            )

    def new_partner(self) -> None:
        fund = self.pick(Fund.objects.filter(status=Status.ACTIVE))
        if fund is None:
            return
        services.create_partner(
            None, fund, name=f"CCAS {self.rng.randrange(10**6)}", siret=valid_siret(self.rng),
            partner_type=self.ccas, street="1 rue de la Paix", postal_code="75001", city="Paris",
        )

    def new_group(self) -> None:
        partner = self.pick(Partner.objects.exclude(status=Status.REMOVED))
        if partner is None:
            return
        services.create_group(None, partner, name=f"Groupe {self.rng.randrange(10**6)}")

    def new_account(self) -> None:
        organisation = self.pick(Partner.objects.filter(status=Status.ACTIVE, fund__status=Status.ACTIVE))
        services.create_account(
            None, organisation, first_name="Camille", last_name=f"Essai{self.rng.randrange(1000)}",
            email="camille@exemple.fr", password="Motdepasse#2025",
        )

    def add_member(self) -> None:
        group = self.pick(Group.objects.exclude(status=Status.REMOVED))
        account = self.pick(Account.objects.filter(partner=group.partner).exclude(status=AccountStatus.REMOVED))
        if account is not None:
            services.add_group_member(None, group, account)

    def remove_member(self) -> None:
        membership = self.pick(GroupMembership.objects.current())
        if membership is not None:
            services.remove_group_member(None, membership.group, membership.account)

    def window(self) -> Window:
        """A random time window (ENG-5): often none, else dates, hours and weekdays in any combination."""
        rng = self.rng
        if rng.random() < 0.15:
            return Window()
        today = date.today()
        start = today + timedelta(days=rng.randrange(-30, 30)) if rng.random() < 0.5 else None
        end = today + timedelta(days=rng.randrange(0, 60)) if rng.random() < 0.6 else None
        if start and end and start > end:
            start, end = end, start
        hours = (time(rng.randrange(0, 12)), time(rng.randrange(12, 24))) if rng.random() < 0.4 else (None, None)
        days = tuple(sorted(rng.sample(range(1, 8), rng.randrange(1, 6)))) if rng.random() < 0.3 else ()
        return Window(start, end, *hours, days)

    def assign_profile(self) -> None:
        group = self.pick(Group.objects.exclude(status=Status.REMOVED))
        services.assign_group_role(None, group, self.rng.choice(self.profiles), self.window())

    def group_window(self) -> None:
        assignment = self.pick(GroupRoleAssignment.objects.current())
        if assignment is not None:
            services.set_group_role_window(None, assignment, self.window())

    def account_window(self) -> None:
        assignment = self.pick(AccountRoleAssignment.objects.current())
        if assignment is not None:
            services.set_account_role_window(None, assignment, self.window())

    def unassign_profile(self) -> None:
        assignment = self.pick(GroupRoleAssignment.objects.current())
        if assignment is not None:
            services.unassign_group_role(None, assignment.group, assignment.role)

    def grant_role(self) -> None:
        account = self.pick(Account.objects.exclude(status=AccountStatus.REMOVED))
        services.grant_account_role(None, account, self.admin_roles[account.org_level], self.window())

    def revoke_role(self) -> None:
        assignment = self.pick(AccountRoleAssignment.objects.current())
        if assignment is not None:
            services.revoke_account_role(None, assignment.account, assignment.role)

    def account_status(self) -> None:
        account = self.pick(Account.objects.exclude(status=AccountStatus.REMOVED))
        new = AccountStatus.ACTIVE if account.status != AccountStatus.ACTIVE else AccountStatus.SUSPENDED
        services.set_account_status(None, account, self.rng.choice([new, new, new, AccountStatus.REMOVED]))

    def group_status(self) -> None:
        group = self.pick(Group.objects.exclude(status=Status.REMOVED))
        services.set_group_status(None, group, Status.ACTIVE if group.status != Status.ACTIVE else Status.SUSPENDED)

    def partner_status(self) -> None:
        partner = self.pick(Partner.objects.exclude(status=Status.REMOVED))
        new = Status.ACTIVE if partner.status != Status.ACTIVE else Status.SUSPENDED
        services.set_partner_status(None, partner, new)

    def fund_status(self) -> None:
        fund = self.pick(Fund.objects.exclude(status=Status.REMOVED))
        services.set_fund_status(None, fund, Status.ACTIVE if fund.status != Status.ACTIVE else Status.SUSPENDED)

    def permissions(self) -> None:
        role = self.rng.choice(self.profiles)
        held = set(role.permissions.values_list("operation", "obj"))
        extra = ("consulter", f"cdap.section.essai-{self.rng.randrange(3)}")
        wanted = held ^ {extra} if self.rng.random() < 0.7 else set(list(held)[1:])
        services.set_role_permissions(None, role, wanted)

    def opening(self) -> None:
        role = self.rng.choice(self.profiles)
        fund = self.pick(Fund.objects.all()) if self.rng.random() < 0.5 else None
        if self.rng.random() < 0.2:
            deployment.clear_opening(None, role, fund)
            return
        day = self.rng.choice([None, date.today() - timedelta(days=30), date.today() + timedelta(days=365)])
        deployment.set_opening(None, role, fund, day)

    def any_roles(self, count: int) -> list[ServiceRole]:
        roles = sorted({*self.profiles, *ServiceRole.objects.exclude(account_level="")}, key=lambda r: r.pk)
        return self.rng.sample(roles, count)

    def any_unit(self) -> str:
        fund = self.pick(Fund.objects.all())
        partner = self.pick(Partner.objects.all())
        return self.rng.choice(["", "", "national", f"fund:{fund.pk}", f"partner:{partner.pk}"])

    def inheritance(self) -> None:
        link = self.pick(RoleInheritance.objects.all())
        if link is not None and self.rng.random() < 0.35:
            model_services.remove_inheritance(None, link)
            return
        senior, junior = self.any_roles(2)
        model_services.add_inheritance(None, senior, junior)

    def separation(self) -> None:
        sod_set = self.pick(SeparationSet.objects.all())
        if sod_set is not None and self.rng.random() < 0.35:
            model_services.delete_separation_set(None, sod_set)
            return
        members = [(role, self.any_unit()) for role in self.any_roles(self.rng.choice([2, 2, 3]))]
        model_services.create_separation_set(
            None, kind=self.rng.choice(["ssd", "dsd"]), name=f"Ensemble {self.rng.randrange(10**6)}",
            cardinality=self.rng.randint(2, len(members)), members=members,
        )

    def exclusion(self) -> None:
        rule = self.pick(Exclusion.objects.all())
        if rule is not None and self.rng.random() < 0.3:
            model_services.delete_exclusion(None, rule)
            return
        members = [{"role": role, "org": self.any_unit()} for role in self.any_roles(2)]
        if self.rng.random() < 0.4:
            members[1] = {"operation": "consulter", "obj": "cdap.section.dossier", "org": self.any_unit()}
        kind = "dynamic" if self.rng.random() < 0.2 else "static"
        risks = ["block", "report"] if kind == "dynamic" else ["block", "require_approval", "require_approval", "report"]
        model_services.create_exclusion(
            None, name=f"Exclusion {self.rng.randrange(10**6)}", risk=self.rng.choice(risks), kind=kind,
            cardinality=2, members=members,
        )

    def role_rule(self) -> None:
        role = self.any_roles(1)[0]
        model_services.set_role_rule(None, role, descends=self.rng.random() < 0.6,
                                     max_users=self.rng.choice([None, None, 1, 3, 50]))

    def account_limit(self) -> None:
        account = self.pick(Account.objects.exclude(status=AccountStatus.REMOVED))
        services.set_account_limit(None, account, self.rng.choice([None, 1, 2, 5]),
                                   max_sessions=self.rng.choice([None, None, 1, 3]))

    def decide_pending(self) -> None:
        pending = self.pick(PendingApproval.objects.filter(status=ApprovalStatus.PENDING))
        if pending is None:
            self.grant_role()
            return
        if self.rng.random() < 0.8:
            approvals.approve(self.network.national_admin, pending)
        else:
            approvals.reject(self.network.national_admin, pending, "refus d'essai")

    def new_profile(self) -> None:
        service = self.rng.choice(self.profiles).service
        role = services.create_service_role(
            None, service, code=f"essai-{self.rng.randrange(10**6)}", name="Profil d'essai"
        )
        services.set_role_permissions(None, role, {("consulter", "cdap.section.dossier")})
        services.set_doctrine(None, {self.ccas: [*self.ccas.allowed_roles.all(), role]})
        self.profiles.append(role)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [359, 2016])
def test_logged_calls_reproduce_a_full_rebuild(transactional_db, seed):
    network = make_network()
    acting = policy_cache.current()
    other = PolicyCache()  # another process: it only ever replays the log
    other.current()
    full_builds = policy_cache.full_builds
    walk = Walk(random.Random(seed), network)
    done = []
    windows_seen = False
    for _ in range(ACTIONS_PER_WALK):
        done.append(walk.step())
        acting = policy_cache.current()
        assert_equals_full_rebuild(acting), done
        windows_seen |= bool(acting.rbac.export().get("temporal_constraints"))
        replayed = other.refresh()
        assert (replayed.number, replayed.token) == (acting.number, acting.token)
        assert replayed.rbac.export() == acting.rbac.export(), done
        assert snapshot_tables(replayed.snapshot) == snapshot_tables(acting.snapshot)
    assert policy_cache.full_builds == full_builds, "the acting process rebuilt in full"
    assert other.full_builds == 1, "the other process rebuilt instead of replaying"
    assert other.replayed > 0
    assert windows_seen, "no time window (ENG-5) was ever replayed"


@pytest.mark.slow
@pytest.mark.parametrize("seed", [5, 2026])
def test_contextual_and_scoping_rules_replay_like_a_full_rebuild(transactional_db, seed):
    """ENG-5 and ENG-8 rules (attributes, constraints, links, populations, field rules, limits), with profiles
    leaving and re-entering force and time windows: the log reproduces a full rebuild at every step."""
    network = make_network()
    policy_cache.current()
    other = PolicyCache()
    other.current()
    full_builds = policy_cache.full_builds
    walk = Walk(random.Random(seed), network)
    actions = [walk.context_rule] * 3 + [walk.scoping_rule] * 3 + [
        walk.role_status, walk.group_window, walk.assign_profile, walk.permissions]
    cesf = network.roles["cdap-ass-cesf"]
    prelude = [
        lambda: scope_services.save_attribute(None, None, name="heure", function="current_time"),
        lambda: scope_services.save_constraint(None, None, name="ouvert", conditions=[
            {"operator": "between", "operands": [{"attribute": "heure"}, "07:00", "20:00"]}]),
        lambda: scope_services.link_permission(None, "acceder", "cdap", ContextConstraint.objects.get()),
        lambda: scope_services.add_population(None, cesf, resource="comptes", name="p", kind="org_subtree",
                                              field="org"),
        lambda: scope_services.set_field_rule(None, cesf, resource="dossiers-cdap", field="iban", access="read"),
        lambda: scope_services.set_action_limits(None, cesf, "cdap.consulter-dossier", max_per_day=40),
    ]
    done, seen = [], set()
    for index in range(ACTIONS_PER_WALK):
        if index < len(prelude):
            prelude[index]()
            done.append(f"prélude {index}")
        else:
            done.append(walk.step(actions))
        acting = policy_cache.current()
        assert_equals_full_rebuild(acting), done
        exported = acting.rbac.export()
        seen.update(key for key in EXTENSION_SECTIONS if exported.get(key))
        replayed = other.refresh()
        assert replayed.rbac.export() == exported, done
        assert snapshot_tables(replayed.snapshot) == snapshot_tables(acting.snapshot)
    assert policy_cache.full_builds == full_builds
    assert other.full_builds == 1
    assert seen == set(EXTENSION_SECTIONS), (seen, done)


def test_a_change_is_logged_with_its_engine_calls(transactional_db):
    network = make_network()
    policy_cache.current()
    services.unassign_group_role(None, network.group_a, network.roles["cdap-ass-cesf"])
    change = PolicyChange.objects.latest("number")
    assert change.calls == [
        ["deassign_group", f"group:{network.group_a.pk}", "cdap-ass-cesf", f"partner:{network.partner_a.pk}"]
    ]
    assert policy_cache.current().number == change.number


def test_a_refused_engine_call_rolls_the_change_back(transactional_db, monkeypatch):
    network = make_network()
    before = policy_cache.current()
    exported = before.rbac.export()
    last = PolicyChange.objects.latest("number").number

    def refuse(*args, **kwargs):
        raise RBACError("refusé par une contrainte")

    # The engine's exclusion layer checks a membership naming who asks it (policy_delta.apply_calls).
    monkeypatch.setattr(ExclusionFunctions, "add_group_member", refuse)
    with pytest.raises(RBACError):
        services.add_group_member(None, network.group_a, network.partner_admin_a)
    monkeypatch.undo()
    assert not GroupMembership.objects.filter(group=network.group_a, account=network.partner_admin_a).exists()
    assert PolicyChange.objects.latest("number").number == last
    assert policy_cache.current().rbac.export() == exported


def test_a_gap_in_the_log_makes_a_process_rebuild(transactional_db):
    network = make_network()
    other = PolicyCache()
    other.current()
    services.unassign_group_role(None, network.group_a, network.roles["cdap-ass-cesf"])
    services.unassign_group_role(None, network.group_b, network.roles["cdap-ass-cesf"])
    PolicyChange.objects.filter(number=PolicyChange.objects.latest("number").number - 1).delete()
    compiled = other.refresh()
    assert other.full_builds == 2
    assert compiled.rbac.export() == build_rbac().export()


def test_a_rebuild_asked_on_demand_reaches_every_process(transactional_db):
    make_network()
    other = PolicyCache()
    other.current()
    with policy_change(rebuild=True):
        pass
    assert PolicyChange.objects.latest("number").rebuild
    other.refresh()
    assert other.full_builds == 2


class DelegationWalk:
    """Random actions on a partner that delegates (ADM-4, CNV-1..3): sub-perimeters given, changed and ended,
    amendments validated, profiles withdrawn, accounts and groups created or suspended in the partner, its
    administrators named and removed, the partner and its fund suspended — each moves the derived sections
    (``admin_roles``, ``admin_assignments``, ``delegations``, ``user_orgs``, ``perimeters``)."""

    def __init__(self, rng: random.Random, world) -> None:
        from habpps.conventions.delegation import services as delegation

        self.rng, self.world, self.delegation = rng, world, delegation
        self.ccas = PartnerType.objects.get(code="ccas")
        self.profiles = list(ServiceRole.objects.filter(account_level="", doctrine_rules__partner_type=self.ccas))

    def pick(self, queryset):
        rows = list(queryset.order_by("pk"))
        return self.rng.choice(rows) if rows else None

    def accounts(self):
        return Account.objects.filter(partner=self.world.partner).exclude(status=AccountStatus.REMOVED)

    def step(self) -> str:
        action = self.rng.choice([
            self.delegate, self.delegate, self.delegate, self.amend, self.amend, self.new_account,
            self.account_status, self.name_administrator, self.name_administrator, self.new_group,
            self.group_status, self.partner_status, self.fund_status, self.profile_status, self.delegate_acts,
            self.terminate,
        ])
        try:
            action()
        except (ValidationError, RBACError, AccessRefused) as error:
            return f"{action.__name__} (refusé : {error})"
        return action.__name__

    def delegate(self) -> None:
        rng = self.rng
        holders = AccountRoleAssignment.objects.current().filter(role__code="PartnerDelegate").values("account_id")
        delegates = self.accounts().filter(pk__in=holders) if self.rng.random() < 0.8 else self.accounts()
        delegate = self.pick(delegates.exclude(pk=self.world.partner_admin.pk))
        if delegate is None:
            return
        groups = list(Group.objects.filter(partner=self.world.partner).exclude(status=Status.REMOVED).order_by("pk"))
        roles = rng.sample(self.profiles, rng.randrange(0, min(3, len(self.profiles)) + 1))
        admin = self.pick(self.accounts().filter(
            pk__in=AccountRoleAssignment.objects.current().filter(role__code="PartnerAdmin").values("account_id")))
        self.delegation.delegate_perimeter(admin or self.world.partner_admin, delegate,
                                           groups=rng.sample(groups, rng.randrange(0, len(groups) + 1)),
                                           roles=roles)

    def amend(self) -> None:
        from habpps.conventions import services as conventions
        from habpps.conventions.models import Convention

        convention = Convention.objects.filter(partner=self.world.partner, ended_at__isnull=True).first()
        if convention is None:
            convention = conventions.create_convention(
                self.world.admin, self.world.partner, reference=f"CAF751-{self.rng.randrange(10**6)}",
                service_contract="CS-2025-001",
            )
            version = convention.versions.get()
        else:
            version = conventions.amend(self.world.admin, convention)
        chosen = self.rng.sample(self.profiles, self.rng.randrange(1, min(3, len(self.profiles)) + 1))
        conventions.set_bulletin(self.world.admin, version, self.world.cdap,
                                 {role: self.rng.choice([None, 2, 5]) for role in chosen})
        conventions.submit(self.world.admin, version)
        conventions.validate_version(self.world.verifier, version)

    def terminate(self) -> None:
        from habpps.conventions import services as conventions
        from habpps.conventions.models import Convention

        convention = Convention.objects.filter(partner=self.world.partner, ended_at__isnull=True).first()
        if convention is not None and self.rng.random() < 0.5:
            conventions.terminate(self.world.admin, convention, "fin d'essai")

    def new_account(self) -> None:
        services.create_account(
            None, self.world.partner, first_name="Camille", last_name=f"Essai{self.rng.randrange(1000)}",
            email="camille@exemple.fr", password="Motdepasse#2025",
        )

    def account_status(self) -> None:
        account = self.pick(self.accounts())
        new = AccountStatus.ACTIVE if account.status != AccountStatus.ACTIVE else AccountStatus.SUSPENDED
        services.set_account_status(None, account, new)

    def name_administrator(self) -> None:
        account = self.pick(self.accounts())
        role = ServiceRole.objects.get(code=self.rng.choice(["PartnerAdmin", "PartnerDelegate"]))
        if AccountRoleAssignment.objects.current().filter(account=account, role=role).exists():
            services.revoke_account_role(None, account, role)
        else:
            services.grant_account_role(None, account, role)

    def new_group(self) -> None:
        services.create_group(None, self.world.partner, name=f"Groupe {self.rng.randrange(10**6)}")

    def group_status(self) -> None:
        group = self.pick(Group.objects.filter(partner=self.world.partner).exclude(status=Status.REMOVED))
        services.set_group_status(None, group, Status.ACTIVE if group.status != Status.ACTIVE else Status.SUSPENDED)

    def partner_status(self) -> None:
        partner = Partner.objects.get(pk=self.world.partner.pk)
        services.set_partner_status(None, partner, Status.ACTIVE if partner.status != Status.ACTIVE
                                    else Status.SUSPENDED)

    def fund_status(self) -> None:
        fund = Fund.objects.get(pk=self.world.fund.pk)
        if self.rng.random() < 0.5 or fund.status != Status.ACTIVE:
            services.set_fund_status(None, fund, Status.ACTIVE if fund.status != Status.ACTIVE else Status.SUSPENDED)

    def profile_status(self) -> None:
        role = self.rng.choice(self.profiles)
        with policy_change():
            ServiceRole.objects.filter(pk=role.pk).update(
                status=Status.SUSPENDED if ServiceRole.objects.get(pk=role.pk).status == Status.ACTIVE
                else Status.ACTIVE
            )

    def delegate_acts(self) -> None:
        """The delegate acts through the directory: the engine decides with the sections replayed so far."""
        from habpps.conventions.delegation.authority import current_perimeter

        perimeter = self.pick(DelegatedPerimeter.objects.filter(ended_at__isnull=True))
        if perimeter is None or current_perimeter(perimeter.delegate) is None:
            return
        group = self.pick(Group.objects.filter(partner=self.world.partner).exclude(status=Status.REMOVED))
        if self.rng.random() < 0.5:
            services.assign_group_role(perimeter.delegate, group, self.rng.choice(self.profiles))
        else:
            account = self.pick(self.accounts())
            services.add_group_member(perimeter.delegate, group, account)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [16, 4035])
def test_delegated_administration_replays_like_a_full_rebuild(transactional_db, seed):
    """The sections compiled from conventions and delegations (ADM-4, CNV-1..3) move by change-log calls: no
    process rebuilds in full, and the replayed engine equals a full rebuild at every step."""
    from conventions.conftest import make_convention_world, validated_convention

    world = make_convention_world()
    validated_convention(world, max_users=None, profiles=("cdap-ass-cesf",))
    policy_cache.current()
    other = PolicyCache()
    other.current()
    full_builds = policy_cache.full_builds
    walk = DelegationWalk(random.Random(seed), world)
    done, seen = [], set()
    prelude = [  # a sub-perimeter, then the walk
        lambda: walk.delegation.delegate_perimeter(world.partner_admin, world.delegate, groups=[world.social],
                                                   roles=[world.roles["cdap-ass-cesf"]]),
    ]
    for index in range(ACTIONS_PER_WALK):
        done.append(walk.step() if index >= len(prelude) else prelude[index]() and "prélude")
        acting = policy_cache.current()
        assert_equals_full_rebuild(acting), done
        exported = acting.rbac.export()
        seen.update(key for key in ("admin_roles", "admin_assignments", "delegations", "user_orgs") if exported.get(key))
        replayed = other.refresh()
        assert replayed.rbac.export() == exported, done
        assert snapshot_tables(replayed.snapshot) == snapshot_tables(acting.snapshot)
    assert policy_cache.full_builds == full_builds, ("the acting process rebuilt in full", done)
    assert other.full_builds == 1, ("the other process rebuilt instead of replaying", done)
    assert seen == {"admin_roles", "admin_assignments", "delegations", "user_orgs"}, (seen, done)
    replace_rules = [call for change in PolicyChange.objects.all() for call in change.calls if call[0] == "replace_rule"]
    assert {call[1] for call in replace_rules} >= {"admin_assignments", "delegations", "user_orgs", "perimeters"}


def test_an_ordinary_change_derives_only_the_partners_it_touched(transactional_db, monkeypatch):
    """Deriving every partner's rules at every change cost 0.4–1 s at national scale (issue 16): a change derives
    again only the partners whose records it wrote — named by the change-capture triggers, a sub-perimeter's
    included — and everything only when it wrote what every partner's rules depend on (the doctrine)."""
    from conventions.conftest import make_convention_world, validated_convention
    from habpps.authorization import policy_rules
    from habpps.authorization.orgs import partner_unit
    from habpps.conventions.delegation import services as delegation

    world = make_convention_world()
    validated_convention(world, max_users=None, profiles=("cdap-ass-cesf",))
    policy_cache.current()
    asked: list = []
    derivation = policy_rules.derivation
    monkeypatch.setattr(policy_rules, "derivation", lambda partners=None: asked.append(partners) or derivation(partners))
    partner, other = world.partner.pk, world.net.partner_b.pk

    services.add_group_member(None, world.social, world.users[0])
    assert asked[-1] == {partner}
    delegation.delegate_perimeter(world.partner_admin, world.delegate, groups=[world.social],
                                  roles=[world.roles["cdap-ass-cesf"]])
    assert asked[-1] == {partner}
    [delegated] = [d for d in policy_cache.current().rbac.delegations().values() if d.grantee == world.delegate.login]
    assert delegated.roles == {"cdap-ass-cesf"}
    services.set_partner_status(None, Partner.objects.get(pk=other), Status.SUSPENDED)
    assert asked[-1] == {other}
    assert_equals_full_rebuild(policy_cache.current())
    ccas = world.partner.partner_type
    services.set_doctrine(None, {ccas: [role for role in ccas.allowed_roles.all() if role.code != "cdap-ass-cesf"]})
    assert asked[-1] is None
    assert "cdap-ass-cesf" not in policy_cache.current().rbac.perimeters()[partner_unit(partner)].roles
    assert_equals_full_rebuild(policy_cache.current())
    assert not PolicyChange.objects.filter(rebuild=True).exists()
