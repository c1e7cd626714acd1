"""Load the engine benchmark's national policy into the directory's tables (bulk path), for the scale proof.

The policy is the one of ``bench/engine/generate.py`` (same seed, same shape: 100 funds, users/10 partners, two
groups per partner, 36 service profiles, agents, direct assignments). Rows are written with ``bulk_create``
straight into the directory's models — the administrative services would journal and recompile the whole
policy for every one of ~800,000 rows — and the policy version is bumped once at the end, as one large import.

Differences from the engine benchmark, because the directory does not store them yet (``policy_import``): the
administrative role hierarchy is flattened (each administrative role holds its juniors' permissions) and the
SSD set is left out; neither changes any decision of the sampled queries.

Also writes the sampled check queries, translated to the directory's engine names (``partner:<id>``…), to the
JSON file the load generator reads.

    DATABASE_URL=postgres://… python bench/scale/load.py --users 300000 --queries var/scale/queries.json
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench" / "engine"))

from generate import (  # noqa: E402 — the engine benchmark's generator, not a package
    ADMIN_ROLES,
    NATIONAL,
    SERVICES,
    _role_permissions,
    generate_policy,
    sample_queries,
)

ADMIN_LEVELS = {
    "administrateur-national": "national",
    "administrateur-caisse": "fund",
    "verificateur-caisse": "fund",
    "administrateur-partenaire": "partner",
    "responsable-habilitations": "partner",
}
BATCH = 5000


def luhn_siret(number: int) -> str:
    """A 14-digit SIRET whose last digit is the Luhn key of the 13 before it."""
    body = f"{number:013d}"
    total = 0
    for index, digit in enumerate(reversed(body)):
        value = int(digit) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return body + str((10 - total % 10) % 10)


def role_code(role: str) -> str:
    return role.replace(":", "-")


def load(users: int, seed: int, queries_path: Path | None, query_count: int) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "habpps.settings")
    import django

    django.setup()
    from django.db import transaction

    from habpps.accounts.models import Account, OrgLevel
    from habpps.authorization.orgs import NATIONAL_UNIT, fund_unit, partner_unit
    from habpps.authorization.policy_cache import bump_version
    from habpps.directory.models import (
        AccountRoleAssignment,
        Fund,
        Group,
        GroupMembership,
        GroupRoleAssignment,
        Partner,
        PartnerType,
        RolePermission,
        Service,
        ServiceRole,
    )

    started = time.perf_counter()
    plan = generate_policy(users, seed)
    partner_type = PartnerType.objects.get(code="ccas")
    counts: dict[str, int] = {}

    with transaction.atomic():
        services = {}
        for code in SERVICES:
            services[code], _ = Service.objects.get_or_create(code=code, defaults={"name": code.upper()})
        admin_service, _ = Service.objects.get_or_create(
            code="habpps-bench", defaults={"name": "Administration (banc d'essai)", "is_administrative": True}
        )
        inherited = _role_permissions(plan)
        roles = {}
        for role in plan.roles:
            service = admin_service if role in ADMIN_ROLES else services[role.split(":", 1)[0]]
            roles[role] = ServiceRole(
                service=service, code=role_code(role), name=role, account_level=ADMIN_LEVELS.get(role, "")
            )
        ServiceRole.objects.bulk_create(roles.values())
        RolePermission.objects.bulk_create(
            (
                RolePermission(role=roles[role], operation=operation, obj=obj)
                for role, permissions in inherited.items()
                for operation, obj in sorted(permissions)
            ),
            batch_size=BATCH,
        )

        units = {NATIONAL: NATIONAL_UNIT}
        funds = {}
        for org, parent in plan.orgs:
            if parent == NATIONAL:
                number = int(org.split("-")[1])
                funds[org] = Fund(
                    code=f"{number:03d}", name=f"Caf {number:03d}", department=f"{number % 96:02d}"
                )
        Fund.objects.bulk_create(funds.values())
        units.update({org: fund_unit(fund.pk) for org, fund in funds.items()})
        partners = {}
        for org, parent in plan.orgs:
            if parent is not None and parent != NATIONAL:
                number = int(org.split("-")[1])
                partners[org] = Partner(
                    fund=funds[parent],
                    name=f"Partenaire {number:05d}",
                    siret=luhn_siret(number),
                    partner_type=partner_type,
                    street=f"{number} rue de la République",
                    postal_code="75001",
                    city="Paris",
                )
        Partner.objects.bulk_create(partners.values(), batch_size=BATCH)
        units.update({org: partner_unit(partner.pk) for org, partner in partners.items()})

        groups = {}
        for group in plan.groups:
            partner, name = group.split("/")
            groups[group] = Group(partner=partners[partner], name=name)
        Group.objects.bulk_create(groups.values(), batch_size=BATCH)
        GroupRoleAssignment.objects.bulk_create(
            (GroupRoleAssignment(group=groups[g], role=roles[r]) for g, r, _org in plan.group_assignments),
            batch_size=BATCH,
        )

        accounts = {}
        for user in plan.users:
            home = plan.user_home[user]
            level = (
                OrgLevel.NATIONAL
                if home == NATIONAL
                else OrgLevel.FUND
                if home in funds
                else OrgLevel.PARTNER
            )
            accounts[user] = Account(
                login=user,
                first_name="Agent" if level != OrgLevel.PARTNER else "Usager",
                last_name=user,
                email=f"{user}@exemple.fr",
                org_level=level,
                fund=funds.get(home),
                partner=partners.get(home),
                password="!",  # unusable: nobody logs in during the benchmark
            )
        Account.objects.bulk_create(accounts.values(), batch_size=BATCH)
        GroupMembership.objects.bulk_create(
            (GroupMembership(group=groups[g], account=accounts[u]) for g, u in plan.memberships),
            batch_size=BATCH,
        )
        AccountRoleAssignment.objects.bulk_create(
            (
                AccountRoleAssignment(account=accounts[u], role=roles[r])
                for u, r, _org in plan.user_assignments
            ),
            batch_size=BATCH,
        )
        number, _token = bump_version()
    counts = {
        **plan.summary(),
        "policy_version": number,
        "load_seconds": round(time.perf_counter() - started, 1),
    }

    if queries_path is not None:
        queries = [
            {"user": user, "operation": operation, "object": obj, "org": units[org]}
            for user, operation, obj, org in sample_queries(plan, query_count)
        ]
        queries_path.parent.mkdir(parents=True, exist_ok=True)
        queries_path.write_text(json.dumps(queries), encoding="utf-8")
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=300_000)
    parser.add_argument("--seed", type=int, default=359)
    parser.add_argument("--queries", type=Path, help="fichier JSON des requêtes échantillonnées")
    parser.add_argument("--query-count", type=int, default=20_000)
    args = parser.parse_args()
    print(json.dumps(load(args.users, args.seed, args.queries, args.query_count)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
