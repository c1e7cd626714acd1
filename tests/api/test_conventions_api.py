"""Conventions through the API (CNV-2, CNV-3): read within scope, workflow transitions by the same services."""

from __future__ import annotations

import importlib

import pytest

from habpps.journal.models import JournalEntry


@pytest.fixture
def convention(network):
    """A draft convention of a new partner of fund A, entered by the fund's administrator, with the CDAP
    social-worker bulletin."""
    from django.apps import apps

    from habpps.authorization.policy_cache import policy_cache
    from habpps.conventions import services
    from habpps.directory import services as directory
    from habpps.directory.models import PartnerType, Service

    importlib.import_module("habpps.conventions.migrations.0002_delegation_permission").seed(apps, None)
    policy_cache.invalidate()
    partner = directory.create_partner(
        None,
        network.fund_a,
        name="CCAS de Vincennes",
        siret="35600000000048",
        partner_type=PartnerType.objects.get(code="ccas"),
        street="53 bis rue de Fontenay",
        postal_code="94300",
        city="Vincennes",
    )
    convention = services.create_convention(
        network.fund_admin_a, partner, reference="CAF751-2025-API", service_contract="CS-API"
    )
    version = convention.versions.get()
    services.set_bulletin(
        network.fund_admin_a,
        version,
        Service.objects.get(code="cdap"),
        {network.roles["cdap-ass-cesf"]: None},
    )
    return convention


def test_fund_admin_reads_the_convention_and_what_it_may_do_next(network, convention, client_for):
    response = client_for(network.fund_admin_a).get(f"/api/v1/conventions/{convention.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["versions"][0]["state"] == "draft"
    assert body["versions"][0]["bulletins"] == [
        {"service": "cdap", "profiles": [{"role": "cdap-ass-cesf", "max_users": None}]}
    ]
    assert "submit" in body["open_version_actions"]


def test_another_fund_does_not_see_the_convention(network, convention, client_for):
    assert client_for(network.fund_admin_b).get(f"/api/v1/conventions/{convention.pk}").status_code == 404
    listed = client_for(network.fund_admin_b).get("/api/v1/conventions").json()
    assert convention.pk not in {item["id"] for item in listed["items"]}
    assert {item["fund_id"] for item in listed["items"]} <= {network.fund_b.pk}


def test_submit_then_validate_by_the_verifier_is_journalled(network, convention, client_for):
    submitted = client_for(network.fund_admin_a).post_json(
        f"/api/v1/conventions/{convention.pk}/transitions", {"action": "submit"}
    )
    assert submitted.status_code == 200, submitted.json()
    validated = client_for(network.verifier_a).post_json(
        f"/api/v1/conventions/{convention.pk}/transitions", {"action": "validate"}
    )
    assert validated.status_code == 200, validated.json()
    assert validated.json()["versions"][0]["state"] == "validated"
    assert validated.json()["versions"][0]["decided_by"] == network.verifier_a.login
    assert JournalEntry.objects.filter(actor_identifier=network.verifier_a.login).exists()


def test_a_transition_the_state_does_not_allow_is_refused_with_the_workflow_message(
    network, convention, client_for
):
    response = client_for(network.fund_admin_a).post_json(
        f"/api/v1/conventions/{convention.pk}/transitions", {"action": "resume"}
    )
    assert response.status_code == 422
    assert "impossible" in response.json()["detail"]


def test_the_author_cannot_validate_his_own_entry(network, convention, client_for):
    """CNV-3: four eyes — refused whatever the author's roles, with a problem document, never a 500."""
    client = client_for(network.fund_admin_a)
    client.post_json(f"/api/v1/conventions/{convention.pk}/transitions", {"action": "submit"})
    response = client.post_json(f"/api/v1/conventions/{convention.pk}/transitions", {"action": "validate"})
    assert response.status_code in (404, 422)
    assert response["Content-Type"].startswith("application/problem+json")
