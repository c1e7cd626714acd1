"""Fixtures of the workbench tests: the platform's small network with the workbench permission seeded, a
logged-in client, the shipped example models, and helpers writing the journal events the usage is read from."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from conftest import make_network, shared_world
from habpps.authorization.policy_cache import policy_cache
from habpps.journal.services import record_event

EXAMPLES = Path(__file__).resolve().parents[2] / "src/habpps/roleeng/examples"


def seed_workbench_permission() -> None:
    """Re-seed this app's migration data (transactional tests flush every table)."""
    from django.apps import apps

    importlib.import_module("habpps.workbench.migrations.0002_seed_workbench_permission").seed(apps, None)
    policy_cache.invalidate()


def make_workbench_network():
    net = make_network()
    seed_workbench_permission()
    return net


@shared_world(make_workbench_network)
def net():
    """The small network with the workbench permission."""


@pytest.fixture
def login(client):
    def as_account(account):
        client.force_login(account)
        return client

    return as_account


@pytest.fixture
def inline_runs(settings):
    """Mining runs executed in the request, so that a test reads their result at once."""
    settings.HABPPS_WORKBENCH_INLINE_RUNS = True


def example_text(name: str) -> str:
    return (EXAMPLES / name).read_text(encoding="utf-8")


def consult(account, sections=("dossier", "droits"), times: int = 1) -> None:
    """Journal CDAP consultations by ``account``, in the shape ``habpps.cdap.consultations`` writes them."""
    for _ in range(times):
        record_event(
            "cdap.consultation",
            actor=account,
            org_scope=account.org_scope,
            target="dossier:751:1234567",
            data={"beneficiary_number": "1234567", "view": "section", "sections": list(sections)},
        )
