"""The role-engineering workbench in the browser, every page audited with axe-core: deposit a model, review
it, query traceability, preview its rules, mine the policy in the background and turn the roles into a model,
then the gap analysis (UI-1, RE-1..7)."""

from __future__ import annotations

import pytest

from e2e.browser import audit, follow_menu, log_in, new_page, visit
from habpps.roleeng.loading import parse_model
from habpps.workbench.models import StoredRoleModel
from workbench.conftest import consult, example_text, seed_workbench_permission

pytestmark = pytest.mark.e2e


def test_the_analyst_journey_through_the_workbench(page, site):
    base, net = site
    seed_workbench_permission()
    consult(net.user_a, sections=["dossier", "droits"])
    log_in(page, base, net.national_admin.login)
    follow_menu(page, "workbench")
    page.wait_for_selector("h1:has-text('Atelier des rôles')")
    audit(page)

    page.click("a:has-text('Nouveau modèle de rôles')")
    page.fill("#id_text", "name: incomplet\n")
    page.click("button:has-text('Vérifier et enregistrer')")
    page.wait_for_selector("text=Problèmes du document")
    audit(page)
    page.fill("#id_text", example_text("cdap.yaml"))
    page.click("button:has-text('Vérifier et enregistrer')")
    page.wait_for_selector("h2:has-text('Hiérarchie des rôles dérivée')")
    audit(page)
    assert page.locator("img[alt*='hérite de']").count() == 1
    model_url = page.url

    visit(page, f"{model_url}tracabilite/?permission=P-RSA&role=cdap-rsa")
    assert "cdap-rsa" in page.inner_text("main")
    visit(page, f"{model_url}regles/")
    page.fill("#id_attributes", f"{net.user_a.login} fonction=cesf")
    page.click("button:has-text('Prévisualiser')")
    page.wait_for_selector("text=Qui gagnerait ou perdrait quoi")
    audit(page)

    visit(page, f"{base}/atelier-roles/fouilles/nouvelle/")
    page.check("input[value=politique]")
    page.fill("#id_time_limit", "10")
    page.click("button:has-text('Lancer la fouille')")
    page.wait_for_selector("text=Résultat", timeout=60_000)  # the page reloads itself until the run ends
    audit(page)
    assert page.locator("figure svg").count() == 1
    page.click("button:has-text('Créer le modèle de rôles')")
    page.wait_for_selector("h2:has-text('Hiérarchie des rôles dérivée')")
    audit(page)

    visit(page, f"{base}/atelier-roles/ecarts/")
    assert page.locator("caption:has-text('Propositions de moindre privilège')").count() == 1


def test_a_run_is_followed_without_javascript(browser, site):
    base, net = site
    seed_workbench_permission()
    page = new_page(browser, javascript=False)
    try:
        log_in(page, base, net.national_admin.login, check=False)
        visit(page, f"{base}/atelier-roles/fouilles/nouvelle/", check=False)
        page.check("input[value=politique]")
        page.fill("#id_time_limit", "10")
        page.click("button:has-text('Lancer la fouille')")
        page.wait_for_selector("text=Résultat", timeout=60_000)
        assert page.locator("table caption:has-text('Rôles fouillés')").count() == 1
    finally:
        page.context.close()


def test_a_run_with_hundreds_of_roles_is_read_page_by_page_and_accepted_whole(page, site):
    """A result too long for one page (COMP-sized runs find thousands of roles): 100 roles a page, and one box
    accepts every role of the run, other pages included."""
    base, net = site
    seed_workbench_permission()
    log_in(page, base, net.national_admin.login)
    visit(page, f"{base}/atelier-roles/fouilles/nouvelle/")
    page.check("input[value=fichier]")
    upa = "".join(f"u{k} p{k}\n" for k in range(1, 251)).encode()  # 250 separate roles, proven at once
    page.set_input_files("#id_upa_file", files=[{"name": "grand.txt", "mimeType": "text/plain", "buffer": upa}])
    page.fill("#id_time_limit", "20")
    page.click("button:has-text('Lancer la fouille')")
    page.wait_for_selector("text=Résultat", timeout=60_000)
    audit(page)
    assert "page 1 sur 3" in page.inner_text("main")
    assert page.locator("tbody input[name=roles]").count() == 100
    page.click("a:has-text('Page suivante')")
    page.wait_for_selector("text=page 2 sur 3")
    audit(page)
    page.check("#id_all_roles", force=True)  # DSFR draws the box over the input
    page.click("button:has-text('Créer le modèle de rôles')")
    page.wait_for_selector("h2:has-text('Hiérarchie des rôles dérivée')")
    model, _warnings = parse_model(StoredRoleModel.objects.get().text)
    assert len(model.profiles) == 250
