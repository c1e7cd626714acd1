"""The OpenID AuthZEN interop « Todo » scenario: every published decision, through ``habpps pdp`` over HTTP."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent / "data"
FILES = ["decisions-authorization-api-1_0-01.json", "decisions-authorization-api-1_0-02.json"]


def _cases(kind: str):
    for name in FILES:
        for index, case in enumerate(json.loads((DATA / name).read_text(encoding="utf-8")).get(kind, [])):
            yield pytest.param(case, id=f"{name[-7:-5]}-{index}")


@pytest.mark.parametrize("case", list(_cases("evaluation")))
def test_single_evaluations_of_the_interop_files(todo_server, case):
    status, headers, body = todo_server.post("/access/v1/evaluation", case["request"],
                                             {"X-Request-ID": "interop-1"})
    assert status == 200
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Request-ID"] == "interop-1"
    assert json.loads(body) == {"decision": case["expected"]}


@pytest.mark.parametrize("case", list(_cases("evaluations")))
def test_boxcarred_evaluations_of_the_interop_files(todo_server, case):
    status, _headers, body = todo_server.post("/access/v1/evaluations", case["request"])
    assert status == 200
    assert json.loads(body) == {"evaluations": case["expected"]}


def test_the_files_cover_every_user_and_both_ownership_outcomes():
    cases = [c for name in FILES for c in json.loads((DATA / name).read_text(encoding="utf-8"))["evaluation"]]
    assert len({c["request"]["subject"]["id"] for c in cases}) == 5
    updates = [c for c in cases if c["request"]["action"]["name"] == "can_update_todo"]
    assert {c["expected"] for c in updates} == {True, False}
