"""What a person sees, defect by defect (issue « Screens a Caf administrator uses without training »): each test
would have caught its defect in a real browser, with the site's own Content-Security-Policy enforced."""

from __future__ import annotations

import pytest
from django.utils import timezone

from e2e.browser import PASSWORD, log_in, new_page
from e2e.walk import logout_reachable

pytestmark = pytest.mark.e2e


def strict_page(browser, width: int = 1366, height: int = 900):
    """A page with the CSP enforced (the audit's pages bypass it) and its console's CSP reports collected."""
    context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": height})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.csp_reports = []
    page.on(
        "console",
        lambda message: page.csp_reports.append(message.text) if "Content Security Policy" in message.text else None,
    )
    return page


def submit_login(page, base: str, login: str) -> None:
    page.goto(f"{base}/compte/connexion/")
    page.fill("#id_username", login)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]:has-text('Se connecter')")
    page.wait_for_load_state()


def test_a_second_login_may_close_the_forgotten_session_and_an_administrator_sees_and_ends_sessions(browser, site):
    base, net = site
    forgotten, here = strict_page(browser), strict_page(browser)
    try:
        log_in(forgotten, base, net.user_a.login, check=False)
        submit_login(here, base, net.user_a.login)
        text = here.inner_text("main")
        assert "Une session est déjà ouverte avec ce compte" in text
        here.click("button:has-text(\"Fermer l'autre session et me connecter\")")
        here.wait_for_url(f"{base}/")
        assert "Votre autre session a été fermée." in here.inner_text("main")
        forgotten.goto(f"{base}/annuaire/mes-habilitations/")
        assert "/compte/connexion/" in forgotten.url  # the forgotten tab is signed out

        # The partner administrator sees the person's open session and closes it.
        admin = strict_page(browser)
        log_in(admin, base, net.partner_admin_a.login, check=False)
        admin.goto(f"{base}/annuaire/comptes/{net.user_a.pk}/")
        assert admin.locator("h2:has-text('Sessions ouvertes')").count() == 1
        admin.click("button:has-text('Fermer la session')")
        assert "Session de Ulysse UsagerA fermée." in admin.inner_text("main")
        here.goto(f"{base}/annuaire/mes-habilitations/")
        assert "/compte/connexion/" in here.url
        admin.context.close()
    finally:
        forgotten.context.close()
        here.context.close()


def test_at_390_px_the_burger_opens_the_menu_and_the_logout(browser, site):
    base, net = site
    page = strict_page(browser, width=390, height=844)
    try:
        log_in(page, base, net.fund_admin_a.login, check=False)
        assert not page.locator(".fr-header__tools-links button:has-text('Se déconnecter')").is_visible()
        assert logout_reachable(page)
        page.click("button.fr-btn--menu")
        page.locator("#menu-principal [data-menu='partners']").first.wait_for()
        page.locator("#menu-principal button:has-text('Se déconnecter')").click()
        page.wait_for_selector("text=Vous êtes déconnecté.")
        assert not page.csp_reports
    finally:
        page.context.close()


def test_at_390_px_without_javascript_the_menu_and_the_logout_are_in_the_page(browser, site):
    """No script, no burger: the header's menu and « Se déconnecter » are shown under the header instead."""
    base, net = site
    context = browser.new_context(locale="fr-FR", viewport={"width": 390, "height": 844}, java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page, base, net.fund_admin_a.login, check=False)
        assert not page.locator("button.fr-btn--menu").is_visible()
        assert page.locator("#menu-principal [data-menu='partners']").first.is_visible()
        assert "The header" not in page.inner_text("header")  # no template comment leaks onto the screen
        logout = page.locator("#menu-principal button:has-text('Se déconnecter')")
        assert logout.is_visible()
        logout.click()
        page.wait_for_selector("text=Vous êtes déconnecté.")
    finally:
        context.close()


def test_the_national_menu_is_grouped_and_fits_a_laptop(browser, site):
    base, net = site
    page = strict_page(browser, width=1366, height=768)
    try:
        log_in(page, base, net.national_admin.login, check=False)
        groups = page.locator("[data-menu-group]")
        assert groups.count() >= 2
        width = page.evaluate("() => document.querySelector('.fr-nav__list').scrollWidth")
        assert width <= 1366
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 1366
        groups.first.click()
        assert page.locator("[data-menu-group]").first.get_attribute("aria-expanded") == "true"
    finally:
        page.context.close()


def test_charts_are_drawn_under_the_sites_csp(browser, site):
    base, net = site
    from supervision.conftest import consult, seed_supervision_permissions

    seed_supervision_permissions()
    consult(net.user_a, sections=["dossier", "droits"], times=3)
    page = strict_page(browser)
    try:
        log_in(page, base, net.national_admin.login, check=False)
        page.goto(f"{base}/supervision/rubriques/?end={timezone.localdate().isoformat()}")
        image = page.locator("figure img")
        assert image.count() == 1
        assert page.evaluate("img => img.complete && img.naturalWidth > 0", image.element_handle())
        assert not page.csp_reports, page.csp_reports
        # The dashboard tells no command to anyone, and the aggregation ran by itself.
        assert "habpps" not in page.inner_text("main")
    finally:
        page.context.close()


def test_error_pages_are_french_with_the_site_header_and_a_way_back(browser, site):
    base, net = site
    page = strict_page(browser)
    try:
        log_in(page, base, net.user_a.login, check=False)
        response = page.goto(f"{base}/annuaire/partenaires/")
        assert response.status == 404
        assert page.locator("header.fr-header").count() == 1
        assert "Page introuvable" in page.inner_text("h1")
        assert "Not Found" not in page.content()
        page.click("main a:has-text(\"Revenir à l'accueil\")")
        page.wait_for_url(f"{base}/")
        assert not page.csp_reports
    finally:
        page.context.close()


