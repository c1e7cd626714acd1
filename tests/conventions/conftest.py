"""A fund with a partner ready for its convention, on top of the platform's small network (tests/conftest.py).

Fund A gets a second administrator who is also a verifier (to prove the four-eyes rule refuses the author even
when he holds the verifier role) and a fresh CCAS partner with no convention, a partner administrator, a
delegate and two groups.
"""

from __future__ import annotations

import importlib
from types import SimpleNamespace

from conftest import DEMO_SIRETS, make_network, shared_world


def seed_convention_permissions() -> None:
    """Re-seed this app's migration data (transactional tests flush every table)."""
    from django.apps import apps

    importlib.import_module("habpps.conventions.migrations.0002_delegation_permission").seed(apps, None)
    from habpps.authorization.policy_cache import policy_cache

    policy_cache.invalidate()


def make_convention_world():
    from habpps.authorization.approvals import approve
    from habpps.directory import services
    from habpps.directory.models import PartnerType, Service

    net = make_network()
    seed_convention_permissions()
    roles = net.roles

    def account(organisation, first, last, *codes):
        return services.create_account(
            None,
            organisation,
            first_name=first,
            last_name=last,
            email=f"{first}.{last}@exemple.fr".lower(),
            roles=[roles[code] for code in codes],
            password="Motdepasse#2025",
        )

    world = SimpleNamespace(net=net, roles=roles, cdap=Service.objects.get(code="cdap"))
    world.fund = net.fund_a
    world.admin = net.fund_admin_a
    world.verifier = net.verifier_a
    world.other_verifier = net.verifier_b
    # Holding both roles in one fund is held for a second administrator (ENG-7 require_approval): approved.
    world.admin_verifier = account(net.fund_a, "Denis", "Double", "FundAdmin")
    approve(net.national_admin, services.grant_account_role(None, world.admin_verifier, roles["Verifier"]))
    world.partner = services.create_partner(
        None,
        net.fund_a,
        name="CCAS de Vincennes",
        siret=DEMO_SIRETS[1],
        partner_type=PartnerType.objects.get(code="ccas"),
        street="53 bis rue de Fontenay",
        postal_code="94300",
        city="Vincennes",
    )
    world.partner_admin = account(world.partner, "Pauline", "Admin", "PartnerAdmin")
    world.delegate = account(world.partner, "Damien", "Delegue", "PartnerDelegate")
    world.social = services.create_group(None, world.partner, name="Travailleurs sociaux")
    world.reception = services.create_group(None, world.partner, name="Accueil")
    world.users = [account(world.partner, "Ursule", f"Usager{i}") for i in range(3)]
    return world


@shared_world(make_convention_world)
def world():
    """The convention world of ``make_convention_world``."""


def validated_convention(world, *, max_users: int | None = 2, profiles=("cdap-ass-cesf",), author=None):
    """A convention for the world's partner entered by ``author`` and validated by the fund's verifier."""
    from habpps.conventions import services

    author = author or world.admin
    convention = services.create_convention(
        author, world.partner, reference="CAF751-2025-001", service_contract="CS-2025-001"
    )
    version = convention.versions.get()
    services.set_bulletin(author, version, world.cdap, {world.roles[code]: max_users for code in profiles})
    services.submit(author, version)
    services.validate_version(world.verifier, version)
    return convention
