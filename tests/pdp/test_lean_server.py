"""The lean decision server (``habpps.pdp.app``) on a policy document: AuthZEN 1.0 rules, ``/api/v1/decisions``,
reloading, service tokens."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time

import pytest

from habpps.pdp import policy_file
from habpps.pdp.app import make_app
from habpps.pdp.policy_file import FileSource

from .conftest import TODO_POLICY, call

RICK = "CiRmZDA2MTRkMy1jMzlhLTQ3ODEtYjdiZC04Yjk2ZjVhNTEwMGQSBWxvY2Fs"
MORTY = "CiRmZDE2MTRkMy1jMzlhLTQ3ODEtYjdiZC04Yjk2ZjVhNTEwMGQSBWxvY2Fs"
BETH = "CiRmZDM2MTRkMy1jMzlhLTQ3ODEtYjdiZC04Yjk2ZjVhNTEwMGQSBWxvY2Fs"


def todo(number: int, owner: str) -> dict:
    return {"type": "todo", "id": f"t{number}", "properties": {"ownerID": owner}}


@pytest.fixture
def app():
    return make_app(FileSource(TODO_POLICY))


def evaluations(app, body):
    status, _headers, payload = call(app, "POST", "/access/v1/evaluations", body)
    assert status == 200, payload
    return json.loads(payload)["evaluations"]


def test_defaults_and_overrides_of_boxcarred_evaluations(app):
    body = {
        "subject": {"type": "user", "id": MORTY},
        "action": {"name": "can_update_todo"},
        "evaluations": [
            {"resource": todo(1, "morty@the-citadel.com")},
            {"resource": todo(2, "rick@the-citadel.com")},
            {"action": {"name": "can_read_todos"}, "resource": todo(3, "rick@the-citadel.com")},
            {"subject": {"type": "user", "id": RICK}, "resource": todo(4, "morty@the-citadel.com")},
        ],
    }
    assert [e["decision"] for e in evaluations(app, body)] == [True, False, True, True]


@pytest.mark.parametrize(("semantic", "expected"), [
    ("execute_all", [True, False, True]),
    ("deny_on_first_deny", [True, False]),
    ("permit_on_first_permit", [True]),
])
def test_the_three_evaluation_semantics(app, semantic, expected):
    body = {
        "subject": {"type": "user", "id": MORTY}, "action": {"name": "can_delete_todo"},
        "options": {"evaluations_semantic": semantic},
        "evaluations": [{"resource": todo(1, "morty@the-citadel.com")}, {"resource": todo(2, "x@y")},
                        {"resource": todo(3, "morty@the-citadel.com")}],
    }
    results = evaluations(app, body)
    assert [e["decision"] for e in results] == expected
    if semantic == "deny_on_first_deny":
        assert results[-1]["context"]["reason"] == "deny_on_first_deny"


def test_no_evaluations_is_a_single_evaluation(app):
    status, _h, payload = call(app, "POST", "/access/v1/evaluations", {
        "subject": {"type": "user", "id": BETH}, "action": {"name": "can_create_todo"},
        "resource": {"type": "todo", "id": "t1"}, "evaluations": []})
    assert (status, json.loads(payload)) == (200, {"decision": False})


@pytest.mark.parametrize("body", [
    b"{not json",
    {"action": {"name": "can_read_todos"}, "resource": {"type": "todo", "id": "1"}},
    {"subject": {"type": "user"}, "action": {"name": "can_read_todos"}, "resource": {"type": "todo", "id": "1"}},
    {"subject": {"type": "user", "id": RICK}, "resource": {"type": "todo", "id": "1"}},
    {"subject": {"type": "user", "id": RICK}, "action": {"name": "x"}, "resource": {"type": "todo"}},
    {"subject": {"type": "user", "id": RICK}, "action": {"name": "x"}, "resource": {"type": "t", "id": "1",
                                                                                  "properties": []}},
    [1, 2],
])
def test_missing_entities_and_malformed_json_are_400_with_a_french_message(app, body):
    status, headers, payload = call(app, "POST", "/access/v1/evaluation", body, {"X-Request-ID": "r-400"})
    assert status == 400
    assert headers["X-Request-ID"] == "r-400"
    assert payload.decode()  # the error message string of the specification


def test_an_evaluation_without_subject_nor_default_is_400(app):
    status, _h, payload = call(app, "POST", "/access/v1/evaluations", {
        "action": {"name": "can_read_todos"}, "evaluations": [{"resource": {"type": "todo", "id": "1"}}]})
    assert status == 400
    assert "evaluations[0]" in payload.decode()


def test_unknown_semantic_is_refused(app):
    status, _h, _p = call(app, "POST", "/access/v1/evaluations", {
        "subject": {"type": "user", "id": RICK}, "action": {"name": "can_read_todos"},
        "options": {"evaluations_semantic": "first"}, "evaluations": [{"resource": {"type": "todo", "id": "1"}}]})
    assert status == 400


def test_decisions_are_closed_and_reasons_come_when_asked(app):
    request = {"subject": {"type": "user", "id": "nobody"}, "action": {"name": "can_read_todos"},
               "resource": {"type": "todo", "id": "1"}}
    assert json.loads(call(app, "POST", "/access/v1/evaluation", request)[2]) == {"decision": False}
    explained = json.loads(call(app, "POST", "/access/v1/evaluation", {**request, "options": {"explain": True}})[2])
    assert explained["decision"] is False
    assert explained["context"]["reason"] == "unknown_user"
    granted = json.loads(call(app, "POST", "/access/v1/evaluation", {
        **request, "subject": {"type": "user", "id": RICK}, "options": {"explain": True}})[2])
    assert granted["context"]["path"]["permission_role"] == "viewer"
    assert granted["context"]["message"].startswith("Accès accordé")


def test_an_unreadable_context_denies_that_evaluation_only(app):
    results = evaluations(app, {
        "subject": {"type": "user", "id": MORTY}, "action": {"name": "can_update_todo"},
        "evaluations": [{"resource": todo(1, "morty@the-citadel.com"), "context": {"now": "pas une date"}},
                        {"resource": todo(2, "morty@the-citadel.com")}]})
    assert results[0]["decision"] is False and results[0]["context"]["error"]["status"] == 400
    assert results[1] == {"decision": True}


def test_discovery_document(app):
    status, headers, payload = call(app, "GET", "/.well-known/authzen-configuration")
    assert status == 200 and headers["Content-Type"] == "application/json"
    assert json.loads(payload) == {
        "policy_decision_point": "http://pdp.test",
        "access_evaluation_endpoint": "http://pdp.test/access/v1/evaluation",
        "access_evaluations_endpoint": "http://pdp.test/access/v1/evaluations",
    }


def test_platform_decision_format_and_its_problems(app):
    status, _h, payload = call(app, "POST", "/api/v1/decisions",
                               {"user": RICK, "operation": "can_read_todos", "object": "todo"})
    assert (status, json.loads(payload)) == (200, {"granted": True})
    status, _h, payload = call(app, "POST", "/api/v1/decisions/batch", {"decisions": [
        {"user": MORTY, "operation": "can_update_todo", "object": "todo",
         "context": {"object": {"ownerID": "rick@the-citadel.com"}}, "explain": True}]})
    result = json.loads(payload)["results"][0]
    assert result["granted"] is False and result["explanation"]["reason"] == "condition_failed"
    status, headers, payload = call(app, "POST", "/api/v1/decisions", {"user": "", "operation": "x", "extra": 1})
    problem = json.loads(payload)
    assert status == 422 and headers["Content-Type"].startswith("application/problem+json")
    assert {e["location"] for e in problem["errors"]} == {"body.user", "body.object", "body.extra"}
    assert problem["code"] == "donnees-invalides"


def test_wrong_method_and_unknown_path(app):
    assert call(app, "GET", "/access/v1/evaluation")[0] == 405
    assert call(app, "POST", "/access/v1/nothing", {})[0] == 404


def test_the_policy_file_is_reloaded_when_it_changes(tmp_path, monkeypatch):
    monkeypatch.setattr(policy_file, "RELOAD_SECONDS", 0.0)
    path = tmp_path / "policy.yaml"
    shutil.copy(TODO_POLICY, path)
    app = make_app(FileSource(path))
    request = {"subject": {"type": "user", "id": BETH}, "action": {"name": "can_create_todo"},
               "resource": {"type": "todo", "id": "1"}}
    assert json.loads(call(app, "POST", "/access/v1/evaluation", request)[2]) == {"decision": False}
    text = path.read_text(encoding="utf-8").replace(f"{{user: {BETH}, role: viewer}}", f"{{user: {BETH}, role: editor}}")
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 1_000_000_000))
    assert json.loads(call(app, "POST", "/access/v1/evaluation", request)[2]) == {"decision": True}
    path.write_text("format: habpps-policy/1\nroles: [{id: viewer}, {id: viewer}]\n", encoding="utf-8")
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 2_000_000_000))
    assert json.loads(call(app, "POST", "/access/v1/evaluation", request)[2]) == {"decision": True}


def test_service_tokens_when_a_token_file_is_given(tmp_path):
    token = "hab_abc123_" + "s" * 43
    tokens = tmp_path / "tokens"
    tokens.write_text(f"# services\nportail {hashlib.sha256(token.encode()).hexdigest()}\n", encoding="utf-8")
    app = make_app(FileSource(TODO_POLICY, policy_file.read_tokens(tokens)))
    request = {"subject": {"type": "user", "id": RICK}, "action": {"name": "can_read_todos"},
               "resource": {"type": "todo", "id": "1"}}
    assert call(app, "POST", "/access/v1/evaluation", request)[0] == 401
    assert call(app, "POST", "/access/v1/evaluation", request, {"Authorization": "Bearer hab_x_y"})[0] == 401
    for _ in range(2):
        assert call(app, "POST", "/access/v1/evaluation", request, {"Authorization": f"Bearer {token}"})[0] == 200
    assert call(app, "POST", "/api/v1/decisions", {"user": RICK}, {})[0] == 401


def test_active_roles_decide_alone_and_are_checked_by_the_engine(app):
    question = {"user": RICK, "operation": "can_update_todo", "object": "todo",
                "context": {"object": {"ownerID": "morty@the-citadel.com"}}}
    as_admin = {**question, "active_roles": ["admin"]}
    assert json.loads(call(app, "POST", "/api/v1/decisions", as_admin)[2]) == {"granted": False}
    as_genius = {**question, "active_roles": ["evil_genius"]}
    assert json.loads(call(app, "POST", "/api/v1/decisions", as_genius)[2]) == {"granted": True}
    status, _h, payload = call(app, "POST", "/api/v1/decisions", {**question, "active_roles": ["viewer", "nope"]})
    assert status == 422 and json.loads(payload)["code"] == "roles-actifs-refuses"


# -- administrative questions: about the platform's records, refused by name (docs/api.md) -----------------------

NOT_SERVED = "administrative_question_not_served"


def test_an_administrative_question_is_refused_as_not_served_with_its_explanation_unasked(app):
    question = {"user": RICK, "operation": "attribuer-profil", "object": "group:7/cdap-ass-cesf", "org": "partner:3",
                "active_roles": ["nope"]}  # not read, as on the platform: no 422
    status, _h, payload = call(app, "POST", "/api/v1/decisions", question)
    answer = json.loads(payload)
    assert status == 200 and answer["granted"] is False
    explanation = answer["explanation"]
    assert explanation["reason"] == NOT_SERVED and explanation["path"] is None
    assert "« attribuer-profil » est une question d'administration" in explanation["message"]
    assert "habpps serve --decisions" in explanation["message"]


def test_a_batch_mixes_refused_administrative_questions_and_answered_permissions(app):
    status, _h, payload = call(app, "POST", "/api/v1/decisions/batch", {"decisions": [
        {"user": RICK, "operation": "gerer-compte", "object": "morty", "explain": True},
        {"user": RICK, "operation": "can_read_todos", "object": "todo"},
    ]})
    first, second = json.loads(payload)["results"]
    assert status == 200 and first["explanation"]["reason"] == NOT_SERVED and second == {"granted": True}


def test_authzen_refuses_an_administrative_action_with_the_reason_in_its_context(app):
    body = {"subject": {"type": "user", "id": RICK}, "action": {"name": "can_read_todos"},
            "evaluations": [{"action": {"name": "ajouter-membre"}, "resource": {"type": "group", "id": "group:7/x"}},
                            {"resource": {"type": "todo", "id": "1"}}]}
    first, second = evaluations(app, body)
    assert first["decision"] is False and first["context"]["reason"] == NOT_SERVED
    assert second == {"decision": True}
    status, _h, payload = call(app, "POST", "/access/v1/evaluation", {
        "subject": {"type": "user", "id": RICK}, "action": {"name": "valider-version"},
        "resource": {"type": "convention", "id": "convention:12"}})
    assert status == 200 and json.loads(payload)["context"]["reason"] == NOT_SERVED
