"""A believable French network for the demo (``habpps demo``): generated with Faker ``fr_FR``, no real person.

One national administrator; three funds, each with an administrator and a verifier; in each fund a partner of
every partner type, with groups holding the CDAP profile the doctrine allows for that type, a partner
administrator, a delegate and a few users. Seeding goes through the same administrative services as the web
pages (journal and policy version included) and is idempotent: a second run finds the network and adds nothing.

As in production, a partner's group receives its profile only after the partner's convention granting it was
entered by the fund's administrator and validated by its verifier; the partner administrator then delegates that
group and profile to the delegate (ADM-4).
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from faker import Faker

from habpps.accounts.models import Account, OrgLevel
from habpps.directory import services
from habpps.directory.deployment import seed_demo_deployment
from habpps.directory.models import AccountRoleAssignment, Fund, PartnerType, ServiceRole

DEMO_PASSWORD = "Partenaire#2025"
DEMO_SEED = 2016

FUNDS = [
    ("751", "Caf de Paris", "75", "Paris"),
    ("691", "Caf du Rhône", "69", "Lyon"),
    ("131", "Caf des Bouches-du-Rhône", "13", "Marseille"),
]

# Real postcodes of each fund's city (its arrondissements), so that every demo address is a true pair.
POSTAL_CODES = {
    "75": [f"750{n:02d}" for n in range(1, 21)],
    "69": [f"6900{n}" for n in range(1, 10)],
    "13": [f"130{n:02d}" for n in range(1, 17)],
}

# How partners of each type are named: the slides' kinds of organisations, located in the fund's department.
PARTNER_NAMES = {
    "carsat": "Carsat — service social de {city}",
    "msa": "MSA — service social de {city}",
    "cnav-idf": "Cnav — service social régional",
    "etablissement-sante": "Centre hospitalier de {city}",
    "ccas": "CCAS de {city}",
    "prestataire-action-sociale": "Association {company} — aide à domicile",
    "instructeur-rsa": "Mission insertion RSA de {city}",
    "conseil-departemental": "Conseil départemental — direction de l'insertion ({department})",
    "cpam": "CPAM de {city}",
}


@dataclass(frozen=True)
class DemoLogin:
    role: str
    login: str
    organisation: str


def luhn_siret(rng: random.Random) -> str:
    """A random SIRET whose Luhn key is right (SIREN-like 9 digits, establishment 5 digits)."""
    digits = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(12)]
    for check in range(10):
        candidate = digits + [check]
        total = 0
        for position, value in enumerate(reversed(candidate)):
            if position % 2 == 1:
                value *= 2
                if value > 9:
                    value -= 9
            total += value
        if total % 10 == 0:
            return "".join(map(str, candidate))
    raise AssertionError("unreachable: one check digit always fits")


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-") or "agent"


def is_seeded() -> bool:
    return Fund.objects.filter(code=FUNDS[0][0]).exists()


def seed_demo_network(users_per_group: int = 3) -> None:
    """Create the demo network unless it exists."""
    # The apps built on the directory, imported here only: they import the directory themselves.
    from habpps.conventions.delegation.services import delegate_perimeter
    from habpps.conventions.demo import seed_validated_convention
    from habpps.conventions.demo_scope import seed_demo_scope

    if is_seeded():
        return
    fake = Faker("fr_FR")
    fake.seed_instance(DEMO_SEED)
    rng = random.Random(DEMO_SEED)
    password_hash = make_password(DEMO_PASSWORD)
    roles = {role.code: role for role in ServiceRole.objects.all()}

    def person(organisation, *role_codes: str) -> Account:
        first_name, last_name = fake.first_name(), fake.last_name()
        return services.create_account(
            None,
            organisation,
            first_name=first_name,
            last_name=last_name,
            email=f"{_ascii(first_name)}.{_ascii(last_name)}@{fake.free_email_domain()}",
            roles=[roles[code] for code in role_codes],
            password_hash=password_hash,
        )

    national_admin = person(None, "NationalAdmin")
    second_national_admin = person(None, "NationalAdmin")  # decides the changes the first one asks (ENG-7)
    partner_types = list(PartnerType.objects.prefetch_related("allowed_roles").order_by("name"))
    for code, name, department, city in FUNDS:
        fund = services.create_fund(None, code=code, name=name, department=department)
        person(fund, "FundAdmin")
        person(fund, "Verifier")
        for partner_type in partner_types:
            if partner_type.code == "cnav-idf" and department != "75":
                continue
            partner = services.create_partner(
                None,
                fund,
                name=PARTNER_NAMES.get(partner_type.code, "{company}").format(
                    city=city, department=department, company=fake.last_name()
                ),
                siret=luhn_siret(rng),
                partner_type=partner_type,
                street=fake.street_address(),
                postal_code=rng.choice(POSTAL_CODES[department]),
                city=city,
            )
            partner_admin = person(partner, "PartnerAdmin")
            delegate = person(partner, "PartnerDelegate")
            allowed = list(partner_type.allowed_roles.order_by("code"))
            if not allowed:
                continue
            seed_validated_convention(partner, {allowed[0]: None})
            group = services.create_group(
                None, partner, name="Travailleurs sociaux", description="Agents habilités CDAP"
            )
            services.assign_group_role(None, group, allowed[0])
            delegate_perimeter(partner_admin, delegate, groups=[group], roles=[allowed[0]])
            services.add_group_member(None, group, delegate)
            for _ in range(users_per_group):
                services.add_group_member(None, group, person(partner))
    seed_demo_deployment()  # ADM-1: the slides' two waves of CDAP profiles
    seed_demo_scope(person)  # ENG-5, ENG-8: time-bound access, CDAP hours, populations, daily ceilings
    from habpps.directory.demo_model import seed_demo_model

    seed_demo_model(national_admin, second_national_admin)  # hierarchy, exclusions, approvals (issue 16 §5)


def demo_logins() -> list[DemoLogin]:
    """One login per administrative role, plus one partner user per CDAP profile held in the demo, and the fund
    administrator who is also its verifier (the DSD role switch)."""
    found = []
    for code in ("NationalAdmin", "FundAdmin", "Verifier", "PartnerAdmin", "PartnerDelegate"):
        assignment = (
            AccountRoleAssignment.objects.current()
            .filter(role__code=code, account__status="active")
            .select_related("account__fund", "account__partner", "role")
            .order_by("account_id")
            .first()
        )
        if assignment:
            account = assignment.account
            found.append(DemoLogin(assignment.role.name, account.login, str(account.organisation or "Cnaf")))
    # One user per CDAP profile, so that the demo shows the differentiated access of CDP-3.
    for profile in ServiceRole.objects.filter(service__code="cdap").order_by("code"):
        user = (
            Account.objects.filter(org_level=OrgLevel.PARTNER, status="active", role_assignments__isnull=True)
            .filter(
                memberships__ended_at__isnull=True,
                memberships__group__role_assignments__role=profile,
                memberships__group__role_assignments__ended_at__isnull=True,
            )
            .select_related("partner")
            .order_by("id")
            .first()
        )
        if user:
            found.append(DemoLogin(f"Utilisateur CDAP — {profile.name}", user.login, user.partner.name))
    # Who holds both roles of the demo's DSD set: the header's role switcher (ENG-2).
    from habpps.directory.demo_model import DSD_LOGIN_ROLE

    current = AccountRoleAssignment.objects.current()
    both = (
        Account.objects.filter(status="active", id__in=current.filter(role__code="FundAdmin").values("account_id"))
        .filter(id__in=current.filter(role__code="Verifier").values("account_id"))
        .select_related("fund")
        .order_by("id")
        .first()
    )
    if both:
        found.append(DemoLogin(DSD_LOGIN_ROLE, both.login, str(both.organisation or "Cnaf")))
    return found
