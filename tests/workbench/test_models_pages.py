"""Role-model pages (RE-1..4, RE-7): access by engine permission, deposit and edit with located errors,
catalogues, hierarchy drawing, traceability both ways, policy export, assignment-rule preview."""

from __future__ import annotations

import json

import pytest
import yaml

from habpps.engine import RBAC
from habpps.journal.models import JournalEntry
from habpps.roleeng.derivation import derive_hierarchy
from habpps.roleeng.loading import parse_model
from habpps.workbench.models import StoredRoleModel
from workbench.conftest import example_text


def deposit(client, name: str = "cdap.yaml") -> StoredRoleModel:
    response = client.post("/atelier-roles/modeles/nouveau/", {"text": example_text(name)})
    assert response.status_code == 302, response.content.decode()[-2000:]
    return StoredRoleModel.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[1]))


def test_pages_are_decided_by_the_engine_permission_not_by_a_role(net, login):
    admin = login(net.national_admin)
    home = admin.get("/atelier-roles/")
    assert home.status_code == 200
    assert 'data-menu="workbench"' in home.content.decode()
    fund_admin = login(net.fund_admin_a)
    assert fund_admin.get("/atelier-roles/").status_code == 404
    assert fund_admin.get("/atelier-roles/ecarts/").status_code == 404
    assert 'data-menu="workbench"' not in fund_admin.get("/").content.decode()


def test_anonymous_visitors_are_sent_to_the_login_page(client, net):
    response = client.get("/atelier-roles/")
    assert response.status_code == 302 and "/compte/" in response["Location"]


def test_a_valid_model_is_stored_journalled_and_reviewed(net, login):
    client = login(net.national_admin)
    stored = deposit(client)
    assert stored.origin == StoredRoleModel.Origin.EDIT
    assert JournalEntry.objects.filter(
        kind="workbench.model.save", target=f"modele-roles:{stored.pk}"
    ).exists()
    page = client.get(f"/atelier-roles/modeles/{stored.pk}/").content.decode()
    model, _ = parse_model(example_text("cdap.yaml"))
    hierarchy = derive_hierarchy(model.role_permissions())
    for entry in model.permissions:
        assert f"<code>{entry.id}</code>" in page  # the permission catalogue, each entry once
    assert "C-NUMERO-INSTRUCTEUR" in page  # the constraint catalogue
    for group in hierarchy.redundant:
        assert ", ".join(group) in page  # the review list
    assert "cdap-rsa" in page and "hérite de" in page  # text alternative of the drawing


