"""Load a national-shape policy (``bench/engine/generate.py``) into the directory tables of a PostgreSQL database.

The generator's plan becomes funds, partners, groups, accounts, access profiles and their assignments, written
with ``bulk_create`` while the change-capture triggers are off for the session (``session_replication_role``):
the load is a migration of existing data, not an administrative change. The policy version is set once at the
end, without change-log rows, so every process starts with a full build.

Mapping: the plan's 36 profiles become access profiles of three services (``cdap``, ``cafpro``, ``ql-web``); its
administrative roles become the directory's seeded ones (national, fund administrator, verifier, partner
administrator, delegate); the plan's role hierarchy and SSD set have no directory counterpart and are left out.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "engine"))

from generate import NATIONAL, PolicyPlan  # noqa: E402 - the engine benchmark's generator

ADMIN_ROLES = {
    "administrateur-national": "NationalAdmin",
    "administrateur-caisse": "FundAdmin",
    "verificateur-caisse": "Verifier",
    "administrateur-partenaire": "PartnerAdmin",
    "responsable-habilitations": "PartnerDelegate",
}
BATCH = 5000


def _siret(rng: random.Random) -> str:
    digits = [rng.randrange(10) for _ in range(13)]
    for last in range(10):
        total = 0
        for index, digit in enumerate(reversed([*digits, last])):
            doubled = digit * 2 if index % 2 else digit
            total += doubled - 9 if doubled > 9 else doubled
        if total % 10 == 0:
            return "".join(map(str, [*digits, last]))
    raise AssertionError("unreachable")


def profile_code(plan_role: str) -> str:
    """``cdap:profil-01`` → ``cdap-profil-01`` (directory codes have no colon)."""
    return plan_role.replace(":", "-")


def load_plan(plan: PolicyPlan) -> dict:
    """Write ``plan`` into the (migrated, reference-seeded) directory; returns what the benchmark needs to act."""
    from django.db import connection, transaction
    from django.utils import timezone

    from habpps.accounts.models import Account, OrgLevel
    from habpps.directory.models import (
        AccountRoleAssignment,
        Fund,
        Group,
        GroupMembership,
        GroupRoleAssignment,
        Partner,
        PartnerType,
        PolicyVersion,
        RolePermission,
        Service,
        ServiceRole,
    )

    rng = random.Random(plan.seed)
    now = timezone.now()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")  # no change-capture triggers
        ccas = PartnerType.objects.get(code="ccas")
        services = {}
        for code in ("cdap", "cafpro", "ql-web"):
            services[code], _ = Service.objects.get_or_create(code=code, defaults={"name": code.upper()})
        roles = {code: role for code, role in ServiceRole.objects.values_list("code", "pk")}
        plan_profiles = [role for role in plan.roles if role not in ADMIN_ROLES]
        ServiceRole.objects.bulk_create(
            ServiceRole(service=services[role.split(":")[0]], code=profile_code(role), name=role)
            for role in plan_profiles
        )
        role_ids = dict(ServiceRole.objects.values_list("code", "pk"))
        role_of = {role: role_ids[profile_code(role)] for role in plan_profiles}
        role_of.update({plan_role: roles[code] for plan_role, code in ADMIN_ROLES.items()})
        RolePermission.objects.bulk_create(
            (RolePermission(role_id=role_of[role], operation=op, obj=obj) for op, obj, role in plan.grants
             if role not in ADMIN_ROLES),
            batch_size=BATCH,
        )
        ccas.allowed_roles.add(*[role_of[role] for role in plan_profiles])

        funds = [org for org, parent in plan.orgs if parent == NATIONAL]
        Fund.objects.bulk_create(
            Fund(code=f"{index:03d}", name=f"Caf {index:03d}", department=f"{index % 95 + 1:02d}")
            for index, _fund in enumerate(funds, start=1)
        )
        fund_id = dict(zip(funds, Fund.objects.order_by("code").values_list("pk", flat=True), strict=True))
        partners = [(org, parent) for org, parent in plan.orgs if parent is not None and parent != NATIONAL]
        Partner.objects.bulk_create(
            (Partner(fund_id=fund_id[parent], name=org, siret=_siret(rng), partner_type=ccas, street="1 rue",
                     postal_code="75001", city="Paris") for org, parent in partners),
            batch_size=BATCH,
        )
        partner_id = dict(Partner.objects.values_list("name", "pk"))
        group_partner = {group: partner_id[group.split("/")[0]] for group in plan.groups}
        Group.objects.bulk_create(
            (Group(partner_id=group_partner[group], name=group) for group in plan.groups), batch_size=BATCH
        )
        group_id = {}
        for pk, name in Group.objects.values_list("pk", "name"):
            group_id[name] = pk

        def account(user: str) -> Account:
            home = plan.user_home[user]
            if home == NATIONAL:
                return Account(login=user, org_level=OrgLevel.NATIONAL, password="!", email=f"{user}@exemple.fr")
            if home in fund_id:
                return Account(login=user, org_level=OrgLevel.FUND, fund_id=fund_id[home], password="!",
                               email=f"{user}@exemple.fr")
            return Account(login=user, org_level=OrgLevel.PARTNER, partner_id=partner_id[home], password="!",
                           email=f"{user}@exemple.fr")

        Account.objects.bulk_create((account(user) for user in plan.users), batch_size=BATCH)
        account_id = dict(Account.objects.values_list("login", "pk"))
        GroupRoleAssignment.objects.bulk_create(
            (GroupRoleAssignment(group_id=group_id[group], role_id=role_of[role], started_at=now)
             for group, role, _org in plan.group_assignments),
            batch_size=BATCH,
        )
        GroupMembership.objects.bulk_create(
            (GroupMembership(group_id=group_id[group], account_id=account_id[user], started_at=now)
             for group, user in plan.memberships),
            batch_size=BATCH,
        )
        AccountRoleAssignment.objects.bulk_create(
            (AccountRoleAssignment(account_id=account_id[user], role_id=role_of[role], started_at=now)
             for user, role, _org in plan.user_assignments),
            batch_size=BATCH,
        )
        PolicyVersion.objects.update_or_create(pk=PolicyVersion.SINGLETON_ID, defaults={"number": 1, "token": "charge"})
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"role_of": role_of, "group_id": group_id, "account_id": account_id, "partner_id": partner_id,
            "fund_id": fund_id}
