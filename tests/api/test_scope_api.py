"""Contextual constraints and a profile's scoping through the API (ENG-5, ENG-8): the national administrator
defines them, a fund administrator is refused, bad input is a French 422."""

from __future__ import annotations

from habpps.authorization.models import ActionLimit, PermissionConstraint
from habpps.authorization.policy_cache import current_policy


def test_the_national_administrator_defines_cdap_hours(network, client_for):
    client = client_for(network.national_admin)
    assert client.post_json("/api/v1/contraintes/attributs", {"name": "heure", "function": "current_time"}
                            ).status_code == 201
    response = client.post_json("/api/v1/contraintes", {"name": "heures ouvrées", "conditions": [
        {"operator": "between", "operands": [{"attribute": "heure"}, "07:00", "20:00"]}]})
    assert response.status_code == 201, response.content
    response = client.post_json("/api/v1/contraintes/heures ouvrées/permissions",
                                {"operation": "acceder", "object": "cdap"})
    assert response.status_code == 201
    assert response.json()["constraints"][0]["permissions"] == [{"operation": "acceder", "object": "cdap"}]
    assert PermissionConstraint.objects.count() == 1
    assert client.get("/api/v1/contraintes").status_code == 200


def test_a_bad_condition_is_a_french_422(network, client_for):
    client = client_for(network.national_admin)
    client.post_json("/api/v1/contraintes/attributs", {"name": "heure", "function": "current_time"})
    response = client.post_json("/api/v1/contraintes", {"name": "x", "conditions": [
        {"operator": "<", "operands": [{"attribute": "heure"}, "midi"]}]})
    assert response.status_code == 422
    assert "Condition invalide" in response.content.decode()


def test_daily_ceiling_and_population_of_a_profile(network, client_for):
    client = client_for(network.national_admin)
    response = client.put("/api/v1/profils/cdap-ass-cesf/limites/cdap.consulter-dossier",
                          data={"max_per_day": 25}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert ActionLimit.objects.get().max_per_day == 25
    response = client.post_json("/api/v1/profils/cdap-ass-cesf/populations",
                                {"resource": "comptes", "name": "périmètre", "kind": "org_subtree", "field": "org"})
    assert response.status_code == 201
    assert current_policy().snapshot.action_limits(network.user_a.login, "cdap.consulter-dossier").max_per_day == 25


def test_a_fund_administrator_is_refused(network, client_for):
    client = client_for(network.fund_admin_a)
    assert client.get("/api/v1/contraintes").status_code in (403, 404)
    assert client.get("/api/v1/profils/cdap-ass-cesf/portee").status_code in (403, 404)
