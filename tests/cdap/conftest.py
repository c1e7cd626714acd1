"""Fixtures of the CDAP tests: the small network of the platform's tests plus one partner per CDAP profile,
a fixed calendar for the demo source, and a client logged in as a given account."""

from __future__ import annotations

import random
from datetime import date, datetime, time

import pytest
from django.db import transaction
from django.test import override_settings

from conftest import make_network
from habpps.authorization.policy_cache import policy_cache
from habpps.cdap import sources
from habpps.cdap.reference import seed_cdap_reference_data
from habpps.cdap.sources.demo import DemoBeneficiaryFileSource
from habpps.conventions.demo import seed_validated_convention
from habpps.conventions.demo_network import luhn_siret
from habpps.directory import services
from habpps.directory.models import PartnerType

PASSWORD = "Motdepasse#2025"
# What the platform's ``_test_settings`` fixture sets for each test, for the module-wide network built before it.
FAST_SETTINGS = {
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    "HABPPS_POLICY_PROBE_SECONDS": 0,
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
}
TODAY = date(2026, 3, 15)
KNOWN_NUMBER = "1234567"
UNKNOWN_NUMBER = "9999999"
# The literal reading of the CDP-3 table, as the directory seeds it: what each profile must see, exactly.
DOCTRINE = {
    "cdap-ass-cesf": [
        "dossier",
        "droits",
        "adresse",
        "famille",
        "logement",
        "rsa",
        "paiement",
        "courrier",
        "ressources",
        "creances",
        "attestation-paiement",
    ],
    "cdap-prestataire-action-sociale": ["qf", "enfants"],
    "cdap-instructeur-rsa-cpam": ["rsa", "ressources"],
}


def make_cdap_network():
    """``make_network`` plus, in fund A, a social-action provider and an RSA instructing body, each with a
    validated convention and a group holding its CDAP profile and one user: ``net.cdap_users[profile code]`` is
    a user of each profile."""
    net = make_network()
    seed_cdap_reference_data()
    rng = random.Random(8)
    net.cdap_users = {"cdap-ass-cesf": net.user_a}
    for type_code, role_code, name in (
        ("prestataire-action-sociale", "cdap-prestataire-action-sociale", "Association Entraide"),
        ("instructeur-rsa", "cdap-instructeur-rsa-cpam", "Mission insertion RSA"),
    ):
        partner = services.create_partner(
            None,
            net.fund_a,
            name=name,
            siret=luhn_siret(rng),
            partner_type=PartnerType.objects.get(code=type_code),
            street="2 rue de la Paix",
            postal_code="75002",
            city="Paris",
        )
        # As in production, the group receives the profile once the partner's convention grants it.
        seed_validated_convention(partner, {net.roles[role_code]: None})
        group = services.create_group(None, partner, name="Agents CDAP")
        services.assign_group_role(None, group, net.roles[role_code])
        user = services.create_account(
            None,
            partner,
            first_name="Agathe",
            last_name=name.split()[-1],
            email=f"agent@{type_code}.exemple.fr",
            roles=[],
            password=PASSWORD,
        )
        services.add_group_member(None, group, user)
        net.cdap_users[role_code] = user
    return net


@pytest.fixture(scope="module")
def _module_network(django_db_setup, django_db_blocker):
    """One network per test module, built inside a transaction that is rolled back when the module ends; each
    test runs in a savepoint of it (pytest-django's ``db``), so tests stay isolated and nothing leaks out.
    Building the network goes through every administrative service — conventions included — and is the slow
    part of these tests: once per module rather than once per test."""
    with django_db_blocker.unblock(), override_settings(**FAST_SETTINGS):
        policy_cache.invalidate()
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield make_cdap_network()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            policy_cache.invalidate()


@pytest.fixture
def cdap_network(_module_network, db):
    return _module_network


@pytest.fixture(autouse=True)
def fixed_demo_calendar(monkeypatch):
    """The demo source and the pages see ``TODAY``, so files and default periods do not change with the date."""
    source = DemoBeneficiaryFileSource(today=lambda: TODAY)
    monkeypatch.setattr(sources, "configured_source", lambda: source)
    monkeypatch.setattr("habpps.cdap.consultations.configured_source", lambda: source)
    monkeypatch.setattr("habpps.cdap.clock.today", lambda: TODAY)
    monkeypatch.setattr("habpps.cdap.clock.now", lambda: datetime.combine(TODAY, time(10, 30)))
    return source


@pytest.fixture
def login(client):
    def as_account(account):
        client.force_login(account)
        return client

    return as_account
