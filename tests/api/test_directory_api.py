"""The directory through the API decides like the pages (API-1, ADM-1..7): engine permissions, scoping, services."""

from __future__ import annotations

from habpps.directory.models import GroupMembership, Status
from habpps.journal.models import JournalEntry


def test_fund_admin_lists_only_the_partners_of_its_fund(network, client_for):
    response = client_for(network.fund_admin_a).get("/api/v1/partenaires")
    assert response.status_code == 200
    assert [p["id"] for p in response.json()["items"]] == [network.partner_a.pk]


def test_partner_of_another_fund_is_not_found(network, client_for):
    """ADM-2: a fund admin of Caf A learns nothing of Caf B — not even that the partner exists."""
    response = client_for(network.fund_admin_a).get(f"/api/v1/partenaires/{network.partner_b.pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "introuvable"


def test_funds_are_for_the_national_administration(network, client_for):
    assert client_for(network.fund_admin_a).get("/api/v1/caisses").status_code == 403
    funds = client_for(network.national_admin).get("/api/v1/caisses").json()
    assert {f["code"] for f in funds["items"]} >= {"751", "691"}


def test_fund_admin_creates_a_partner_in_its_fund_and_the_change_is_journalled(network, client_for):
    body = {
        "name": "Centre social des Lilas",
        "siret": "73282932000074",
        "partner_type": "ccas",
        "street": "3 rue des Lilas",
        "postal_code": "75020",
        "city": "Paris",
    }
    response = client_for(network.fund_admin_b).post_json("/api/v1/partenaires", body)
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["fund_id"] == network.fund_b.pk
    entry = JournalEntry.objects.filter(kind="admin.partner.create").latest("sequence")
    assert entry.actor_identifier == network.fund_admin_b.login


def test_a_bad_siret_is_refused_with_the_model_message_next_to_the_field(network, client_for):
    body = {
        "name": "Mauvais SIRET",
        "siret": "12345678901234",
        "partner_type": "ccas",
        "street": "1 rue",
        "postal_code": "75001",
        "city": "Paris",
    }
    response = client_for(network.fund_admin_a).post_json("/api/v1/partenaires", body)
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "regle-de-gestion"
    assert [e["location"] for e in problem["errors"]] == ["body.siret"]


def test_fund_admin_puts_an_account_in_a_group_and_the_pdp_sees_it(network, client_for, service_client):

    newcomer = client_for(network.fund_admin_a).post_json(
        f"/api/v1/partenaires/{network.partner_a.pk}/comptes",
        {"first_name": "Nina", "last_name": "Nouvelle", "email": "nina@exemple.fr"},
    )
    assert newcomer.status_code == 201
    login = newcomer.json()["login"]
    question = {
        "user": login,
        "operation": "consulter",
        "object": "cdap.section.droits",
        "org": f"partner:{network.partner_a.pk}",
    }
    assert service_client.post_json("/api/v1/decisions", question).json() == {"granted": False}
    added = client_for(network.fund_admin_a).post_json(
        f"/api/v1/groupes/{network.group_a.pk}/membres", {"account": login}
    )
    assert added.status_code == 201
    assert login in {m["login"] for m in added.json()["members"]}
    assert service_client.post_json("/api/v1/decisions", question).json() == {"granted": True}


def test_removing_a_member_ends_the_membership_without_deleting_it(network, client_for):
    response = client_for(network.fund_admin_a).delete(
        f"/api/v1/groupes/{network.group_a.pk}/membres/{network.user_a.login}"
    )
    assert response.status_code == 200
    assert network.user_a.login not in {m["login"] for m in response.json()["members"]}
    assert GroupMembership.objects.filter(group=network.group_a, account=network.user_a).exists()


def test_group_of_another_fund_is_not_found(network, client_for):
    response = client_for(network.fund_admin_a).get(f"/api/v1/groupes/{network.group_b.pk}")
    assert response.status_code == 404


def test_suspending_a_partner_through_the_api_refuses_its_users_at_once(network, client_for, service_client):
    response = client_for(network.fund_admin_a).post_json(
        f"/api/v1/partenaires/{network.partner_a.pk}/statut", {"status": "suspended"}
    )
    assert response.status_code == 200
    assert response.json()["status"] == Status.SUSPENDED
    question = {"user": network.user_a.login, "operation": "consulter", "object": "cdap.section.droits"}
    assert service_client.post_json("/api/v1/decisions", question).json() == {"granted": False}


def test_an_impossible_status_change_is_a_french_problem(network, client_for):
    client = client_for(network.fund_admin_a)
    client.post_json(f"/api/v1/partenaires/{network.partner_a.pk}/statut", {"status": "removed"})
    response = client.post_json(f"/api/v1/partenaires/{network.partner_a.pk}/statut", {"status": "active"})
    assert response.status_code in (404, 422)
    assert response["Content-Type"].startswith("application/problem+json")


def test_why_lists_each_habilitation_with_its_group_and_profile(network, client_for):
    response = client_for(network.fund_admin_a).get(f"/api/v1/comptes/{network.user_a.pk}/habilitations")
    assert response.status_code == 200
    rows = response.json()
    assert rows and all(row["group"] == f"group:{network.group_a.pk}" for row in rows)
    assert all(row["assigned_role"] == "cdap-ass-cesf" for row in rows)


def test_why_of_an_account_of_another_fund_is_not_found(network, client_for):
    response = client_for(network.fund_admin_a).get(f"/api/v1/comptes/{network.user_b.pk}/habilitations")
    assert response.status_code == 404


def test_explanations_answer_why_not(network, client_for):
    response = client_for(network.fund_admin_a).post_json(
        "/api/v1/explications",
        {"user": network.user_a.login, "operation": "gerer", "object": "partenaires"},
    )
    assert response.status_code == 200
    assert response.json()["granted"] is False
    assert response.json()["message"].startswith("Accès refusé")


def test_who_holds_a_profile_is_scoped_to_the_viewer(network, client_for):
    response = client_for(network.fund_admin_a).get("/api/v1/profils/cdap-ass-cesf/titulaires")
    assert response.status_code == 200
    assert [a["login"] for a in response.json()["items"]] == [network.user_a.login]


def test_me_and_my_habilitations(network, client_for):
    client = client_for(network.user_a)
    assert client.get("/api/v1/moi").json()["login"] == network.user_a.login
    assert client.get("/api/v1/moi/habilitations").json()


def test_a_partner_user_cannot_list_partners(network, client_for):
    assert client_for(network.user_a).get("/api/v1/partenaires").status_code == 403
