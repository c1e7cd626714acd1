"""Pages in the browser: menus per role, forms with French errors next to fields, no JavaScript needed, and no
serious accessibility violation on any page visited (UI-1, ADM-2, ADM-3, ADM-7)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from e2e.browser import audit, log_in, new_page, visit

pytestmark = pytest.mark.e2e
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def menu(page) -> list[str]:
    return page.eval_on_selector_all("[data-menu]", "links => links.map(l => l.dataset.menu)")


def test_fund_admin_creates_a_partner_and_sees_french_errors_next_to_fields(page, site):
    base, net = site
    log_in(page, base, net.fund_admin_a.login)
    audit(page)
    assert {"partners", "my-habilitations"} <= set(menu(page))
    assert not {"funds", "catalogue", "doctrine"} & set(menu(page))
    visit(page, f"{base}/annuaire/partenaires/")
    page.click("text=Nouvel organisme partenaire")
    audit(page)
    page.fill("#id_name", "CCAS de Montreuil")
    page.fill("#id_siret", "732 829 320 00075")
    page.select_option("#id_partner_type", label="Centre communal d'action sociale (CCAS)")
    page.fill("#id_street", "12 rue de Paris")
    page.fill("#id_postal_code", "9310")
    page.fill("#id_city", "Montreuil")
    page.click("button:has-text('Enregistrer')")
    audit(page)
    assert "clé de contrôle" in page.inner_text("#id_siret-desc-error")
    assert "5 chiffres" in page.inner_text("#id_postal_code-desc-error")
    page.fill("#id_siret", "552 081 317 66522")
    page.fill("#id_postal_code", "93100")
    page.click("button:has-text('Enregistrer')")
    page.wait_for_selector("h1:has-text('CCAS de Montreuil')")
    audit(page)
    assert "Organisme « CCAS de Montreuil » créé." in page.inner_text("main")


def test_national_admin_pages(page, site):
    base, net = site
    log_in(page, base, net.national_admin.login)
    assert {"funds", "catalogue", "doctrine", "partners"} <= set(menu(page))
    for path in (
        "/annuaire/caisses/",
        f"/annuaire/caisses/{net.fund_a.pk}/",
        "/annuaire/services/",
        "/annuaire/doctrine/",
    ):
        visit(page, base + path)
    visit(page, f"{base}/annuaire/profils/{net.roles['cdap-ass-cesf'].pk}/titulaires/")
    assert net.user_a.login in page.inner_text("main") and net.user_b.login in page.inner_text("main")


def test_why_page_explains_each_habilitation(page, site):
    base, net = site
    log_in(page, base, net.partner_admin_a.login)
    visit(page, f"{base}/annuaire/comptes/{net.user_a.pk}/")
    text = page.inner_text("main")
    assert "Consulter la rubrique « Dossier »" in text
    assert "groupe « Travailleurs sociaux »" in text
    assert "Accès accordé" in text


def test_a_partner_user_sees_only_what_it_may_use(page, site):
    base, net = site
    log_in(page, base, net.user_a.login)
    assert not {"funds", "catalogue", "doctrine", "partners", "my-partner"} & set(menu(page))
    visit(page, f"{base}/annuaire/mes-habilitations/")
    assert "Consulter la rubrique « Dossier »" in page.inner_text("main")
    response = page.goto(f"{base}/annuaire/partenaires/")
    assert response.status == 404


def test_core_flow_works_without_javascript(browser, site):
    base, net = site
    page = new_page(browser, javascript=False)
    try:
        # The same pages are audited with JavaScript on in the other tests; axe itself needs JavaScript.
        log_in(page, base, net.partner_admin_a.login, check=False)
        visit(page, f"{base}/annuaire/partenaires/{net.partner_a.pk}/", check=False)
        page.click("text=Nouveau groupe")
        page.fill("#id_name", "Accueil social")
        page.click("button:has-text('Enregistrer')")
        page.wait_for_selector("h1:has-text('Accueil social')")
        page.select_option("#id_membre-account", label=str(net.user_a))
        page.click("button:has-text('Ajouter au groupe')")
        page.wait_for_selector("text=Membre ajouté au groupe.")
        assert net.user_a.login in page.inner_text("main")
    finally:
        page.context.close()


def test_the_national_menu_groups_open_without_javascript_at_desktop_width(browser, site):
    """The national administrator's menu is grouped in DSFR sub-menus the script unfolds; without it, at 1366 px,
    a group unfolds under the pointer or the keyboard's focus, and its links are followed."""
    base, net = site
    page = new_page(browser, javascript=False)
    try:
        page.set_viewport_size({"width": 1366, "height": 768})
        log_in(page, base, net.national_admin.login, check=False)
        group = page.locator("[data-menu-group]").first
        submenu = page.locator(f"#{group.get_attribute('aria-controls')}")
        link = submenu.locator("a").first
        assert not link.is_visible()  # folded until asked
        group.hover()
        expect(link).to_be_visible()
        href = link.get_attribute("href")
        top = submenu.locator("ul").evaluate("e => e.getBoundingClientRect().top")
        assert top > 0, "the unfolded group is drawn under its button, not above the page"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "national-menu-sans-javascript-1366.png"))
        link.click()
        page.wait_for_url(f"**{href}")
        page.mouse.move(0, 600)
        page.locator("[data-menu-group]").first.focus()  # the keyboard opens it too
        expect(page.locator(f"#{group.get_attribute('aria-controls')} a").first).to_be_visible()
    finally:
        page.context.close()