def test_why_speaks_names_and_labels_not_engine_codes(browser, site):
    base, net = site
    page = new_page(browser)
    try:
        log_in(page, base, net.partner_admin_a.login)
        page.goto(f"{base}/annuaire/comptes/{net.user_a.pk}/")
        text = page.inner_text("main")
        assert "Consulter la rubrique « Dossier »" in text and "Accéder au service CDAP" in text
        assert "groupe « Travailleurs sociaux »" in text
        for code in (f"partner:{net.partner_a.pk}", "group:", "cdap-ass-cesf", "cdap.section."):
            assert code not in text
        page.locator("summary:has-text('Détail technique')").first.click()
        assert f"partner:{net.partner_a.pk}" in page.inner_text("main")  # codes stay one click away, for support
    finally:
        page.context.close()


def make_delegate(net):
    """A « Responsable habilitations partenaire » of CCAS A with its group and profile, as the demo seeds one."""
    from habpps.conventions.delegation.services import delegate_perimeter
    from habpps.directory import services

    delegate = services.create_account(
        None,
        net.partner_a,
        first_name="Denis",
        last_name="Delegue",
        email="denis.delegue@exemple.fr",
        roles=[net.roles["PartnerDelegate"]],
        password=PASSWORD,
    )
    delegate_perimeter(net.partner_admin_a, delegate, groups=[net.group_a], roles=[net.roles["cdap-ass-cesf"]])
    return delegate


def test_the_delegate_is_offered_only_what_the_engine_lets_him_do(browser, site):
    base, net = site
    delegate = make_delegate(net)
    page = strict_page(browser)
    try:
        log_in(page, base, delegate.login, check=False)
        page.goto(f"{base}/annuaire/comptes/{net.partner_admin_a.pk}/")
        main = page.locator("main")
        for verb in ("Suspendre", "Supprimer", "Retirer", "Fermer la session"):
            assert main.locator(f".fr-btn:has-text('{verb}')").count() == 0, verb
        # The refused POST a crafted form could still send is a French message, never a 500.
        token = page.locator("input[name=csrfmiddlewaretoken]").first.get_attribute("value")
        with page.expect_navigation():
            page.evaluate(
                """([url, token]) => { const f = document.createElement('form'); f.method = 'post';
                f.action = url; const i = document.createElement('input'); i.name = 'csrfmiddlewaretoken';
                i.value = token; f.appendChild(i); document.body.appendChild(f); f.submit(); }""",
                [f"/annuaire/comptes/{net.partner_admin_a.pk}/roles/{net.roles['PartnerAdmin'].pk}/retirer/", token],
            )
        page.wait_for_load_state()
        assert page.locator("header.fr-header").count() == 1
        assert "Server Error" not in page.content()
        assert net.partner_admin_a.role_assignments.filter(ended_at__isnull=True).exists()
        # Creating an account of his partner: no « Administrateur partenaire » box to tick.
        page.goto(f"{base}/annuaire/partenaires/{net.partner_a.pk}/")
        assert page.get_by_label("Administrateur partenaire").count() == 0
    finally:
        page.context.close()


def test_removing_a_profile_from_a_group_asks_first_and_says_what_is_lost(browser, site):
    base, net = site
    page = strict_page(browser)
    try:
        log_in(page, base, net.partner_admin_a.login, check=False)
        page.goto(f"{base}/annuaire/groupes/{net.group_a.pk}/")
        page.locator("form[action*='/profils/'] button:has-text('Retirer')").first.click()
        page.wait_for_selector("h1:has-text('Retirer le profil')")
        assert "Le membre du groupe perdra aussitôt ce profil" in page.inner_text("main")
        assert net.group_a.role_assignments.filter(ended_at__isnull=True).exists()  # nothing done yet
        page.click("a:has-text('Annuler')")
        page.locator("form[action*='/profils/'] button:has-text('Retirer')").first.click()
        page.click("button:has-text('Retirer le profil')")
        page.wait_for_selector("text=retiré du groupe")
        assert not net.group_a.role_assignments.filter(ended_at__isnull=True).exists()
    finally:
        page.context.close()


def test_create_buttons_show_their_label(browser, site):
    base, net = site
    page = strict_page(browser)
    try:
        log_in(page, base, net.fund_admin_a.login, check=False)
        page.goto(f"{base}/annuaire/partenaires/")
        button = page.locator("main a.fr-btn:has-text('Nouvel organisme partenaire')")
        assert button.bounding_box()["width"] > 150  # the label is shown, not a lonely « + »
    finally:
        page.context.close()


def test_a_frozen_account_shows_frozen_and_an_administrator_unfreezes_it(browser, site):
    from datetime import timedelta

    from habpps.accounts.models import Account

    base, net = site
    Account.objects.filter(pk=net.user_a.pk).update(frozen_until=timezone.now() + timedelta(minutes=30))
    page = strict_page(browser)
    try:
        log_in(page, base, net.partner_admin_a.login, check=False)
        page.goto(f"{base}/annuaire/comptes/{net.user_a.pk}/")
        assert "gelé jusqu'au" in page.inner_text("main").lower()  # the badge is upper-cased by the DSFR
        page.click("button:has-text('Débloquer')")
        assert "Compte de Ulysse UsagerA débloqué." in page.inner_text("main")
        assert "gelé jusqu'au" not in page.inner_text("main").lower()
        net.user_a.refresh_from_db()
        assert net.user_a.frozen_until is None
    finally:
        page.context.close()
