"""Conventions for the demo network (``habpps demo``) and the tests' fixtures.

A partner's groups receive a profile only once a validated convention grants it (the directory's services refuse
otherwise), so the seeding enters and validates the convention first — through the same services as the pages:
entered by the fund's administrator, validated by the fund's verifier, four eyes, journal and policy version all
applying — and grants afterwards.
"""

from __future__ import annotations

from collections.abc import Mapping

from habpps.accounts.models import Account, AccountStatus
from habpps.conventions import services
from habpps.conventions.doctrine import requires_instructor_number
from habpps.conventions.models import Convention
from habpps.directory.models import AccountRoleAssignment, GroupRoleAssignment, Partner, ServiceRole


def fund_account(fund_id: int, role_code: str) -> Account | None:
    """The first active account of the fund holding the administrative role ``role_code``."""
    assignment = (
        AccountRoleAssignment.objects.current()
        .filter(role__code=role_code, account__fund_id=fund_id, account__status=AccountStatus.ACTIVE)
        .select_related("account")
        .order_by("account_id")
        .first()
    )
    return assignment.account if assignment else None


def seed_validated_convention(
    partner: Partner,
    profiles: Mapping[ServiceRole, int | None],
    *,
    admin: Account | None = None,
    verifier: Account | None = None,
) -> Convention:
    """Enter, submit and validate a convention of ``partner`` granting ``profiles`` (profile → user limit, None:
    no limit), by ``admin`` and ``verifier`` — by default the first administrator and verifier of its fund."""
    admin = admin or fund_account(partner.fund_id, "FundAdmin")
    verifier = verifier or fund_account(partner.fund_id, "Verifier")
    if admin is None or verifier is None:
        raise ValueError(
            f"La caisse de {partner} n'a pas d'administrateur et de vérificateur pour la convention."
        )
    instructing = requires_instructor_number(partner)
    convention = services.create_convention(
        admin,
        partner,
        reference=f"CAF{partner.fund.code}-{partner.pk:05d}",
        service_contract=f"CS-{partner.fund.code}-{partner.pk:05d}",
        instructor_number=f"RSA{partner.pk:06d}" if instructing else "",
    )
    version = convention.versions.get()
    for service in {role.service for role in profiles}:
        granted = {role: limit for role, limit in profiles.items() if role.service_id == service.pk}
        services.set_bulletin(admin, version, service, granted)
    if instructing:
        services.check_instructor_number(admin, version)
    services.submit(admin, version)
    services.validate_version(verifier, version)
    return convention


def seed_demo_conventions() -> int:
    """Give every partner whose groups hold profiles without any convention — a database seeded before
    conventions existed — a validated convention granting them; returns how many were created. Idempotent."""
    created = 0
    for partner in Partner.objects.select_related("partner_type", "fund").order_by("pk"):
        if Convention.objects.filter(partner=partner).exists():
            continue
        held = (
            GroupRoleAssignment.objects.current()
            .filter(group__partner=partner)
            .select_related("role__service")
        )
        roles = {assignment.role for assignment in held}
        if not roles or fund_account(partner.fund_id, "FundAdmin") is None:
            continue
        if fund_account(partner.fund_id, "Verifier") is None:
            continue
        seed_validated_convention(partner, dict.fromkeys(roles))
        created += 1
    return created
