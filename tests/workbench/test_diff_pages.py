"""The comparison of two versions of a role model: chosen from lists, gains and losses in words, never a 500."""

from __future__ import annotations

from workbench.conftest import example_text
from workbench.test_models_pages import deposit

URL = "/atelier-roles/modeles/comparer/"


def second_version() -> str:
    """cdap.yaml, version 2016.2: the litigation service may now instruct RSA files, the social worker no longer
    follows beneficiaries."""
    text = example_text("cdap.yaml").replace('version: "2016.1"', 'version: "2016.2"')
    text = text.replace(
        "cdap-contentieux, label: Service contentieux du Conseil départemental, tasks: [T-RECHERCHER]",
        "cdap-contentieux, label: Service contentieux du Conseil départemental,"
        " tasks: [T-RECHERCHER, T-INSTRUCTION-RSA]",
    )
    return text.replace("tasks: [T-RECHERCHER, T-SUIVI-SOCIAL]", "tasks: [T-RECHERCHER]")


def test_the_model_page_links_to_the_comparison_with_the_model_preselected(net, login):
    client = login(net.national_admin)
    stored = deposit(client)
    page = client.get(f"/atelier-roles/modeles/{stored.pk}/").content.decode()
    assert f'href="{URL}?avant={stored.pk}"' in page
    form = client.get(f"{URL}?avant={stored.pk}")
    assert form.status_code == 200
    html = form.content.decode()
    assert f'<option value="{stored.pk}" selected>Version 2016.1 — CDAP' in html  # told apart by version
    assert "Résultat" not in html


def test_two_versions_show_what_each_profile_and_role_gains_and_loses_in_words(net, login):
    client = login(net.national_admin)
    before = deposit(client)
    response = client.post("/atelier-roles/modeles/nouveau/", {"text": second_version()})
    assert response.status_code == 302
    after = before.__class__.objects.exclude(pk=before.pk).get()

    page = client.get(URL, {"avant": before.pk, "apres": after.pk})
    assert page.status_code == 200
    html = page.content.decode()
    assert "version 2016.1" in html and "version 2016.2" in html
    profiles_table = html[html.index('id="profils"') : html.index('id="roles"')]
    assert "Service contentieux du Conseil départemental" in profiles_table
    assert "Instruire un dossier RSA" in profiles_table  # the task gained, by its label
    assert "Accompagner un allocataire" in profiles_table  # the task lost
    assert "Instructeur RSA et CPAM" not in profiles_table  # unchanged profiles are not listed
    assert "T-INSTRUCTION-RSA" not in html and "SC-CDAP-RSA" not in html  # labels, not codes
    assert "Rôles dérivés" in html


def test_a_model_compared_with_itself_says_nothing_changes(net, login):
    client = login(net.national_admin)
    stored = deposit(client)
    html = client.get(URL, {"avant": stored.pk, "apres": stored.pk}).content.decode()
    assert "aucun profil ni aucun rôle ne gagne ou ne perd" in html


def test_a_missing_or_unknown_choice_is_a_french_error_not_a_500(net, login):
    client = login(net.national_admin)
    stored = deposit(client)
    missing = client.get(URL, {"avant": stored.pk, "apres": ""})
    assert missing.status_code == 400
    assert "Choisissez la version à comparer." in missing.content.decode()
    unknown = client.get(URL, {"avant": "999999", "apres": stored.pk})
    assert unknown.status_code == 400
    assert "Sélectionnez un choix valide" in unknown.content.decode()


def test_the_comparison_is_refused_to_whoever_may_not_use_the_workbench(net, login):
    assert login(net.fund_admin_a).get(URL).status_code == 404
