"""Callers of the API: hashed revocable tokens, personal tokens acting as their account, sessions with CSRF."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from habpps.api import tokens
from habpps.api.models import ApiToken
from habpps.cli import main
from habpps.directory import services
from habpps.journal.models import JournalEntry

from .conftest import ApiClient

QUESTION = {"user": "personne", "operation": "consulter", "object": "x"}


def test_only_the_digest_of_a_token_is_stored(service_token):
    stored = ApiToken.objects.get(pk=service_token.token.pk)
    assert service_token.secret.startswith(f"hab_{stored.prefix}_")
    assert service_token.secret not in {stored.digest, stored.prefix}
    assert stored.digest == tokens.digest_of(service_token.secret)


def test_a_revoked_token_is_refused_and_the_revocation_journalled(network, service_token, service_client):
    assert service_client.post_json("/api/v1/decisions", QUESTION).status_code == 200
    tokens.revoke(service_token.token.prefix)
    response = service_client.post_json("/api/v1/decisions", QUESTION)
    assert response.status_code == 401
    assert response.json()["code"] == "authentification-requise"
    assert JournalEntry.objects.filter(
        kind="api.token.revoke", target=f"api-token:{service_token.token.prefix}"
    )


def test_an_expired_token_is_refused(network):
    issued = tokens.register_service("ancien-service", expires_at=timezone.now() - timedelta(seconds=1))
    assert ApiClient(issued.secret).post_json("/api/v1/decisions", QUESTION).status_code == 401


def test_an_unknown_or_malformed_token_is_refused(network):
    for secret in ("hab_000000000000_inconnu", "n'importe quoi", "x" * 500):
        assert ApiClient(secret).post_json("/api/v1/decisions", QUESTION).status_code == 401


def test_a_personal_token_stops_working_when_its_account_is_suspended(network, client_for):
    client = client_for(network.fund_admin_a)
    assert client.get("/api/v1/moi").status_code == 200
    services.set_account_status(network.national_admin, network.fund_admin_a, "suspended")
    assert client.get("/api/v1/moi").status_code == 401


def test_a_session_reads_but_must_send_the_csrf_token_to_change(network):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(network.fund_admin_a)
    assert browser.get("/api/v1/moi").json()["login"] == network.fund_admin_a.login
    response = browser.post(
        f"/api/v1/groupes/{network.group_a.pk}/membres",
        data={"account": network.user_a.login},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["code"] == "csrf"


def test_cli_creates_lists_and_revokes_tokens(network, capsys):
    assert main(["api", "token", "create", "--service", "portail-cdap"]) == 0
    secret = capsys.readouterr().out.strip().splitlines()[-1]
    prefix = secret.split("_")[1]
    assert main(["api", "token", "create", "--compte", network.fund_admin_a.login, "--nom", "scripts"]) == 0
    capsys.readouterr()
    assert main(["api", "token", "list"]) == 0
    listing = capsys.readouterr().out
    assert prefix in listing and network.fund_admin_a.login in listing and secret not in listing
    assert main(["api", "token", "revoke", prefix]) == 0
    assert tokens.recognise(secret) is None


def test_cli_refuses_an_unknown_account_or_prefix_in_french(network, capsys):
    assert main(["api", "token", "create", "--compte", "inconnu.0000"]) == 1
    assert "Aucun compte" in capsys.readouterr().err
    assert main(["api", "token", "revoke", "zzzz"]) == 1
    assert "Aucun jeton" in capsys.readouterr().err


def test_the_openapi_document_and_its_page_are_published(client):
    document = client.get("/api/v1/openapi.json").json()
    assert document["info"]["version"] == "1"
    assert "/api/v1/decisions" in document["paths"]
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and b"swagger-ui" in page.content
