"""ENG-9 explanations: the grant path, or the closest miss, as data and as one French sentence."""

import pytest

from habpps.engine import RBAC


@pytest.fixture
def network() -> RBAC:
    rbac = RBAC()
    rbac.add_org("cnaf")
    rbac.add_org("caf75", parent="cnaf")
    rbac.add_org("caf13", parent="cnaf")
    for role in ("responsable", "instructeur", "lecteur-rsa"):
        rbac.add_role(role)
    rbac.add_inheritance(ascendant="responsable", descendant="instructeur")
    rbac.add_inheritance(ascendant="instructeur", descendant="lecteur-rsa")
    rbac.grant_permission(operation="consulter", obj="cdap:rsa", role="lecteur-rsa")
    rbac.grant_permission(operation="valider", obj="convention", role="responsable")
    rbac.add_user("ines")
    rbac.add_group("equipe-rsa")
    rbac.add_group_member(group="equipe-rsa", user="ines")
    rbac.assign_group(group="equipe-rsa", role="responsable", org="caf75")
    return rbac


def test_grant_names_group_assignment_org_and_inheritance_chain(network):
    network.create_session(user="ines", session="s", roles=["responsable"])
    decision = network.explain_access(session="s", operation="consulter", obj="cdap:rsa", org="caf75")
    assert decision.granted and bool(decision)
    assert decision.path.group == "equipe-rsa"
    assert decision.path.assigned_role == "responsable"
    assert decision.path.assignment_org == "caf75"
    assert decision.path.chain == ("responsable", "instructeur", "lecteur-rsa")
    data = decision.as_dict()
    assert data["path"]["inheritance_chain"] == ["responsable", "instructeur", "lecteur-rsa"]
    assert "equipe-rsa" in decision.message and "instructeur" in decision.message
    assert decision.message.startswith("Accès accordé")


def test_denial_role_authorized_but_not_active(network):
    network.create_session(user="ines", session="s", roles=["lecteur-rsa"])
    decision = network.explain_access(session="s", operation="valider", obj="convention", org="caf75")
    assert not decision.granted
    assert decision.reason == "role_not_active"
    assert decision.closest["role"] == "responsable"
    assert "n'est pas actif" in decision.message


def test_denial_permission_held_in_another_org(network):
    network.create_session(user="ines", session="s", roles=["responsable"])
    decision = network.explain_access(session="s", operation="consulter", obj="cdap:rsa", org="caf13")
    assert decision.reason == "other_org"
    assert decision.closest["assignment_org"] == "caf75"
    assert "caf75" in decision.message


def test_denial_nobody_holds_it_or_user_not_authorized(network):
    network.create_session(user="ines", session="s", roles=["responsable"])
    assert network.explain_access(session="s", operation="supprimer", obj="x").reason == "no_role_holds_permission"
    network.add_role("auditeur")
    network.grant_permission(operation="lire", obj="journal", role="auditeur")
    decision = network.explain_access(session="s", operation="lire", obj="journal")
    assert decision.reason == "not_authorized"
    assert decision.closest["roles"] == ["auditeur"]


def test_snapshot_explains_unknown_user(network):
    decision = network.compile().explain("inconnu", "consulter", "cdap:rsa")
    assert decision.reason == "unknown_user"
    assert "inconnu" in decision.message
