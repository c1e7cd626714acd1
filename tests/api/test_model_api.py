"""The extended model through /api/v1/ (ENG-2, 3, 6, 7): same rights as the pages, engine refusals as 422."""

from __future__ import annotations

import json

from habpps.authorization.models import PendingApproval
from habpps.directory.models import AccountRoleAssignment


def test_hierarchy_and_exclusions_through_the_api(network, client_for):
    national = client_for(network.national_admin)
    created = national.post_json("/api/v1/modele/heritages", {"senior": "PartnerAdmin", "junior": "PartnerDelegate"})
    assert created.status_code == 201, created.content
    assert created.json()["senior_name"] == "Administrateur partenaire"
    cycle = national.post_json("/api/v1/modele/heritages", {"senior": "PartnerDelegate", "junior": "PartnerAdmin"})
    assert cycle.status_code == 422
    assert "cycle" in json.dumps(cycle.json(), ensure_ascii=False)
    rules = national.get("/api/v1/modele/exclusions").json()
    assert [r["risk"] for r in rules] == ["require_approval"]
    made = national.post_json("/api/v1/modele/exclusions", {
        "name": "Signalée", "risk": "report", "members": [
            {"role": "PartnerAdmin"}, {"operation": "consulter", "object": "cdap.section.dossier", "org": ""}]})
    assert made.status_code == 201, made.content
    ssd = national.post_json("/api/v1/modele/separations", {
        "kind": "ssd", "name": "National ou caisse", "members": [{"role": "NationalAdmin"}, {"role": "FundAdmin"}]})
    assert ssd.status_code == 201, ssd.content
    role = national.put("/api/v1/modele/roles/PartnerDelegate", data={"descends": False, "max_users": 10},
                        content_type="application/json")
    assert role.status_code == 200 and role.json()["descends"] is False
    # Whoever the engine does not let administer the model is refused.
    assert client_for(network.fund_admin_a).get("/api/v1/modele/heritages").status_code == 403


def test_a_held_grant_answers_202_and_is_approved_by_a_second_administrator(network, client_for):
    from habpps.directory import services

    national = client_for(network.national_admin)
    held = national.post_json(f"/api/v1/comptes/{network.fund_admin_a.pk}/roles", {"role": "Verifier"})
    assert held.status_code == 202, held.content
    pending_id = held.json()["id"]
    assert national.post_json(f"/api/v1/a-approuver/{pending_id}/approuver", {}).status_code == 422
    beneficiary = client_for(network.fund_admin_a)
    assert [a["id"] for a in beneficiary.get("/api/v1/a-approuver").json()] == [pending_id]
    assert beneficiary.post_json(f"/api/v1/a-approuver/{pending_id}/approuver", {}).status_code == 422
    second = services.create_account(None, None, first_name="Sam", last_name="Second", email="s@exemple.fr",
                                     roles=[network.roles["NationalAdmin"]], password="Motdepasse#2025")
    approved = client_for(second).post_json(f"/api/v1/a-approuver/{pending_id}/approuver", {})
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert PendingApproval.objects.get().decided_by == second
    assert AccountRoleAssignment.objects.current().filter(account=network.fund_admin_a,
                                                          role__code="Verifier").exists()


def test_a_reported_violation_is_listed_and_acknowledged_through_the_api(network, client_for):
    """ENG-7 ``report`` (SUP-7): the change goes through, the violation is listed, a national administrator takes
    it into account once (journalled); whoever may not administer the model sees none of it."""
    from habpps.journal.models import JournalEntry

    national = client_for(network.national_admin)
    made = national.post_json("/api/v1/modele/exclusions", {
        "name": "Deux rôles signalés", "risk": "report",
        "members": [{"role": "PartnerAdmin"}, {"role": "PartnerDelegate"}]})
    assert made.status_code == 201, made.content
    account = network.partner_admin_a
    granted = client_for(network.fund_admin_a).post_json(f"/api/v1/comptes/{account.pk}/roles",
                                                          {"role": "PartnerDelegate"})
    assert granted.status_code == 201, granted.content  # report: allowed, not held

    (violation,) = national.get("/api/v1/infractions-signalees").json()
    assert violation["exclusion"] == "Deux rôles signalés" and violation["account"] == account.login
    assert violation["acknowledged"] is False
    url = f"/api/v1/infractions-signalees/{violation['id']}/prise-en-compte"
    assert national.post_json(url, {}).status_code == 204
    assert national.get("/api/v1/infractions-signalees").json()[0]["acknowledged"] is True
    assert national.post_json(url, {}).status_code == 422  # already taken into account
    assert JournalEntry.objects.filter(kind="admin.exclusion.acknowledge").count() == 1
    assert client_for(network.fund_admin_a).get("/api/v1/infractions-signalees").status_code == 403
    assert client_for(network.fund_admin_a).post_json(url, {}).status_code == 403
