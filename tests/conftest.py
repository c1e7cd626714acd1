"""Fixtures shared by the platform's tests: fast hashing, fresh policy per test, and a small network.

The network is built through the same administrative services as the web pages, so every fixture row is
journalled and compiled into the engine exactly as in production.
"""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.db import connection

from habpps.authorization.policy_cache import policy_cache
from habpps.http.rate_limits import forget_counts
from habpps.journal.denials import forget_floods

DEMO_SIRETS = ["73282932000074", "35600000000048", "44306184100047", "55208131766522"]


@pytest.fixture(autouse=True)
def _postgres_only(request: pytest.FixtureRequest) -> None:
    """Tests marked ``postgres`` need the server scripts/test.sh starts; elsewhere they are skipped."""
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        pytest.skip("nécessite PostgreSQL (DATABASE_URL), lancé par scripts/test.sh")


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path_factory, monkeypatch) -> None:
    # Argon2 is deliberately slow; tests of the hasher itself restore it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Every decision probes the version, so a change made by a test is seen by its next request.
    settings.HABPPS_POLICY_PROBE_SECONDS = 0
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Queued mail is sent by the tests themselves (``outbox.retry_due``), not by a thread racing the test.
    settings.HABPPS_MAIL_SENDER = "off"
    # Each test's journal gets its own anchor store (a fresh database must not meet another test's anchors).
    anchors = str(tmp_path_factory.mktemp("ancres"))
    settings.HABPPS_JOURNAL_ANCHOR_DIR = anchors
    monkeypatch.setenv("HABPPS_JOURNAL_ANCHOR_DIR", anchors)
    policy_cache.invalidate()
    forget_counts()
    forget_floods()


def ensure_reference_data() -> None:
    """Re-seed the migrations' reference data (the directory's catalogue and administrative roles, the
    permissions the conventions app adds to them): transactional tests flush every table when they end."""
    from django.apps import apps

    importlib.import_module("habpps.directory.migrations.0002_reference_data").seed(apps, None)
    importlib.import_module("habpps.conventions.migrations.0002_delegation_permission").seed(apps, None)
    importlib.import_module("habpps.authorization.migrations.0005_model_permissions_and_rules").seed(apps, None)
    policy_cache.invalidate()


def make_network():
    """Two funds A and B, each with an administrator and a verifier, and a CCAS partner whose validated
    convention (``convention_a``, ``convention_b``: the CDAP social-worker profile, no user limit) lets its group
    hold that profile; a national administrator.

    As in production, the convention is entered by the fund's administrator and validated by its verifier before
    the group receives the profile: the directory's services refuse a profile no validated convention grants."""
    from habpps.conventions.demo import seed_validated_convention
    from habpps.directory import services
    from habpps.directory.models import PartnerType, ServiceRole

    ensure_reference_data()
    roles = {role.code: role for role in ServiceRole.objects.all()}
    ccas = PartnerType.objects.get(code="ccas")

    def account(organisation, first, last, *role_codes):
        return services.create_account(
            None,
            organisation,
            first_name=first,
            last_name=last,
            email=f"{first}.{last}@exemple.fr".lower(),
            roles=[roles[code] for code in role_codes],
            password="Motdepasse#2025",
        )

    net = SimpleNamespace(roles=roles)
    net.national_admin = account(None, "Nadia", "Nationale", "NationalAdmin")
    for key, code, name, siret in (
        ("a", "751", "Caf A", DEMO_SIRETS[0]),
        ("b", "691", "Caf B", DEMO_SIRETS[2]),
    ):
        fund = services.create_fund(None, code=code, name=name, department=code[:2])
        fund_admin = account(fund, "Fanny", f"Admin{key.upper()}", "FundAdmin")
        verifier = account(fund, "Victor", f"Verif{key.upper()}", "Verifier")
        partner = services.create_partner(
            None,
            fund,
            name=f"CCAS {key.upper()}",
            siret=siret,
            partner_type=ccas,
            street="1 place de la Mairie",
            postal_code=f"{code[:2]}000",
            city="Ville",
        )
        convention = seed_validated_convention(
            partner, {roles["cdap-ass-cesf"]: None}, admin=fund_admin, verifier=verifier
        )
        group = services.create_group(None, partner, name="Travailleurs sociaux")
        services.assign_group_role(None, group, roles["cdap-ass-cesf"])
        user = account(partner, "Ulysse", f"Usager{key.upper()}")
        services.add_group_member(None, group, user)
        setattr(net, f"fund_{key}", fund)
        setattr(net, f"fund_admin_{key}", fund_admin)
        setattr(net, f"verifier_{key}", verifier)
        setattr(net, f"partner_{key}", partner)
        setattr(net, f"convention_{key}", convention)
        setattr(net, f"partner_admin_{key}", account(partner, "Paule", f"Admin{key.upper()}", "PartnerAdmin"))
        setattr(net, f"group_{key}", group)
        setattr(net, f"user_{key}", user)
    return net


@pytest.fixture
def network(db):
    return make_network()
