"""Regression tests of the outside red team's findings 3, 5, 6, 7, 8 and 10 (issue 18, docs/security.md).

Each test replays the attack as the red team ran it against a demo instance; each failed on the main branch of
the day (a 500, a 200 or a missing header where a refusal was due).
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.test import Client

from api.conftest import ApiClient
from conftest import shared_world
from conventions.conftest import make_convention_world, validated_convention
from habpps.accounts.models import AuthenticationPolicy
from habpps.api import tokens
from habpps.api.pdp import DENIAL_KIND
from habpps.conventions.delegation import services as delegation
from habpps.journal import denials
from habpps.journal.models import JournalEntry


@pytest.fixture(autouse=True)
def _api_settings(settings):
    settings.HABPPS_API_DENIAL_JOURNAL = "immediate"
    tokens.forget_recognised_tokens()


@pytest.fixture
def service_token(db) -> tokens.IssuedToken:
    return tokens.register_service("portail-cdap")


def token_client(account) -> ApiClient:
    return ApiClient(tokens.create_personal_token(account, "red-team").secret)


def no_traceback(records) -> bool:
    return not any(r.exc_info or "Traceback" in r.getMessage() for r in records)


# -- finding 3: nested JSON and oversized bodies --------------------------------------------------------------------
def nested(levels: int) -> str:
    return "[" * levels + "]" * levels


def test_a_400_level_nested_json_body_is_refused_before_parsing_without_traceback(network, caplog):
    client = token_client(network.partner_admin_a)
    body = nested(400)
    assert len(body) < 1000  # the red team's 909 bytes
    with caplog.at_level(logging.INFO):
        response = client.post(
            f"/api/v1/partenaires/{network.partner_a.pk}/groupes", data=body, content_type="application/json"
        )
    assert response.status_code in (400, 422)
    problem = response.json()
    assert problem["code"] == "json-trop-imbrique" and "niveaux" in problem["detail"]
    assert no_traceback(caplog.records)


@pytest.mark.parametrize(
    "body", [nested(400), '{"a":' * 300 + "1" + "}" * 300, '{"name": ' + nested(60) + "}"]
)
def test_deep_json_is_a_4xx_on_every_kind_of_endpoint(network, service_token, body):
    for client, path in (
        (ApiClient(service_token.secret), "/api/v1/decisions"),
        (ApiClient(service_token.secret), "/api/v1/decisions/batch"),
        (token_client(network.national_admin), "/api/v1/caisses"),
    ):
        response = client.post(path, data=body, content_type="application/json")
        assert 400 <= response.status_code < 500, (path, response.status_code)


def test_a_body_above_the_limit_is_a_413_before_parsing(network, caplog):
    client = token_client(network.national_admin)
    body = json.dumps({"code": "999", "name": "x" * (3 * 1024 * 1024)})  # the red team's > 2.5 MiB
    with caplog.at_level(logging.INFO):
        response = client.post("/api/v1/caisses", data=body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["code"] == "requete-trop-volumineuse"
    assert no_traceback(caplog.records)


def test_an_oversized_form_post_is_a_french_413_page(network, client):
    client.force_login(network.national_admin)
    body = urlencode({"name": "x" * (2 * 1024 * 1024)})
    response = client.post(
        "/annuaire/caisses/nouvelle/", data=body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413
    assert "Requête trop volumineuse" in response.content.decode()


# -- finding 5: rate limits and the refusal journal ------------------------------------------------------------------
# Windows are fixed blocks of clock time: a test running across a block's boundary would see two windows. A window
# of a thousand years keeps these tests inside one whatever the minute they run at.
ONE_WINDOW = 1000 * 365 * 24 * 3600


def test_three_hundred_calls_with_one_token_meet_a_429_with_retry_after(network):
    client = token_client(network.national_admin)
    statuses = [client.get("/api/v1/moi").status_code for _ in range(300)]
    assert statuses[0] == 200
    assert 429 in statuses
    refused = client.get("/api/v1/moi")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json()["code"] == "trop-de-requetes"


def test_bogus_tokens_are_limited_per_address(db, settings):
    settings.HABPPS_API_RATE_WINDOW_SECONDS = ONE_WINDOW
    settings.HABPPS_API_RATE_PER_ADDRESS = 20
    statuses = [ApiClient(f"hab_bogus_{i}").get("/api/v1/moi").status_code for i in range(30)]
    assert statuses[:20] == [401] * 20 and statuses[20:] == [429] * 10


def test_the_figures_are_settings(network, settings):
    settings.HABPPS_API_RATE_WINDOW_SECONDS = ONE_WINDOW
    settings.HABPPS_API_RATE_PER_TOKEN = 3
    client = token_client(network.national_admin)
    assert [client.get("/api/v1/moi").status_code for _ in range(4)] == [200, 200, 200, 429]


def test_a_flood_of_bogus_decisions_is_aggregated_in_the_journal(network, service_token, settings):
    settings.HABPPS_API_DENIAL_FLOOD_WINDOW_SECONDS = ONE_WINDOW
    client = ApiClient(service_token.secret)
    before = JournalEntry.objects.count()
    batch = {"decisions": [{"user": "inconnu", "operation": "consulter", "object": "x"}] * 100}
    for _ in range(20):  # 2,000 bogus decisions
        assert client.post_json("/api/v1/decisions/batch", batch).status_code == 200
    assert denials.flush()
    added = JournalEntry.objects.filter(sequence__gt=before)
    assert added.filter(kind=DENIAL_KIND).count() == 1
    flood = added.get(kind="access.decision.denied.flood")
    assert flood.data["folded"] == 1999 and flood.data["service"] == "portail-cdap"


def test_distinct_refusals_beyond_the_cap_are_folded(network, service_token, settings):
    settings.HABPPS_API_DENIAL_FLOOD_CAP = 5
    settings.HABPPS_API_DENIAL_FLOOD_WINDOW_SECONDS = ONE_WINDOW
    client = ApiClient(service_token.secret)
    questions = [{"user": f"bidon{i}", "operation": "consulter", "object": "x"} for i in range(50)]
    assert client.post_json("/api/v1/decisions/batch", {"decisions": questions}).status_code == 200
    assert denials.flush()
    assert JournalEntry.objects.filter(kind=DENIAL_KIND).count() == 5
    assert JournalEntry.objects.get(kind="access.decision.denied.flood").data["over_cap"] == 45


# -- finding 6: reads obey the perimeter writes obey -----------------------------------------------------------------
def make_delegated_world():
    world = make_convention_world()
    validated_convention(world, max_users=None)
    delegation.delegate_perimeter(
        world.partner_admin, world.delegate, groups=[world.social], roles=[world.roles["cdap-ass-cesf"]]
    )
    return world


@shared_world(make_delegated_world)
def delegated():
    """The convention world whose delegate was given the social group and the social-worker profile."""


def test_a_delegate_cannot_read_a_group_outside_his_sub_perimeter(delegated, client):
    api = token_client(delegated.delegate)
    assert api.get(f"/api/v1/groupes/{delegated.reception.pk}").status_code == 404
    client.force_login(delegated.delegate)
    assert client.get(f"/annuaire/delegation/groupes/{delegated.reception.pk}/").status_code == 404
    assert api.get(f"/api/v1/groupes/{delegated.social.pk}").status_code == 200


def test_a_delegate_lists_only_the_groups_of_his_sub_perimeter(delegated):
    api = token_client(delegated.delegate)
    names = [g["name"] for g in api.get(f"/api/v1/partenaires/{delegated.partner.pk}/groupes").json()]
    assert names == [delegated.social.name]
    admin = token_client(delegated.partner_admin)
    listed = admin.get(f"/api/v1/partenaires/{delegated.partner.pk}/groupes").json()
    assert len(listed) == 2


# -- finding 7: personal tokens and the duties of the login ----------------------------------------------------------
def test_a_token_of_an_account_that_must_change_its_password_is_refused(network):
    account = network.user_a
    client = token_client(account)
    account.must_change_password = True
    account.save(update_fields=["must_change_password"])
    response = client.get("/api/v1/moi")
    assert response.status_code == 403
    assert response.json()["code"] == "mot-de-passe-a-changer"
    assert "changez-le" in response.json()["detail"]


def test_a_token_of_an_account_whose_password_expired_is_refused(network):
    account = network.user_a
    client = token_client(account)
    account.password_changed_at = account.password_changed_at - timedelta(days=400)
    account.save(update_fields=["password_changed_at"])
    response = client.get("/api/v1/moi")
    assert response.status_code == 403 and response.json()["code"] == "mot-de-passe-expire"


def test_a_token_of_an_account_lacking_its_required_second_factor_is_refused(network):
    client = token_client(network.user_a)
    AuthenticationPolicy.objects.update(second_factor_for_everyone=True)
    response = client.get("/api/v1/moi")
    assert response.status_code == 403 and response.json()["code"] == "second-facteur-requis"


def test_a_token_of_an_account_in_good_standing_works(network):
    assert token_client(network.user_a).get("/api/v1/moi").status_code == 200


# -- finding 8: no-store on personal data ---------------------------------------------------------------------------
def test_authenticated_pages_exports_and_api_lists_are_not_stored(network, client):
    client.force_login(network.national_admin)
    for path in ("/compte/securite/", "/journal/", "/journal/export.csv", "/annuaire/caisses/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response.get("Cache-Control", ""), path
    api = token_client(network.national_admin)
    for path in ("/api/v1/caisses", "/api/v1/moi", "/api/v1/journal"):
        assert "no-store" in api.get(path).get("Cache-Control", ""), path


def test_static_files_keep_their_cache(client):
    response = Client().get("/static/dsfr/dist/dsfr.min.css")
    assert "no-store" not in response.get("Cache-Control", "")


# -- finding 10: other 500s on bad input -----------------------------------------------------------------------------
def test_a_partner_admin_or_verifier_posting_an_amendment_gets_a_404(network, client):
    for account in (network.partner_admin_a, network.verifier_a):
        client.force_login(account)
        response = client.post(f"/conventions/{network.convention_a.pk}/action/avenant/")
        assert response.status_code in (403, 404), account


def test_a_non_numeric_id_in_the_delegation_remove_actions_is_a_404(delegated, client):
    client.force_login(delegated.partner_admin)
    for action, field in (("retirer-membre", "account"), ("retirer-profil", "role")):
        response = client.post(
            f"/annuaire/delegation/groupes/{delegated.social.pk}/{action}/", {field: "abc'"}
        )
        assert response.status_code == 404, action


@pytest.mark.parametrize(
    "query", ["since=0001-01-01", "until=9999-12-31", "since=0001-01-01&until=9999-12-31"]
)
def test_dates_at_the_ends_of_the_calendar_in_journal_search_are_a_french_4xx(network, client, query):
    client.force_login(network.national_admin)
    page = client.get(f"/journal/?{query}")
    assert page.status_code == 400 and "plage admise" in page.content.decode()
    exports = JournalEntry.objects.filter(kind="journal.export").count()
    export = client.get(f"/journal/export.csv?{query}")
    assert export.status_code == 400
    assert JournalEntry.objects.filter(kind="journal.export").count() == exports  # not recorded as exported
    api = token_client(network.national_admin).get(f"/api/v1/journal?{query}")
    assert api.status_code == 422 and "plage admise" in api.json()["errors"][0]["message"]


def test_a_section_name_with_mathtext_does_not_break_the_sections_dashboard(network, client):
    from habpps.supervision.charts import bar_chart

    chart = bar_chart("Rubriques", [("$x^$ coût", 3), ("$\\frac{1}{0}$", 2)], x_label="consultations")
    assert "$x^$" in chart.svg or "x^" in chart.svg
