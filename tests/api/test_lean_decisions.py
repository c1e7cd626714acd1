"""``habpps serve --decisions`` (``habpps.pdp.db_app``) answers ``/api/v1/decisions`` exactly as the platform's
django-ninja endpoint does: same answers, same problem documents, refusals journalled alike."""

from __future__ import annotations

import io
import json

import pytest

from habpps.api.pdp import DENIAL_KIND
from habpps.directory.reference_data import cdap_section
from habpps.journal.denials import forget_floods
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


def test_an_authzen_refusal_not_explained_to_the_caller_is_explained_in_the_journal(network, service_token):
    """The caller did not ask for reasons (no ``options.explain``): the answer stays bare, the journal of refusals
    still carries the engine's reason and sentence, as for ``/api/v1/decisions`` (issue 16)."""
    body = {"subject": {"type": "user", "id": network.user_a.login}, "action": {"name": "consulter"},
            "resource": {"type": cdap_section("droits"), "id": "1"},
            "context": {"org": f"partner:{network.partner_b.pk}"}}
    assert lean("/access/v1/evaluation", body, service_token.secret) == (200, {"decision": False})
    entry = JournalEntry.objects.filter(kind=DENIAL_KIND).get()
    assert entry.data["reason"] == "other_org"
    assert "refusé" in entry.data["message"] and f"partner:{network.partner_a.pk}" in entry.data["message"]


def test_a_nul_character_is_refused_before_anything_reads_it(network, service_token):
    body = b'{"user": "a\\u0000b", "operation": "consulter", "object": "x"}'
    status, answer = lean("/api/v1/decisions", body, service_token.secret)
    assert status == 422 and answer["code"] == "donnees-invalides"


# -- administrative questions (issue 16): the same answer and journal entry from either process ------------------


def admin_bodies(network) -> list:
    from habpps.authorization.orgs import group_name, partner_unit

    group = group_name(network.group_a.pk)
    unit = partner_unit(network.partner_a.pk)
    admin = network.partner_admin_a.login
    return [
        ("/api/v1/decisions", {"user": admin, "operation": "attribuer-profil",
                               "object": f"{group}/cdap-instructeur-rsa-cpam", "org": unit, "explain": True}),
        ("/api/v1/decisions", {"user": admin, "operation": "attribuer-profil",
                               "object": f"{group}/cdap-instructeur-rsa-cpam", "org": unit}),
        ("/api/v1/decisions", {"user": network.fund_admin_b.login, "operation": "attribuer-profil",
                               "object": f"{group}/cdap-ass-cesf", "org": unit, "explain": True}),
        ("/api/v1/decisions", {"user": admin, "operation": "ajouter-membre",
                               "object": f"{group}/{network.user_b.login}", "org": unit, "explain": True,
                               "active_roles": ["pas-un-role"], "context": {"ip": "10.0.0.1"}}),
        ("/api/v1/decisions", {"user": admin, "operation": "gerer-groupe", "object": "group:0", "explain": True}),
        ("/api/v1/decisions", {"user": "personne.0000", "operation": "gerer-compte",
                               "object": network.user_a.login, "explain": True}),
        ("/api/v1/decisions", {"user": admin, "operation": "gerer-compte", "object": network.user_a.login,
                               "explain": True}),
        ("/api/v1/decisions/batch", {"decisions": [
            {"user": admin, "operation": "retirer-membre", "object": f"{group}/{network.user_a.login}", "org": unit,
             "explain": True},
            {"user": network.user_a.login, "operation": "consulter", "object": cdap_section("droits"), "org": unit},
            {"user": network.fund_admin_b.login, "operation": "gerer-groupe", "object": group, "org": unit},
        ]}),
        # issue 16 §1's questions (registered by the directory)
        ("/api/v1/decisions", {"user": network.fund_admin_b.login, "operation": "creer-groupe", "object": unit,
                               "org": unit, "explain": True}),
        ("/api/v1/decisions", {"user": network.fund_admin_b.login, "operation": "creer-compte", "object": unit,
                               "org": unit, "explain": True}),
    ]


