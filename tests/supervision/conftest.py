"""Fixtures of the supervision tests: the platform's small network (two funds, a CCAS partner in each) with the
supervision permissions seeded, helpers to write the journal events the dashboards read, and a logged-in client.

Events are appended with the journal's own ``record_event``, in the very shape the authentication and CDAP code
write them (their kinds are named in ``habpps.supervision.events``); one test drives CDAP itself to prove the
agreement.
"""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.utils import timezone

from conftest import make_network, shared_world
from habpps.authorization.policy_cache import policy_cache
from habpps.journal.services import record_event
from habpps.supervision import events


def seed_supervision_permissions() -> None:
    """Re-seed this app's migration data (transactional tests flush every table)."""
    from django.apps import apps

    importlib.import_module("habpps.supervision.migrations.0002_supervision_permissions").seed(apps, None)
    policy_cache.invalidate()


def make_supervision_network() -> SimpleNamespace:
    net = make_network()
    seed_supervision_permissions()
    return net


@shared_world(make_supervision_network)
def net():
    """The small network with the supervision permissions."""


@pytest.fixture
def login(client):
    def as_account(account):
        client.force_login(account)
        return client

    return as_account


def consult(account, sections=("dossier", "droits"), profiles=("cdap-ass-cesf",), times: int = 1) -> None:
    """Journal ``times`` CDAP consultations by ``account``, as ``habpps.cdap.consultations`` records them."""
    for _ in range(times):
        record_event(
            events.CDAP_CONSULTATION,
            actor=account,
            org_scope=account.org_scope,
            target="dossier:751:1234567",
            data={
                "beneficiary_number": "1234567",
                "partner": account.partner_id,
                "view": "section",
                "sections": list(sections),
                "profiles": list(profiles),
            },
        )


def freeze(account, times: int = 1) -> None:
    """Journal ``times`` freezes of ``account``, as ``habpps.accounts.authentication`` records them."""
    for _ in range(times):
        record_event(
            events.FREEZE,
            org_scope=account.org_scope,
            target=account.login,
            data={"failures": 5, "frozen_until": timezone.now()},
        )


def today():
    return timezone.localdate()
