"""Administrative questions put to ``POST /api/v1/decisions`` (issue 16 §2): answered as the pages answer them —
the engine's permission in the partner's unit, then the registered perimeters — explained, journalled, and
mixed freely with permission questions in a batch."""

from __future__ import annotations

from habpps.authorization.orgs import group_name, partner_unit
from habpps.authorization.refusal_journal import DENIAL_KIND
from habpps.journal.models import JournalEntry


def question(net, user, role_code: str, group=None) -> dict:
    group = group or net.group_a
    return {"user": user.login, "operation": "attribuer-profil", "object": f"{group_name(group.pk)}/{role_code}",
            "org": partner_unit(group.partner_id), "explain": True}


def test_a_profile_outside_the_doctrine_is_refused_with_the_pages_sentence(network, service_client):
    body = question(network, network.partner_admin_a, "cdap-instructeur-rsa-cpam")
    answer = service_client.post_json("/api/v1/decisions", body).json()
    assert answer["granted"] is False
    explanation = answer["explanation"]
    assert explanation["reason"] == "outside_perimeter" and explanation["path"] is None
    assert "doctrine nationale" in explanation["message"] and "« CCAS A »" in explanation["message"]
    assert "partner:" not in explanation["message"] and "cdap-" not in explanation["message"]
    entry = JournalEntry.objects.filter(kind=DENIAL_KIND).get()
    assert entry.data["service"] == "portail-cdap" and entry.data["operation"] == "attribuer-profil"
    assert entry.data["message"] == explanation["message"]
    assert entry.org_scope == f"national/fund:{network.fund_a.pk}/partner:{network.partner_a.pk}"


def test_who_may_not_manage_the_partners_groups_is_refused_by_the_engines_permission(network, service_client):
    answer = service_client.post_json(
        "/api/v1/decisions", question(network, network.fund_admin_b, "cdap-ass-cesf")).json()
    assert answer["granted"] is False and answer["explanation"]["reason"] == "other_org"
    message = answer["explanation"]["message"]
    assert "« Gérer les groupes »" in message and "« Caf B »" in message and "« CCAS A »" in message, message
    assert "partner:" not in message and "fund:" not in message and network.fund_admin_b.login not in message


def test_a_batch_mixes_administrative_and_permission_questions(network, service_client):
    member = {"user": network.partner_admin_a.login, "operation": "ajouter-membre",
              "object": f"{group_name(network.group_a.pk)}/{network.user_b.login}",
              "org": partner_unit(network.partner_a.pk), "explain": True}
    unknown = {**question(network, network.partner_admin_a, "cdap-ass-cesf"), "object": "group:0/cdap-ass-cesf"}
    plain = {"user": network.user_a.login, "operation": "consulter", "object": "cdap.section.droits",
             "org": partner_unit(network.partner_a.pk)}
    results = service_client.post_json("/api/v1/decisions/batch", {"decisions": [member, unknown, plain]}).json()
    first, second, third = results["results"]
    assert first["granted"] is False and "n'appartient pas à l'organisme du groupe" in first["explanation"]["message"]
    assert second["explanation"]["reason"] == "unknown_object"
    assert third == {"granted": True}


def test_a_granted_administrative_question(network, service_client):
    from habpps.directory import services

    other = services.create_group(None, network.partner_a, name="Accueil")
    answer = service_client.post_json(
        "/api/v1/decisions", question(network, network.partner_admin_a, "cdap-ass-cesf", group=other)).json()
    assert answer == {"granted": True, "explanation": {"reason": "granted", "message": "Autorisé.", "path": None,
                                                       "failed_constraints": []}}