def test_an_uploaded_file_is_accepted_too(net, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(net.national_admin)
    upload = SimpleUploadedFile("hr.yaml", example_text("hr_thesis.yaml").encode(), "application/yaml")
    response = client.post("/atelier-roles/modeles/nouveau/", {"document": upload, "text": ""})
    assert response.status_code == 302
    assert StoredRoleModel.objects.get().origin == StoredRoleModel.Origin.UPLOAD


def test_an_invalid_model_shows_each_error_with_its_line_and_stores_nothing(net, login):
    client = login(net.national_admin)
    text = example_text("cdap.yaml").replace("permissions: [P-RSA", "permissions: [P-INCONNUE", 1)
    assert text != example_text("cdap.yaml")
    response = client.post("/atelier-roles/modeles/nouveau/", {"text": text})
    page = response.content.decode()
    assert response.status_code == 200
    assert "n&#x27;est pas enregistré" in page or "n'est pas enregistré" in page
    assert "P-INCONNUE" in page
    line = next(number for number, content in enumerate(text.splitlines(), 1) if "P-INCONNUE" in content)
    assert f"<td>{line}</td>" in page
    assert StoredRoleModel.objects.count() == 0
    assert not JournalEntry.objects.filter(kind="workbench.model.save").exists()


def test_a_yaml_syntax_error_is_located_too(net, login):
    response = login(net.national_admin).post(
        "/atelier-roles/modeles/nouveau/", {"text": "name: x\n  - : [\n"}
    )
    assert "YAML illisible" in response.content.decode()
    assert StoredRoleModel.objects.count() == 0


def test_editing_keeps_the_stored_text_when_the_new_one_is_invalid(net, login):
    client = login(net.national_admin)
    stored = deposit(client)
    response = client.post(f"/atelier-roles/modeles/{stored.pk}/modifier/", {"text": "name: incomplet\n"})
    assert response.status_code == 200
    stored.refresh_from_db()
    assert stored.text == example_text("cdap.yaml")
    renamed = example_text("cdap.yaml").replace("name: CDAP —", "name: CDAP révisé —", 1)
    assert client.post(f"/atelier-roles/modeles/{stored.pk}/modifier/", {"text": renamed}).status_code == 302
    stored.refresh_from_db()
    assert stored.name.startswith("CDAP révisé")


def test_the_hierarchy_drawing_is_an_svg_image_with_its_own_style_policy(net, login):
    client = login(net.national_admin)
    stored = deposit(client)
    response = client.get(f"/atelier-roles/modeles/{stored.pk}/hierarchie.svg")
    assert response["Content-Type"].startswith("image/svg+xml")
    svg = response.content.decode()
    assert svg.startswith("<svg") and "<desc" in svg and 'id="role-cdap-rsa"' in svg
    assert "style-src 'unsafe-inline'" in response["Content-Security-Policy"]
    assert "script-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_the_exported_policy_loads_into_the_engine_and_grants_each_profile_its_permissions(net, login, fmt):
    client = login(net.national_admin)
    stored = deposit(client)
    response = client.get(f"/atelier-roles/modeles/{stored.pk}/politique.{fmt}")
    assert response["Content-Disposition"].endswith(f'.{fmt}"')
    document = json.loads(response.content) if fmt == "json" else yaml.safe_load(response.content)
    rbac = RBAC.load(document)
    model, _ = parse_model(stored.text)
    for role, permissions in model.role_permissions().items():
        assert rbac.role_permissions(role) == set(permissions)


def test_the_model_text_downloads_as_stored(net, login):
    client = login(net.national_admin)
    stored = deposit(client)
    response = client.get(f"/atelier-roles/modeles/{stored.pk}/modele.yaml")
    assert response.content.decode() == stored.text


def test_traceability_answers_both_ways(net, login):
    client = login(net.national_admin)
    stored = deposit(client)
    page = client.get(f"/atelier-roles/modeles/{stored.pk}/tracabilite/?permission=P-RSA&role=cdap-rsa")
    text = page.content.decode()
    model, _ = parse_model(stored.text)
    from habpps.roleeng.traceability import Traceability

    trace = Traceability(model, derive_hierarchy(model.role_permissions(), model.role_domains() or None))
    for scenario in trace.scenarios_needing("P-RSA"):
        assert scenario in text
    assert trace.why("cdap-rsa", model.pair("P-RSA")).sentence().replace("'", "&#x27;") in text


def test_rule_preview_shows_who_gains_what_and_applying_gives_a_policy_with_those_assignments(net, login):
    client = login(net.national_admin)
    stored = deposit(client)
    url = f"/atelier-roles/modeles/{stored.pk}/regles/"
    typed = f"{net.user_a.login} fonction=cesf\nexterne.1 type_partenaire=ccas fonction=cesf partenaire=partner:99"
    response = client.post(url, {"from_directory": "on", "attributes": typed, "preview": ""})
    page = response.content.decode()
    assert "2 utilisateurs changeraient" in page
    assert net.user_a.login in page and "externe.1" in page
    assert net.user_b.login not in page  # no function known: no rule matches

    applied = client.post(url, {"from_directory": "on", "attributes": typed, "apply": ""})
    document = yaml.safe_load(applied.content)
    rbac = RBAC.load(document)
    unit = f"partner:{net.partner_a.pk}"
    assert {(a.role, a.org) for a in rbac.user_assignments(net.user_a.login)} == {("cdap-ass-cesf", unit)}
    assert {(a.role, a.org) for a in rbac.user_assignments("externe.1")} == {("cdap-ass-cesf", "partner:99")}


def test_rule_preview_reports_a_malformed_attribute_line_with_its_number(net, login):
    client = login(net.national_admin)
    stored = deposit(client)
    response = client.post(
        f"/atelier-roles/modeles/{stored.pk}/regles/",
        {"attributes": "alice fonction=cesf\nbob fonction", "preview": ""},
    )
    assert "ligne 2" in response.content.decode()


def test_the_new_model_page_is_styled_and_offers_the_bundled_examples(net, login):
    """An analyst starts from a shipped example, from the page itself — not from a path in a repository."""
    client = login(net.national_admin)
    page = client.get("/atelier-roles/modeles/nouveau/").content.decode()
    assert 'class="fr-input"' in page and 'class="fr-upload"' in page  # DSFR fields, not the browser's bare ones
    assert "docs/role-model.schema.json" not in page
    assert 'data-example="cdap"' in page and 'data-example="hr_thesis"' in page
    assert "CDAP — doctrine d&#x27;accès aux rubriques du dossier allocataire" in page
    chosen = client.get("/atelier-roles/modeles/nouveau/?exemple=hr_thesis").content.decode()
    assert "SC1GAPRH" in chosen and "Exemple : le système d&#x27;information RH" in chosen
    assert "Worked example" not in chosen
    saved = client.post("/atelier-roles/modeles/nouveau/", {"text": example_text("hr_thesis.yaml")})
    assert saved.status_code == 302
