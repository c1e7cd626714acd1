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


def delegate_of(net):
    """A delegate of partner A over its group only, as its administrator gives one."""
    from habpps.conventions.delegation import services as delegation
    from habpps.directory import services

    delegate = services.create_account(None, net.partner_a, first_name="Damien", last_name="Délégué",
                                       email="damien.delegue@exemple.fr", roles=[net.roles["PartnerDelegate"]],
                                       password="Motdepasse#2025")
    delegation.delegate_perimeter(net.partner_admin_a, delegate, groups=[net.group_a], roles=[])
    return delegate


def ask(client, user, operation: str, obj: str, org: str) -> dict:
    body = {"user": user.login, "operation": operation, "object": obj, "org": org, "explain": True}
    return client.post_json("/api/v1/decisions", body).json()


def test_a_delegate_creating_a_group_is_refused_by_the_engines_can_create_group(network, service_client):
    delegate = delegate_of(network)
    unit = partner_unit(network.partner_a.pk)
    answer = ask(service_client, delegate, "creer-groupe", unit, unit)
    assert answer["granted"] is False and answer["explanation"]["reason"] == "groups_limited"
    message = answer["explanation"]["message"]
    assert message.startswith("Seul l'administrateur partenaire crée des groupes. (Refusé : "), message
    assert "limitée à des groupes désignés" in message and "partner:" not in message and "delegation:" not in message
    entry = JournalEntry.objects.filter(kind=DENIAL_KIND).get()
    assert entry.data["operation"] == "creer-groupe" and entry.data["message"] == message
    assert ask(service_client, network.partner_admin_a, "creer-groupe", unit, unit)["granted"] is True
    refused = ask(service_client, network.fund_admin_b, "creer-groupe", unit, unit)
    assert refused["explanation"]["reason"] == "other_org"  # the engine's permission, asked first


def test_a_delegate_giving_an_administrative_role_is_refused_by_the_engines_can_assign_admin(network, service_client):
    delegate = delegate_of(network)
    unit = partner_unit(network.partner_a.pk)
    answer = ask(service_client, delegate, "attribuer-role", f"{network.user_a.login}/PartnerAdmin", unit)
    assert answer["granted"] is False and answer["explanation"]["reason"] == "missing_ability"
    message = answer["explanation"]["message"]
    assert message.startswith("Seul l'administrateur partenaire attribue les rôles d'administration. (Refusé : ")
    assert "ne permet pas de déléguer" in message
    created = ask(service_client, delegate, "creer-compte", f"{unit}/PartnerAdmin,PartnerDelegate", unit)
    assert created["explanation"]["message"] == message
    delegated = ask(service_client, delegate, "deleguer-perimetre", network.user_a.login, unit)
    assert delegated["explanation"]["reason"] == "missing_ability"
    assert delegated["explanation"]["message"].startswith("Seul l'administrateur partenaire délègue un périmètre.")


def test_the_account_questions_are_the_directorys_own(network, service_client):
    """``gerer-compte``, ``attribuer-role``, ``creer-compte`` are registered by the directory (its AppConfig), which
    asks its own services' permission: no copy of it in the authorization app."""
    from habpps.authorization import admin_questions
    from habpps.directory import questions

    assert admin_questions._answerers["gerer-compte"] is questions.manage_account
    assert admin_questions._answerers["attribuer-role"] is questions.grant_role
    unit = partner_unit(network.partner_a.pk)
    assert ask(service_client, network.partner_admin_a, "gerer-compte", network.user_a.login, unit)["granted"]
    other = ask(service_client, network.fund_admin_b, "gerer-compte", network.user_a.login, unit)
    assert other["granted"] is False and other["explanation"]["reason"] == "other_org"
    unknown = ask(service_client, network.partner_admin_a, "gerer-compte", network.user_a.login, "partner:0")
    assert unknown["explanation"]["reason"] == "unknown_object"
    nowhere = ask(service_client, network.partner_admin_a, "creer-compte", "partner:0", "partner:0")
    assert nowhere["explanation"]["reason"] == "unknown_object"


def test_giving_up_an_amendment_is_the_authors_alone_by_the_engines_history_rule(network, service_client):
    """``abandonner-version`` / ``retirer-version`` on ``convention:<id>``: the conventions app's questions, answered
    by the engine's author rule (ENG-7, ``required``) with the page's sentence, in names; journalled once."""
    from habpps.conventions import services as conventions
    from habpps.directory import services

    author = network.fund_admin_a
    colleague = services.create_account(None, network.fund_a, first_name="Colette", last_name="Collègue",
                                        email="colette.collegue@exemple.fr", roles=[network.roles["FundAdmin"]],
                                        password="Motdepasse#2025")
    convention = network.convention_a
    conventions.amend(author, convention)
    obj, unit = f"convention:{convention.pk}", f"fund:{network.fund_a.pk}"
    assert ask(service_client, author, "abandonner-version", obj, unit)["granted"] is True
    answer = ask(service_client, colleague, "abandonner-version", obj, unit)
    assert answer["granted"] is False and answer["explanation"]["reason"] == "condition_failed"
    message = answer["explanation"]["message"]
    assert message.startswith(f"Seul l'auteur de la version, {author.full_name}, peut « abandonner l'avenant ». (")
    assert "« Colette Collègue » ne l'a pas fait" in message
    assert author.login not in message and colleague.login not in message and "versions-convention" not in message
    entry = JournalEntry.objects.filter(kind=DENIAL_KIND).get()
    assert entry.data["operation"] == "abandonner-version" and entry.data["message"] == message
    # Another fund's administrator: the engine's permission, asked first.
    other = ask(service_client, network.fund_admin_b, "abandonner-version", obj, unit)
    assert other["explanation"]["reason"] == "other_org"
    # Nothing submitted: nothing to take back.
    assert ask(service_client, author, "retirer-version", obj, unit)["explanation"]["reason"] == "nothing_to_take_back"
    assert ask(service_client, author, "retirer-version", "convention:0", unit)["explanation"]["reason"] == (
        "unknown_object")