def _denials_after(sequence: int) -> list[tuple]:
    entries = JournalEntry.objects.filter(kind=DENIAL_KIND, sequence__gt=sequence).order_by("sequence")
    return [(e.org_scope, e.target, e.data) for e in entries]


def _last_sequence() -> int:
    last = JournalEntry.objects.order_by("-sequence").first()
    return last.sequence if last is not None else 0


@pytest.mark.parametrize("index", range(10))
def test_an_administrative_question_gets_the_platforms_answer_and_journal_entry(network, service_client,
                                                                                  service_token, index):
    path, body = admin_bodies(network)[index]
    start = _last_sequence()
    expected = service_client.post_json(path, body)
    platform_entries = _denials_after(start)
    middle = _last_sequence()
    forget_floods()  # the same refusal again within the window would only be counted (issue 18)
    status, answer = lean(path, body, service_token.secret)
    assert (status, answer) == (expected.status_code, expected.json())
    assert _denials_after(middle) == platform_entries


def test_the_platforms_administrative_refusal_is_explained_and_journalled_by_the_lean_server(network, service_token):
    path, body = admin_bodies(network)[1]  # no explain asked: a plain refusal, explained in the journal
    assert lean(path, body, service_token.secret) == (200, {"granted": False})
    entry = JournalEntry.objects.filter(kind=DENIAL_KIND).get()
    assert entry.data["operation"] == "attribuer-profil" and entry.data["reason"] == "outside_perimeter"
    assert "doctrine nationale" in entry.data["message"] and entry.request_id == "lean-1"


def test_authzen_asks_an_administrative_question_with_the_object_in_resource_id(network, service_client,
                                                                               service_token):
    path, body = admin_bodies(network)[0]
    expected = service_client.post_json(path, body).json()["explanation"]
    forget_floods()  # the same refusal again within the window would only be counted (issue 18)
    kind, _sep, _rest = body["object"].partition(":")
    evaluation = {"subject": {"type": "account", "id": body["user"]}, "action": {"name": body["operation"]},
                  "resource": {"type": kind, "id": body["object"]}, "context": {"org": body["org"]},
                  "options": {"explain": True}}
    status, answer = lean("/access/v1/evaluation", evaluation, service_token.secret)
    assert (status, answer) == (200, {"decision": False, "context": expected})
    forget_floods()
    on_the_platform = service_client.post_json("/access/v1/evaluation", evaluation)  # the pages' processes
    assert on_the_platform.json() == answer
    entries = JournalEntry.objects.filter(kind=DENIAL_KIND).order_by("sequence")
    platform, authzen, platform_authzen = (entry.data for entry in entries)
    assert authzen == platform == platform_authzen


def test_every_operation_the_platform_answers_is_refused_by_name_by_the_policy_file_server():
    from habpps.authorization import admin_questions
    from habpps.pdp.administration import PLATFORM_OPERATIONS

    # The file server knows the names without Django: they are the platform's registered ones, so that none the
    # platform answers passes for a permission there.
    assert set(admin_questions.operations()) == PLATFORM_OPERATIONS


def test_the_lean_servers_database_paths_drop_a_broken_connection_first(network, service_token, monkeypatch,
                                                                         settings):
    """No ``request_started`` signal reaches the lean server: its database paths (a token not yet recognised, an
    administrative question) ask Django to drop a broken or too old connection themselves; a token already
    recognised never touches the database, and a connection inside a transaction is left alone."""
    from types import SimpleNamespace

    from habpps.pdp import platform_source

    checks: list[int] = []
    fake = SimpleNamespace(in_atomic_block=False, close_if_unusable_or_obsolete=lambda: checks.append(1))
    monkeypatch.setattr(platform_source, "connection", fake)
    settings.HABPPS_POLICY_PROBE_SECONDS = 60
    source = platform_source.PlatformSource()
    header = f"Bearer {service_token.secret}"
    assert source.service(header) == "portail-cdap" and checks == [1]
    assert source.service(header) == "portail-cdap" and checks == [1]
    group = network.partner_a.groups.first()
    answer = source.administration.answer(network.user_a.login, "gerer-groupe", f"group:{group.pk}", None)
    assert answer.reason and checks == [1, 1]
    fake.in_atomic_block = True
    platform_source.fresh_connection()
    assert checks == [1, 1]
