"""Time-bound access through the API (ENG-5): a profile granted with a period, the period changed and lifted,
a bad period refused in French — the same services as the pages."""

from __future__ import annotations

from habpps.directory.models import GroupRoleAssignment


def test_a_profile_is_granted_with_a_period_then_changed(network, client_for):
    client = client_for(network.fund_admin_a)
    group = network.group_a
    assert client.delete(f"/api/v1/groupes/{group.pk}/profils/cdap-ass-cesf").status_code == 200
    response = client.post(
        f"/api/v1/groupes/{group.pk}/profils",
        data={"role": "cdap-ass-cesf", "window": {"valid_until": "2030-01-31", "weekdays": [1, 2, 3, 4, 5]}},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    window = response.json()["profiles"][0]["window"]
    assert window["valid_until"] == "2030-01-31"
    assert window["description"] == "jusqu'au 31/01/2030 inclus, du lundi au vendredi"
    response = client.put(
        f"/api/v1/groupes/{group.pk}/profils/cdap-ass-cesf/periode",
        data={"daily_from": "07:00", "daily_until": "20:00"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["profiles"][0]["window"]["description"] == "de 07:00 à 20:00"
    assert GroupRoleAssignment.objects.current().get(group=group).valid_until is None


def test_a_bad_period_is_refused_in_french(network, client_for):
    client = client_for(network.fund_admin_a)
    response = client.put(
        f"/api/v1/groupes/{network.group_a.pk}/profils/cdap-ass-cesf/periode",
        data={"valid_from": "2030-02-01", "valid_until": "2030-01-01"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "postérieure à la date de fin" in response.content.decode()


def test_another_fund_cannot_change_the_period(network, client_for):
    response = client_for(network.fund_admin_b).put(
        f"/api/v1/groupes/{network.group_a.pk}/profils/cdap-ass-cesf/periode",
        data={"valid_until": "2030-01-31"},
        content_type="application/json",
    )
    assert response.status_code in (403, 404)
