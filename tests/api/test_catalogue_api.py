"""A profile's permissions through /api/v1/ (ADM-1): read and replaced by who administers the catalogue; a change
a ``require_approval`` exclusion holds (ENG-7) answers 202 and is made once a second administrator approves it."""

from __future__ import annotations

from habpps.authorization import model_services
from habpps.authorization.decisions import is_allowed
from habpps.authorization.models import ApprovalStatus, PendingApproval
from habpps.directory import services

EXPORT = {"operation": "exporter", "object": "cdap.dossier"}


def _url(code: str = "cdap-ass-cesf") -> str:
    return f"/api/v1/profils/{code}/permissions"


def test_permissions_are_read_and_replaced_by_the_national_administrator_only(network, client_for):
    national = client_for(network.national_admin)
    read = national.get(_url())
    assert read.status_code == 200, read.content
    held = read.json()["permissions"]
    assert held and read.json()["name"] == network.roles["cdap-ass-cesf"].name
    changed = national.put(_url(), data={"permissions": [*held, EXPORT]}, content_type="application/json")
    assert changed.status_code == 200, changed.content
    assert EXPORT in changed.json()["permissions"]
    assert is_allowed(network.user_a, "exporter", "cdap.dossier")

    fund_admin = client_for(network.fund_admin_a)
    assert fund_admin.get(_url()).status_code == 403
    refused = fund_admin.put(_url(), data={"permissions": held}, content_type="application/json")
    assert refused.status_code == 403
    assert national.get(_url("inconnu")).status_code == 404
    bad = national.put(_url(), data={"permissions": [{"operation": "Tout faire", "object": "x"}]},
                       content_type="application/json")
    assert bad.status_code == 422


def test_a_held_permission_answers_202_and_is_approved_by_a_second_administrator(network, client_for):
    profile = network.roles["cdap-ass-cesf"]
    first = profile.permissions.order_by("obj", "operation").first()
    model_services.create_exclusion(
        network.national_admin, name="Consulter et exporter", risk="require_approval", cardinality=2,
        members=[{"operation": first.operation, "obj": first.obj},
                 {"operation": EXPORT["operation"], "obj": EXPORT["object"]}],
    )
    national = client_for(network.national_admin)
    held = national.get(_url()).json()["permissions"]
    answer = national.put(_url(), data={"permissions": [*held, EXPORT]}, content_type="application/json")
    assert answer.status_code == 202, answer.content
    body = answer.json()
    assert body["action"] == "set_role_permissions" and body["status"] == "pending"
    assert body["role"] == "cdap-ass-cesf" and body["message"]
    assert EXPORT not in national.get(_url()).json()["permissions"]
    assert not is_allowed(network.user_a, "exporter", "cdap.dossier")

    assert national.post_json(f"/api/v1/a-approuver/{body['id']}/approuver", {}).status_code == 422
    second = services.create_account(None, None, first_name="Sam", last_name="Second", email="s@exemple.fr",
                                     roles=[network.roles["NationalAdmin"]], password="Motdepasse#2025")
    approver = client_for(second)
    assert [a["id"] for a in approver.get("/api/v1/a-approuver").json()] == [body["id"]]
    approved = approver.post_json(f"/api/v1/a-approuver/{body['id']}/approuver", {})
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert PendingApproval.objects.get().status == ApprovalStatus.APPROVED
    assert EXPORT in national.get(_url()).json()["permissions"]
    assert is_allowed(network.user_a, "exporter", "cdap.dossier")
