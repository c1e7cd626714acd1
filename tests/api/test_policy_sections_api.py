"""The policy import API refuses what the platform cannot store (ENG-10, issue 16 §3): a 422 problem document."""

import pytest

from habpps.authorization import policy_sections


def test_an_extension_section_is_refused_by_the_api_with_a_problem_document(network, client_for):
    client = client_for(network.national_admin)
    document = client.get("/api/v1/politique").json()
    document["history_exclusions"] = [{"name": "quatre-yeux", "object": "convention", "done": ["saisir"],
                                       "then": "valider", "risk": "block"}]
    if policy_sections.section("history_exclusions") and policy_sections.section("history_exclusions").importable:
        pytest.skip("history exclusions are stored by now")
    response = client.post_json("/api/v1/politique/import", {"document": document})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "politique-inapplicable"
    assert any("history_exclusions" in e["message"] for e in body["errors"])
