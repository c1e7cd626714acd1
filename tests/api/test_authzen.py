"""AuthZEN 1.0 on the platform (API-1): service tokens, the database's policy, refusals journalled."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from habpps.api.pdp import DENIAL_KIND
from habpps.journal.models import JournalEntry


def evaluation(user, partner, section="droits", **extra) -> dict:
    return {
        "subject": {"type": "account", "id": user.login},
        "action": {"name": "consulter"},
        "resource": {"type": "cdap.section", "id": section},
        "context": {"org": f"partner:{partner.pk}"},
        **extra,
    }


def test_granted_in_its_partner_denied_elsewhere_and_the_denial_is_journalled(network, service_client):
    response = service_client.post_json("/access/v1/evaluation", evaluation(network.user_a, network.partner_a),
                                        HTTP_X_REQUEST_ID="pep-42")
    assert response.status_code == 200
    assert response.json() == {"decision": True}
    assert response["X-Request-ID"] == "pep-42"
    response = service_client.post_json("/access/v1/evaluation", evaluation(network.user_a, network.partner_b),
                                        HTTP_X_REQUEST_ID="pep-43")
    assert response.json() == {"decision": False}
    entry = JournalEntry.objects.filter(kind=DENIAL_KIND).get()
    assert entry.org_scope.endswith(f"partner:{network.partner_b.pk}")
    assert entry.data["service"] == "portail-cdap"
    assert entry.data["object"] == "cdap.section.droits"
    assert entry.request_id == "pep-43"


def test_boxcarred_evaluations_with_defaults_and_reasons(network, service_client):
    body = {
        "subject": {"type": "account", "id": network.user_a.login},
        "action": {"name": "consulter"},
        "context": {"org": f"partner:{network.partner_a.pk}"},
        "options": {"explain": True},
        "evaluations": [
            {"resource": {"type": "cdap.section", "id": "droits"}},
            {"resource": {"type": "cdap.section", "id": "droits"}, "context": {"org": f"partner:{network.partner_b.pk}"}},
        ],
    }
    results = service_client.post_json("/access/v1/evaluations", body).json()["evaluations"]
    assert [r["decision"] for r in results] == [True, False]
    assert results[0]["context"]["path"]["assigned_role"] == "cdap-ass-cesf"
    assert results[1]["context"]["reason"] == "other_org"


def test_a_token_is_required_and_a_personal_token_is_not_enough(network, client_for):
    body = json.dumps(evaluation(network.user_a, network.partner_a))
    assert Client().post("/access/v1/evaluation", body, content_type="application/json").status_code == 401
    personal = client_for(network.user_a)
    assert personal.post_json("/access/v1/evaluation", evaluation(network.user_a, network.partner_a)).status_code == 401


@pytest.mark.parametrize("body", [{"subject": {"type": "account"}}, "pas du JSON"])
def test_bad_requests_are_400(network, service_client, body):
    response = service_client.post("/access/v1/evaluation", data=json.dumps(body) if isinstance(body, dict) else body,
                                   content_type="application/json")
    assert response.status_code == 400


def test_discovery_document_is_public(db):
    response = Client().get("/.well-known/authzen-configuration")
    assert response.status_code == 200
    assert response.json()["access_evaluations_endpoint"].endswith("/access/v1/evaluations")
