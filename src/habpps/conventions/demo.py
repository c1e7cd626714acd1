"""Conventions for the demo network (``habpps demo``): each partner gets a validated convention granting the
profiles its groups hold, entered by its fund's administrator and validated by its fund's verifier — through the
same services as the pages, so four eyes, journal and policy version all apply. Idempotent."""

from __future__ import annotations

from habpps.accounts.models import AccountStatus
from habpps.conventions import services
from habpps.conventions.models import Convention
from habpps.conventions.perimeter import requires_instructor_number
from habpps.directory.models import AccountRoleAssignment, GroupRoleAssignment, Partner


def _fund_account(fund_id: int, role_code: str):
    assignment = (
        AccountRoleAssignment.objects.current()
        .filter(role__code=role_code, account__fund_id=fund_id, account__status=AccountStatus.ACTIVE)
        .select_related("account")
        .order_by("account_id")
        .first()
    )
    return assignment.account if assignment else None


def seed_demo_conventions() -> int:
    """Give every partner without a convention a validated one; returns how many were created."""
    created = 0
    for partner in Partner.objects.select_related("partner_type").order_by("pk"):
        if Convention.objects.filter(partner=partner).exists():
            continue
        admin, verifier = (
            _fund_account(partner.fund_id, "FundAdmin"),
            _fund_account(partner.fund_id, "Verifier"),
        )
        held = (
            GroupRoleAssignment.objects.current()
            .filter(group__partner=partner)
            .select_related("role__service")
        )
        roles = {assignment.role for assignment in held}
        if admin is None or verifier is None or not roles:
            continue
        convention = services.create_convention(
            admin,
            partner,
            reference=f"CAF{partner.fund.code}-{partner.pk:05d}",
            service_contract=f"CS-{partner.fund.code}-{partner.pk:05d}",
            instructor_number=f"RSA{partner.pk:06d}" if requires_instructor_number(partner) else "",
        )
        version = convention.versions.get()
        for service in {role.service for role in roles}:
            services.set_bulletin(
                admin, version, service, {role: None for role in roles if role.service == service}
            )
        if requires_instructor_number(partner):
            services.check_instructor_number(admin, version)
        services.submit(admin, version)
        services.validate_version(verifier, version)
        created += 1
    return created
