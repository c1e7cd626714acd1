"""An account's attributes and the conditions on one profile's permissions (ENG-5), administered from the pages
and the API: whoever the engine says may (the account's administrators; the national administrator for a
profile), values type-checked by the engine's coercion with French refusals, journalled before/after, replayed
into the engine (a decision changes), and written by ``habpps policy export``."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from habpps.authorization import scope_services
from habpps.authorization.decisions import AccessRefused, is_allowed
from habpps.authorization.models import AccountAttributes, ContextConstraint, GrantConstraint
from habpps.authorization.policy_build import build_rbac
from habpps.authorization.policy_cache import current_policy
from habpps.authorization.policy_sections import export_document
from habpps.authorization.request_context import client_ip_context
from habpps.directory.services import attributes
from habpps.journal.models import JournalEntry

NETWORK_RULE = "depuis le réseau déclaré"


def declare_network_rule(network) -> ContextConstraint:
    """« poste » (the client's address) within « réseau déclaré » (the person's attribute ``reseau``)."""
    admin = network.national_admin
    scope_services.save_attribute(admin, None, name="poste", function="client_ip")
    scope_services.save_attribute(admin, None, name="réseau déclaré", function="subject_attribute",
                                  domain="ip_network", parameter="reseau")
    return scope_services.save_constraint(admin, None, name=NETWORK_RULE, conditions=[
        {"operator": "within-network", "operands": [{"attribute": "poste"}, {"attribute": "réseau déclaré"}]}])


def cdap_permission(network) -> tuple[str, str]:
    first = network.roles["cdap-ass-cesf"].permissions.order_by("obj", "operation").first()
    return first.operation, first.obj


def allowed_from(address: str, account, permission) -> bool:
    with client_ip_context(address):
        return is_allowed(account, *permission)


def test_a_condition_and_an_attribute_change_the_decision(network):
    rule = declare_network_rule(network)
    profile = network.roles["cdap-ass-cesf"]
    permission = cdap_permission(network)
    assert allowed_from("10.1.2.3", network.user_a, permission)

    scope_services.add_grant_constraint(network.national_admin, profile, *permission, rule)
    assert GrantConstraint.objects.get().constraint == rule
    assert not allowed_from("10.1.2.3", network.user_a, permission)  # no declared network: closed
    entry = JournalEntry.objects.filter(kind="admin.context.grant.set").latest("sequence")
    assert entry.before["constraints"] == [] and entry.after["constraints"] == [NETWORK_RULE]

    # The partner's administrator declares the member's network; the engine now lets the member in from it only.
    attributes.set_account_attribute(network.partner_admin_a, network.user_a, "reseau", "10.1.7.9/16")
    assert AccountAttributes.objects.get(account=network.user_a).attributes == {"reseau": "10.1.0.0/16"}
    assert allowed_from("10.1.2.3", network.user_a, permission)
    assert not allowed_from("192.168.1.5", network.user_a, permission)
    assert not allowed_from("10.1.2.3", network.user_b, permission)  # B has no declared network
    entry = JournalEntry.objects.filter(kind="admin.account.attributes").latest("sequence")
    assert entry.before == {"attributes": {}} and entry.after == {"attributes": {"reseau": "10.1.0.0/16"}}
    # The change log's incremental replay gives the engine a full build would.
    assert current_policy().rbac.export() == build_rbac().export()
    document = export_document()
    assert {"user": network.user_a.login, "attributes": {"reseau": "10.1.0.0/16"}} in document["user_attributes"]
    assert {"role": "cdap-ass-cesf", "operation": permission[0], "object": permission[1],
            "constraint": NETWORK_RULE} in document["grant_constraints"]

    # Removed: closed again; the condition lifted: open to everyone holding the profile.
    attributes.remove_account_attribute(network.partner_admin_a, network.user_a, "reseau")
    assert not AccountAttributes.objects.exists()
    assert not allowed_from("10.1.2.3", network.user_a, permission)
    scope_services.remove_grant_constraint(network.national_admin, GrantConstraint.objects.get())
    assert allowed_from("10.1.2.3", network.user_a, permission) and allowed_from("1.2.3.4", network.user_b, permission)
    assert current_policy().rbac.export() == build_rbac().export()


def test_values_are_type_checked_in_french_and_only_administrators_may(network):
    declare_network_rule(network)
    with pytest.raises(ValidationError) as wrong:
        attributes.set_account_attribute(network.partner_admin_a, network.user_a, "reseau", "mon bureau")
    assert "n'est pas un(e) réseau IP" in str(wrong.value) and "« réseau déclaré » attend un réseau IP" in str(
        wrong.value)
    with pytest.raises(ValidationError) as unknown:
        attributes.set_account_attribute(network.partner_admin_a, network.user_a, "grade", "A")
    assert "Aucune contrainte ne lit un attribut de la personne nommé « grade »" in str(unknown.value)
    with pytest.raises(ValidationError, match="son propre compte"):
        attributes.set_account_attribute(network.partner_admin_a, network.partner_admin_a, "reseau", "10.0.0.0/8")
    with pytest.raises(AccessRefused):  # another partner's administrator
        attributes.set_account_attribute(network.partner_admin_b, network.user_a, "reseau", "10.0.0.0/8")
    with pytest.raises(AccessRefused):  # a member manages nobody
        attributes.set_account_attribute(network.user_b, network.user_a, "reseau", "10.0.0.0/8")
    assert not AccountAttributes.objects.exists()
    # The fund's administrator administers its partners' accounts (given, then changed); the national
    # administrator the funds' agents, not the partners' members (the engine says so).
    attributes.set_account_attribute(network.fund_admin_a, network.user_a, "reseau", "10.0.0.0/8")
    attributes.set_account_attribute(network.fund_admin_a, network.user_a, "reseau", "10.2.0.0/16")
    attributes.set_account_attribute(network.national_admin, network.verifier_a, "reseau", "10.9.0.0/16")
    with pytest.raises(AccessRefused):
        attributes.set_account_attribute(network.national_admin, network.user_a, "reseau", "10.0.0.0/8")
    assert attributes.describe(network.user_a) == [{
        "name": "reseau", "label": "réseau déclaré", "value": "10.2.0.0/16", "shown": "10.2.0.0/16",
        "read_by_a_constraint": True}]


def test_a_profile_condition_is_national_and_on_a_held_permission(network):
    rule = declare_network_rule(network)
    profile = network.roles["cdap-ass-cesf"]
    with pytest.raises(AccessRefused):
        scope_services.add_grant_constraint(network.fund_admin_a, profile, *cdap_permission(network), rule)
    with pytest.raises(ValidationError) as refused:
        scope_services.add_grant_constraint(network.national_admin, profile, "gerer", "caisses", rule)
    assert "ne détient pas la permission « Gérer les caisses »" in str(refused.value)
    scope_services.add_grant_constraint(network.national_admin, profile, *cdap_permission(network), rule)
    with pytest.raises(ValidationError, match="dépend déjà"):
        scope_services.add_grant_constraint(network.national_admin, profile, *cdap_permission(network), rule)
    assert scope_services.set_grant_constraints(network.national_admin, profile, *cdap_permission(network), []) == [
        NETWORK_RULE]
    assert not GrantConstraint.objects.exists()


def test_the_pages_set_and_show_them(client, network):
    """The profile's « Conditions » page and the account's « Attributs » page, without JavaScript: a wrong value
    is said in French next to the field; the account page and « Qui détient quoi » show both."""
    rule = declare_network_rule(network)
    profile = network.roles["cdap-ass-cesf"]
    client.force_login(network.national_admin)
    url = f"/annuaire/profils/{profile.pk}/conditions/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"condition-permission": "acceder cdap", "condition-constraint": rule.pk}).status_code == 302
    page = client.get(url).content.decode()
    assert "Accéder au service CDAP" in page and f"« {NETWORK_RULE} »" in page and "Condition enregistrée." in page

    client.force_login(network.partner_admin_a)
    url = f"/annuaire/comptes/{network.user_a.pk}/attributs/"
    wrong = client.post(url, {"attribut-name": "reseau", "attribut-value": "bureau"})
    assert wrong.status_code == 200
    assert "« bureau » n&#x27;est pas un(e) réseau IP" in wrong.content.decode()
    assert client.post(url, {"attribut-name": "reseau", "attribut-value": "10.1.0.0/16"}).status_code == 302
    account_page = client.get(f"/annuaire/comptes/{network.user_a.pk}/").content.decode()
    assert "réseau déclaré : 10.1.0.0/16" in account_page
    assert f"Accéder au service CDAP : seulement si « {NETWORK_RULE} »" in account_page
    who_holds_what = client.get("/annuaire/delegation/").content.decode()
    assert "Attributs : réseau déclaré = 10.1.0.0/16" in who_holds_what
    assert f"Accéder au service CDAP : seulement si « {NETWORK_RULE} »" in who_holds_what
    assert client.post(url, {"retirer": "reseau"}).status_code == 302
    assert not AccountAttributes.objects.exists()
    client.force_login(network.partner_admin_b)
    assert client.get(url).status_code == 404
