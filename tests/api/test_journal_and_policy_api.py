"""The journal for auditors (AUD-4) and the policy documents (ENG-10) through the API."""

from __future__ import annotations

from habpps.api.pdp import DENIAL_KIND
from habpps.authorization.orgs import partner_unit


def test_fund_auditor_sees_its_fund_denials_and_not_the_other_funds(network, client_for, service_client):
    for partner in (network.partner_a, network.partner_b):
        service_client.post_json(
            "/api/v1/decisions",
            {"user": "personne", "operation": "consulter", "object": "x", "org": partner_unit(partner.pk)},
        )
    response = client_for(network.fund_admin_a).get("/api/v1/journal", {"kind": "access"})
    assert response.status_code == 200
    page = response.json()
    assert page["scope"] == f"national/fund:{network.fund_a.pk}"
    assert [e["kind"] for e in page["items"]] == [DENIAL_KIND]
    assert page["items"][0]["org_scope"].startswith(page["scope"])


def test_an_entry_outside_the_scope_is_not_found(network, client_for, service_client):
    service_client.post_json(
        "/api/v1/decisions",
        {
            "user": "personne",
            "operation": "consulter",
            "object": "x",
            "org": partner_unit(network.partner_b.pk),
        },
    )
    sequence = (
        client_for(network.national_admin)
        .get("/api/v1/journal", {"kind": "access"})
        .json()["items"][0]["sequence"]
    )
    assert client_for(network.fund_admin_a).get(f"/api/v1/journal/{sequence}").status_code == 404
    assert client_for(network.fund_admin_b).get(f"/api/v1/journal/{sequence}").status_code == 200


def test_a_partner_user_may_not_audit(network, client_for):
    response = client_for(network.user_a).get("/api/v1/journal")
    assert response.status_code == 403
    assert response.json()["detail"] == "Vos habilitations ne permettent pas de consulter le journal."


def test_an_invalid_kind_filter_is_a_french_422(network, client_for):
    response = client_for(network.national_admin).get("/api/v1/journal", {"kind": "Pas Un Type"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["location"] == "query.kind"


def test_policy_export_then_diff_shows_what_a_user_would_lose(network, client_for):
    client = client_for(network.national_admin)
    document = client.get("/api/v1/politique").json()
    group = f"group:{network.group_a.pk}"
    document["groups"] = [g for g in document["groups"] if g["id"] != group] + [
        {**g, "members": [m for m in g["members"] if m != network.user_a.login]}
        for g in document["groups"]
        if g["id"] == group
    ]
    response = client.post_json("/api/v1/politique/differences", {"document": document})
    assert response.status_code == 200
    changes = {c["user"]: c for c in response.json()["changes"]}
    assert set(changes) == {network.user_a.login}
    assert changes[network.user_a.login]["lost"] and not changes[network.user_a.login]["gained"]


def test_policy_import_applies_and_the_decision_point_follows(network, client_for, service_client):
    client = client_for(network.national_admin)
    document = client.get("/api/v1/politique").json()
    group = f"group:{network.group_a.pk}"
    for g in document["groups"]:
        if g["id"] == group:
            g["members"] = [m for m in g["members"] if m != network.user_a.login]
    simulated = client.post_json("/api/v1/politique/import", {"document": document, "simulation": True})
    assert simulated.json()["applied"] is False
    applied = client.post_json("/api/v1/politique/import", {"document": document})
    assert applied.status_code == 200 and applied.json()["applied"] is True
    question = {"user": network.user_a.login, "operation": "consulter", "object": "cdap.section.droits"}
    assert service_client.post_json("/api/v1/decisions", question).json() == {"granted": False}


def test_an_invalid_policy_document_lists_its_errors(network, client_for):
    response = client_for(network.national_admin).post_json(
        "/api/v1/politique/differences", {"document": {"version": "nope"}}
    )
    assert response.status_code == 422
    assert response.json()["code"] == "politique-invalide"
    assert response.json()["errors"]


def test_the_policy_is_for_the_national_administration(network, client_for):
    assert client_for(network.fund_admin_a).get("/api/v1/politique").status_code == 403


def test_policy_diff_api_shows_a_permission_kept_elsewhere_later_or_under_a_condition(network, client_for):
    """Issue 16 §3 (defect 10 through the API): a permission kept but held in another unit or reach, until a
    date, or under a context condition is a ``changed`` entry with its before and after."""
    client = client_for(network.national_admin)
    document = client.get("/api/v1/politique").json()
    fund_admin = network.fund_admin_a.login
    for item in document["assignments"]:
        if item["user"] == fund_admin:
            item["org"] = "national"
    group = f"group:{network.group_a.pk}"
    document["temporal_constraints"] = [{"on": "group_assignment", "group": group, "role": "cdap-ass-cesf",
                                         "org": f"partner:{network.partner_a.pk}",
                                         "constraint": {"end_date": "2031-01-31"}}]
    document["context_attributes"] = [{"name": "heure", "domain": "time", "function": "current_time"}]
    document["context_constraints"] = [{"name": "journée", "conditions": [
        {"operator": "between", "operands": [{"attribute": "heure"}, {"value": "07:00:00"}, {"value": "20:00:00"}]}]}]
    document["permission_constraints"] = [
        {"operation": "consulter", "object": "cdap.section.dossier", "constraint": "journée"}]
    response = client.post_json("/api/v1/politique/differences", {"document": document})
    assert response.status_code == 200, response.content
    changes = {c["user"]: c for c in response.json()["changes"]}

    moved = changes[fund_admin]
    assert not moved["gained"] and not moved["lost"]
    assert any("national" in " ".join(c["after"]) and network.fund_admin_a.org_unit in " ".join(c["before"])
               for c in moved["changed"])
    ending = {c["object"]: c for c in changes[network.user_a.login]["changed"]}
    assert any("2031-01-31" in " ".join(c["after"]) for c in ending.values())
    assert "journée" in " ".join(ending["cdap.section.dossier"]["after"])
    assert "journée" in " ".join(c for entry in changes[network.user_b.login]["changed"] for c in entry["after"])
