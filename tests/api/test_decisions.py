"""The decision endpoint (API-1, ENG-9, ENG-11, AUD-1): decisions from the engine, denials journalled."""

from __future__ import annotations

import pytest

from habpps.api.pdp import DENIAL_KIND
from habpps.directory import services
from habpps.directory.reference_data import cdap_section
from habpps.journal import denials
from habpps.journal.models import JournalEntry

DROITS = cdap_section("droits")


def question(user, org=None, obj=DROITS, **extra) -> dict:
    body = {"user": user.login, "operation": "consulter", "object": obj, **extra}
    if org is not None:
        body["org"] = org
    return body


def partner_unit(partner) -> str:
    return f"partner:{partner.pk}"


def test_granted_decision_of_a_group_member_in_its_partner(network, service_client):
    response = service_client.post_json(
        "/api/v1/decisions", question(network.user_a, partner_unit(network.partner_a))
    )
    assert response.status_code == 200
    assert response.json() == {"granted": True}


def test_decision_in_another_partner_is_denied_and_journalled_in_that_partner_scope(network, service_client):
    response = service_client.post_json(
        "/api/v1/decisions", question(network.user_a, partner_unit(network.partner_b))
    )
    assert response.json() == {"granted": False}
    entry = JournalEntry.objects.filter(kind=DENIAL_KIND).get()
    assert entry.org_scope == f"national/fund:{network.fund_b.pk}/partner:{network.partner_b.pk}"
    assert entry.target == f"account:{network.user_a.login}"
    assert entry.data["service"] == "portail-cdap"
    assert entry.data["reason"] == "other_org"
    assert entry.request_id == response["X-Request-ID"]


def test_granted_decisions_are_not_journalled(network, service_client):
    service_client.post_json("/api/v1/decisions", question(network.user_a, partner_unit(network.partner_a)))
    assert not JournalEntry.objects.filter(kind=DENIAL_KIND).exists()


def test_explanation_names_the_group_and_the_profile(network, service_client):
    response = service_client.post_json(
        "/api/v1/decisions", question(network.user_a, partner_unit(network.partner_a), explain=True)
    )
    explanation = response.json()["explanation"]
    assert explanation["reason"] == "granted"
    assert explanation["path"]["group"] == f"group:{network.group_a.pk}"
    assert explanation["path"]["assigned_role"] == "cdap-ass-cesf"
    assert explanation["message"].startswith("Accès accordé")


def test_denial_explanation_says_why_in_french(network, service_client):
    response = service_client.post_json(
        "/api/v1/decisions", question(network.user_a, partner_unit(network.partner_b), explain=True)
    )
    explanation = response.json()["explanation"]
    assert explanation["reason"] == "other_org"
    assert "Accès refusé" in explanation["message"]


def test_unknown_user_is_a_denial_not_an_error(network, service_client):
    response = service_client.post_json(
        "/api/v1/decisions", {"user": "personne.0000", "operation": "consulter", "object": DROITS}
    )
    assert response.status_code == 200
    assert response.json() == {"granted": False}
    assert JournalEntry.objects.filter(kind=DENIAL_KIND, target="account:personne.0000").exists()


def test_without_org_the_permission_held_anywhere_counts(network, service_client):
    response = service_client.post_json("/api/v1/decisions", question(network.user_a))
    assert response.json() == {"granted": True}


def test_suspension_is_enforced_on_the_very_next_decision(network, service_client):
    """ADM-6, ENG-11: the change bumps the version; the next decision already uses the new snapshot."""
    body = question(network.user_a, partner_unit(network.partner_a))
    assert service_client.post_json("/api/v1/decisions", body).json() == {"granted": True}
    services.set_account_status(network.fund_admin_a, network.user_a, "suspended")
    assert service_client.post_json("/api/v1/decisions", body).json() == {"granted": False}


