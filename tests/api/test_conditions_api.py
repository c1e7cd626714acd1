"""An account's attributes and a profile's conditions through /api/v1/ (ENG-5): same rights and services as the
pages, a value of the wrong type refused in French (422), out of reach is a 404 (account) or a 403 (national)."""

from __future__ import annotations

from api.conftest import ApiClient
from authorization.test_account_attributes_and_conditions import (
    NETWORK_RULE,
    cdap_permission,
    declare_network_rule,
)
from authorization.test_activation_constraints import DAY, at, day_rule
from habpps.api import tokens
from habpps.authorization.models import AccountAttributes, ActivationConstraint, GrantConstraint


def test_account_attributes_through_the_api(network, client_for):
    declare_network_rule(network)
    url = f"/api/v1/comptes/{network.user_a.pk}/attributs"
    admin = client_for(network.partner_admin_a)
    listed = admin.get(url).json()
    assert listed == {"attributes": [], "offered": [
        {"name": "reseau", "label": "réseau déclaré", "type": "un réseau IP (ex. 10.20.0.0/16)"}]}
    answer = admin.put(f"{url}/reseau", data={"value": "10.1.0.0/16"}, content_type="application/json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["attributes"][0] == {"name": "reseau", "label": "réseau déclaré", "value": "10.1.0.0/16",
                                                  "shown": "10.1.0.0/16", "read_by_a_constraint": True}
    wrong = admin.put(f"{url}/reseau", data={"value": "bureau"}, content_type="application/json")
    assert wrong.status_code == 422 and "réseau IP" in wrong.content.decode()
    assert client_for(network.partner_admin_b).get(url).status_code == 404
    assert client_for(network.partner_admin_b).put(f"{url}/reseau", data={"value": "10.0.0.0/8"},
                                                   content_type="application/json").status_code == 404
    removed = admin.delete(f"{url}/reseau")
    assert removed.status_code == 200 and removed.json()["attributes"] == []
    assert not AccountAttributes.objects.exists()


def test_profile_conditions_through_the_api(network, client_for):
    declare_network_rule(network)
    operation, obj = cdap_permission(network)
    url = "/api/v1/profils/cdap-ass-cesf/conditions"
    national = client_for(network.national_admin)
    added = national.post(url, data={"operation": operation, "object": obj, "constraint": NETWORK_RULE},
                          content_type="application/json")
    assert added.status_code == 201, added.content
    item = added.json()["conditions"][0]
    assert item["constraints"] == [NETWORK_RULE] and item["operation"] == operation
    assert GrantConstraint.objects.count() == 1
    unknown = national.post(url, data={"operation": operation, "object": obj, "constraint": "inconnue"},
                            content_type="application/json")
    assert unknown.status_code == 422 and "inconnue" in unknown.json()["detail"]
    assert client_for(network.fund_admin_a).get(url).status_code == 403
    replaced = national.put(f"{url}/{operation}/{obj}", data={"constraints": []}, content_type="application/json")
    assert replaced.status_code == 200 and replaced.json()["conditions"] == []
    national.post(url, data={"operation": operation, "object": obj, "constraint": NETWORK_RULE},
                  content_type="application/json")
    removed = national.delete(f"{url}/{operation}/{obj}/{NETWORK_RULE}")
    assert removed.status_code == 200 and removed.json()["conditions"] == []
    assert not GrantConstraint.objects.exists()


def test_activation_conditions_through_the_api(network, client_for, monkeypatch, settings):
    """GET/PUT/DELETE ``profils/{code}/conditions-activation`` (national), then the decision API's
    ``active_roles`` refused outside the conditions with the engine's explanation, granted inside."""
    day_rule(network.national_admin)
    url = "/api/v1/profils/cdap-ass-cesf/conditions-activation"
    national = client_for(network.national_admin)
    assert national.get(url).json() == {"profile": network.roles["cdap-ass-cesf"].name, "constraints": []}
    assert client_for(network.fund_admin_a).get(url).status_code == 403
    assert client_for(network.fund_admin_a).put(url, data={"constraints": [DAY]},
                                                content_type="application/json").status_code == 403
    unknown = national.put(url, data={"constraints": ["inconnue"]}, content_type="application/json")
    assert unknown.status_code == 422 and "inconnue" in unknown.json()["detail"]
    assert national.get("/api/v1/profils/inconnu/conditions-activation").status_code == 404
    set_ = national.put(url, data={"constraints": [DAY]}, content_type="application/json")
    assert set_.status_code == 200, set_.content
    assert set_.json()["constraints"] == [{"name": DAY, "conditions": "« heure » entre 07:00 et 20:00"}]
    assert ActivationConstraint.objects.count() == 1

    settings.HABPPS_API_DENIAL_JOURNAL = "immediate"
    tokens.forget_recognised_tokens()
    service = ApiClient(tokens.register_service("portail-cdap").secret)
    operation, obj = cdap_permission(network)
    question = {"user": network.user_a.login, "operation": operation, "object": obj, "active_roles": ["cdap-ass-cesf"]}
    at(monkeypatch, 22)
    refused = service.post_json("/api/v1/decisions", question)
    assert refused.status_code == 422, refused.content
    error = refused.json()["errors"][0]
    assert error["location"] == "body.active_roles" and error["code"] == "activation_condition"
    assert "« heure » entre 07:00 et 20:00 (valeur : 22:00)" in error["message"]
    at(monkeypatch, 10)
    assert service.post_json("/api/v1/decisions", question).json() == {"granted": True}

    removed = national.delete(f"{url}/{DAY}")
    assert removed.status_code == 200 and removed.json()["constraints"] == []
    assert national.delete(f"{url}/{DAY}").status_code == 404
    assert not ActivationConstraint.objects.exists()
