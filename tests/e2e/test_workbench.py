"""The role-engineering workbench in the browser, every page audited with axe-core: deposit a model, review
it, query traceability, preview its rules, mine the policy in the background and turn the roles into a model,
then the gap analysis (UI-1, RE-1..7)."""

from __future__ import annotations

import pytest

from e2e.browser import audit, follow_menu, log_in, new_page, visit
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
