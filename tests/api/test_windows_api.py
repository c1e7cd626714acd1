"""Windows on a whole account or a whole profile through /api/v1/ (ENG-5): same rights and service as the pages,
an invalid window refused in French, ``DELETE`` lifts it."""

from __future__ import annotations

from habpps.authorization.models import AccountWindow, RoleWindow


def test_an_account_window_through_the_api(network, client_for):
    url = f"/api/v1/comptes/{network.partner_admin_a.pk}/periode"
    fund_admin = client_for(network.fund_admin_a)  # administers the accounts of its partners
    assert fund_admin.get(url).json() == {"bounded": False, "weekdays": [], "description": "sans limite de temps",
                                          "valid_from": None, "valid_until": None, "daily_from": None,
                                          "daily_until": None}
    answer = fund_admin.put(url, data={"valid_until": "2030-12-31", "weekdays": [1, 2, 3, 4, 5]},
                            content_type="application/json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["bounded"] and answer.json()["valid_until"] == "2030-12-31"
    assert answer.json()["description"] == "jusqu'au 31/12/2030 inclus, du lundi au vendredi"
    assert AccountWindow.objects.get(account=network.partner_admin_a).valid_until.isoformat() == "2030-12-31"

    wrong = fund_admin.put(url, data={"valid_from": "2031-01-02", "valid_until": "2031-01-01"},
                           content_type="application/json")
    assert wrong.status_code == 422 and "postérieure à la date de fin" in wrong.json()["detail"]
    assert client_for(network.fund_admin_b).get(url).status_code == 404
    assert client_for(network.fund_admin_b).delete(url).status_code == 404

    lifted = fund_admin.delete(url)
    assert lifted.status_code == 200 and lifted.json()["bounded"] is False
    assert not AccountWindow.objects.exists()


def test_a_role_window_through_the_api(network, client_for):
    url = "/api/v1/profils/cdap-ass-cesf/periode"
    national = client_for(network.national_admin)
    answer = national.put(url, data={"daily_from": "07:00", "daily_until": "20:00"}, content_type="application/json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["description"] == "de 07:00 à 20:00"
    assert RoleWindow.objects.get().role.code == "cdap-ass-cesf"
    assert national.get(url).json()["bounded"] is True
    assert client_for(network.fund_admin_a).put(url, data={}, content_type="application/json").status_code == 403
    assert national.get("/api/v1/profils/inconnu/periode").status_code == 404
    assert national.delete(url).json()["bounded"] is False
    assert not RoleWindow.objects.exists()