def test_batch_answers_in_order_on_one_snapshot(network, service_client):
    batch = [
        question(network.user_a, partner_unit(network.partner_a)),
        question(network.user_a, partner_unit(network.partner_b)),
        question(network.user_b, partner_unit(network.partner_b), explain=True),
    ]
    response = service_client.post_json("/api/v1/decisions/batch", {"decisions": batch})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["granted"] for r in results] == [True, False, True]
    assert "explanation" not in results[0] and results[2]["explanation"]["reason"] == "granted"
    assert JournalEntry.objects.filter(kind=DENIAL_KIND).count() == 1


def test_batch_is_bounded(network, service_client):
    batch = [question(network.user_a)] * 101
    response = service_client.post_json("/api/v1/decisions/batch", {"decisions": batch})
    assert response.status_code == 422
    assert response.json()["errors"][0]["location"] == "body.decisions"


def test_a_personal_token_cannot_ask_the_decision_point(network, client_for):
    response = client_for(network.national_admin).post_json("/api/v1/decisions", question(network.user_a))
    assert response.status_code == 401


def test_missing_field_is_a_problem_document_in_french(network, service_client):
    response = service_client.post_json("/api/v1/decisions", {"user": "x", "operation": "consulter"})
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["code"] == "donnees-invalides"
    assert problem["errors"] == [
        {"location": "body.object", "code": "missing", "message": "Valeur obligatoire."}
    ]


@pytest.mark.parametrize(
    "body",
    ["{pas du json", "[]", "null", '"texte"', '{"user": 1, "operation": [], "object": {}}'],
)
def test_malformed_bodies_are_4xx_problems(network, service_client, body):
    response = service_client.post("/api/v1/decisions", data=body, content_type="application/json")
    assert 400 <= response.status_code < 500
    assert response.json()["status"] == response.status_code


def test_deferred_journal_writes_every_refusal_after_the_answer(
    transactional_db, network, service_client, settings
):
    """The background writer has its own database connection: the test's rows must be committed."""
    settings.HABPPS_API_DENIAL_JOURNAL = "deferred"
    settings.HABPPS_API_DENIAL_FLOOD_WINDOW_SECONDS = 1000 * 365 * 24 * 3600  # one window whatever the minute
    batch = [question(network.user_a, partner_unit(network.partner_b))] * 5
    service_client.post_json("/api/v1/decisions/batch", {"decisions": batch})
    assert denials.flush(timeout=30)
    # Identical refusals in one window are folded (issue 18): one entry, and a flood entry counting the rest.
    assert JournalEntry.objects.filter(kind=DENIAL_KIND).count() == 1
    assert JournalEntry.objects.get(kind=f"{DENIAL_KIND}.flood").data["repeated"] == 4


def test_processes_dedicated_to_decisions_answer_the_same_and_nothing_else(network, service_client, settings):
    """``habpps.api.decision_settings``: the lean request path serves the decision endpoints only."""
    from habpps.api import decision_settings

    settings.MIDDLEWARE = decision_settings.MIDDLEWARE
    settings.ROOT_URLCONF = decision_settings.ROOT_URLCONF
    granted = service_client.post_json(
        "/api/v1/decisions", question(network.user_a, partner_unit(network.partner_a))
    )
    assert granted.json() == {"granted": True}
    assert granted["X-Request-ID"]
    denied = service_client.post_json(
        "/api/v1/decisions", question(network.user_a, partner_unit(network.partner_b))
    )
    assert denied.json() == {"granted": False}
    assert JournalEntry.objects.filter(kind=DENIAL_KIND, request_id=denied["X-Request-ID"]).exists()
    assert service_client.get("/api/v1/moi").status_code == 404


@pytest.mark.parametrize("escaped", ["nul\\u0000", "demi\\ud800"])
def test_text_the_database_cannot_store_is_a_422_not_a_500(network, service_client, escaped):
    """Found by schemathesis on PostgreSQL: NUL and lone surrogates are refused before any query."""
    body = '{"user": "' + escaped + '", "operation": "o", "object": "x"}'
    response = service_client.post("/api/v1/decisions", data=body, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "unstorable"


def test_a_nul_in_a_query_string_is_a_422(network, client_for):
    search = client_for(network.national_admin).get("/api/v1/partenaires", {"q": "a\x00"})
    assert search.status_code == 422
