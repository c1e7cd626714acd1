"""``habpps serve --decisions`` (``habpps.pdp.db_app``) answers ``/api/v1/decisions`` exactly as the platform's
django-ninja endpoint does: same answers, same problem documents, refusals journalled alike."""

from __future__ import annotations

import io
import json

import pytest

from habpps.api.pdp import DENIAL_KIND
from habpps.directory.reference_data import cdap_section
from habpps.journal.models import JournalEntry


def lean(path: str, body, secret: str | None) -> tuple[int, dict]:
    from habpps.pdp.db_app import application

    data = json.dumps(body).encode() if not isinstance(body, bytes) else body
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": path, "CONTENT_LENGTH": str(len(data)),
               "wsgi.input": io.BytesIO(data), "HTTP_X_REQUEST_ID": "lean-1"}
    if secret:
        environ["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    seen = {}

    def start_response(status, headers):
        seen["status"] = int(status.split()[0])

    payload = b"".join(application(environ, start_response))
    return seen["status"], json.loads(payload)


def bodies(network) -> list:
    partner = f"partner:{network.partner_a.pk}"
    other = f"partner:{network.partner_b.pk}"
    droits = cdap_section("droits")
    return [
        ("/api/v1/decisions", {"user": network.user_a.login, "operation": "consulter", "object": droits, "org": partner}),
        ("/api/v1/decisions", {"user": network.user_a.login, "operation": "consulter", "object": droits, "org": other,
                               "explain": True}),
        ("/api/v1/decisions", {"user": network.user_a.login, "operation": "consulter", "object": droits,
                               "explain": True}),
        ("/api/v1/decisions", {"user": "", "operation": "consulter", "surplus": 1}),
        ("/api/v1/decisions", {"user": "x" * 151, "operation": "consulter", "object": droits, "explain": "oui"}),
        ("/api/v1/decisions/batch", {"decisions": [
            {"user": network.user_a.login, "operation": "consulter", "object": droits, "org": partner, "explain": True},
            {"user": "personne.0000", "operation": "consulter", "object": droits},
        ]}),
        ("/api/v1/decisions/batch", {"decisions": []}),
        ("/api/v1/decisions", {"user": network.user_a.login, "operation": "consulter", "object": droits, "org": partner,
                               "active_roles": ["cdap-ass-cesf"], "explain": True}),
        ("/api/v1/decisions", {"user": network.user_a.login, "operation": "consulter", "object": droits, "org": partner,
                               "active_roles": ["cdap-cd-contentieux"]}),
        ("/api/v1/decisions", {"user": network.user_a.login, "operation": "consulter", "object": droits,
                               "active_roles": "cdap-ass-cesf"}),
    ]


@pytest.mark.parametrize("index", range(10))
def test_same_answers_as_the_platform_endpoint(network, service_client, service_token, index):
    path, body = bodies(network)[index]
    expected = service_client.post_json(path, body)
    status, answer = lean(path, body, service_token.secret)
    assert status == expected.status_code
    reference = expected.json()
    if status >= 400:  # problem documents: same code and field errors (the instance path is the same too)
        assert (answer["code"], answer["errors"]) == (reference["code"], reference["errors"])
    else:
        assert answer == reference


def test_refusals_are_journalled_and_tokens_required(network, service_token):
    droits = cdap_section("droits")
    body = {"user": network.user_a.login, "operation": "consulter", "object": droits,
            "org": f"partner:{network.partner_b.pk}"}
    assert lean("/api/v1/decisions", body, None)[0] == 401
    assert lean("/api/v1/decisions", body, "hab_x_inconnu")[0] == 401
    assert lean("/api/v1/decisions", body, service_token.secret) == (200, {"granted": False})
    entry = JournalEntry.objects.filter(kind=DENIAL_KIND).get()
    assert entry.data["reason"] == "other_org" and entry.request_id == "lean-1"


def test_a_nul_character_is_refused_before_anything_reads_it(network, service_token):
    body = b'{"user": "a\\u0000b", "operation": "consulter", "object": "x"}'
    status, answer = lean("/api/v1/decisions", body, service_token.secret)
    assert status == 422 and answer["code"] == "donnees-invalides"
