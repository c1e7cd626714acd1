"""What-if (issue 16 §3): `habpps policy simulate DOC` and the simulation service show, before applying, who
gains and loses what (people by name, profiles by label), which exclusions would fire and which pending
approvals a change would create — and apply nothing."""

import json

import yaml

from habpps.authorization.decisions import is_allowed
from habpps.authorization.orgs import group_name
from habpps.authorization.policy_sections import export_document
from habpps.authorization.simulation import ASSIGN, REVOKE, simulate_change, simulate_document
from habpps.cli import main

CDAP_DOSSIER = ("consulter", "cdap.section.dossier")


def _without_member(document, group, login):
    for item in document["groups"]:
        if item["id"] == group:
            item["members"].remove(login)
    return document


def test_simulate_shows_who_loses_what_by_name_and_applies_nothing(network, tmp_path, capsys):
    document = _without_member(export_document(), group_name(network.group_a.pk), network.user_a.login)
    path = tmp_path / "politique.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True))
    capsys.readouterr()
    assert main(["policy", "simulate", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"Ulysse UsagerA ({network.user_a.login})" in out
    label = network.roles["cdap-ass-cesf"].name
    assert f"- profil {label}" in out
    assert f"- {' '.join(CDAP_DOSSIER)}" in out
    assert "Rien n'a été appliqué" in out
    assert is_allowed(network.user_a, *CDAP_DOSSIER)


def test_simulate_lists_exclusions_and_pending_approvals_a_document_would_create(network):
    document = export_document()
    document["exclusions"] = [{
        "name": "admin-verificateur", "kind": "static", "risk": "require_approval", "cardinality": 2,
        "members": [{"role": "FundAdmin"}, {"role": "Verifier"}],
    }]
    document["assignments"].append(
        {"user": network.fund_admin_a.login, "role": "Verifier", "org": network.fund_admin_a.org_unit})
    simulation = simulate_document(document)
    assert any("admin-verificateur" in text and "Fanny AdminA" in text for text in simulation.approvals)
    person = next(p for p in simulation.people if p.login == network.fund_admin_a.login)
    assert network.roles["Verifier"].name in " ".join(person.gained_profiles)


def test_simulate_json_and_an_invalid_document(network, tmp_path, capsys):
    path = tmp_path / "politique.json"
    path.write_text(json.dumps(export_document()))
    capsys.readouterr()
    assert main(["policy", "simulate", str(path), "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["people"] == [] and result["applicable"]
    path.write_text(json.dumps({"format": "autre", "roles": "pas une liste"}))
    assert main(["policy", "simulate", str(path)]) == 1
    assert "Document de politique invalide" in capsys.readouterr().err


def test_simulate_one_change_names_the_profile_and_the_person(network):
    simulation = simulate_change(ASSIGN, network.user_b.login, "Verifier")
    assert simulation.subject == (f"Attribution du profil « {network.roles['Verifier'].name} » à Ulysse UsagerB")
    assert [p.login for p in simulation.people] == [network.user_b.login]
    assert simulation.people[0].gained_profiles
    withdrawn = simulate_change(REVOKE, network.fund_admin_a.login, "FundAdmin")
    assert withdrawn.people[0].lost_profiles
    refused = simulate_change(REVOKE, network.user_b.login, "Verifier")
    assert refused.refusals and not refused.applicable


def test_the_policy_page_exports_the_document_and_applies_one_only_when_asked(network, client):
    """ENG-10 from a page: « Exporter la politique » downloads what `habpps policy export` writes; a document is
    applied (journalled in the administrator's name) only with the box ticked and only when nothing refuses it."""
    from habpps.authorization.models import RoleInheritance
    from habpps.engine import parse_text
    from habpps.journal.models import JournalEntry

    client.force_login(network.national_admin)
    exported = client.get("/politique/export.yaml")
    assert exported.status_code == 200 and "attachment" in exported["Content-Disposition"]
    assert parse_text(exported.content) == export_document()

    document = export_document()
    document["inheritance"] = [{"ascendant": "PartnerAdmin", "descendant": "PartnerDelegate"}]
    text = yaml.safe_dump(document, allow_unicode=True)
    simulated = client.post("/politique/simuler/", {"document_text": text})
    assert "Simulation seulement : rien n'a été appliqué." in simulated.content.decode()
    assert not RoleInheritance.objects.exists()

    unstorable = yaml.safe_dump({**document, "sessions": [{"id": "s1"}]}, allow_unicode=True)
    refused = client.post("/politique/simuler/", {"document_text": unstorable, "apply": "on"}).content.decode()
    assert "Document appliqué" not in refused and not RoleInheritance.objects.exists()

    applied = client.post("/politique/simuler/", {"document_text": text, "apply": "on"}).content.decode()
    assert "Document appliqué" in applied
    assert RoleInheritance.objects.filter(senior__code="PartnerAdmin", junior__code="PartnerDelegate").exists()
    entry = JournalEntry.objects.filter(kind="admin.policy.import").latest("sequence")
    assert entry.actor_identifier == network.national_admin.login

    client.force_login(network.fund_admin_a)
    assert client.get("/politique/export.yaml").status_code == 404
