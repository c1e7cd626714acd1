"""ENG-6 max active sessions of an account through /api/v1/ (the page's service, its refusals as 422)."""

from __future__ import annotations

import json


def test_eng6_the_session_limit_through_the_api(network, client_for):
    national = client_for(network.national_admin)
    url = f"/api/v1/comptes/{network.user_a.pk}/limite-roles"
    put = national.put(url, data={"max_sessions": 2}, content_type="application/json")
    assert put.status_code == 200, put.content
    assert put.json() == {"max_roles": None, "max_sessions": 2}
    put = national.put(url, data={"max_roles": 4}, content_type="application/json")
    assert put.json() == {"max_roles": 4, "max_sessions": 2}  # an absent field is left as it is
    assert national.get(url).json() == {"max_roles": 4, "max_sessions": 2}
    bad = national.put(url, data={"max_sessions": 0}, content_type="application/json")
    assert bad.status_code == 422
    assert "Au moins 1" in json.dumps(bad.json(), ensure_ascii=False)
    assert client_for(network.fund_admin_b).get(url).status_code in (403, 404)
