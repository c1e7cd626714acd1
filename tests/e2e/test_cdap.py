"""CDAP in the browser: each of the three seeded profiles sees exactly the sections of the doctrine table, every
page passes axe-core, the period view works without JavaScript, and the certificate downloads (CDP-1..6, UI-1)."""

from __future__ import annotations

import re

import pytest

from cdap.conftest import DOCTRINE, KNOWN_NUMBER, UNKNOWN_NUMBER, make_cdap_network
from e2e.browser import audit, follow_menu, log_in, new_page, visit

pytestmark = pytest.mark.e2e


@pytest.fixture
def cdap_site(transactional_db, live_server):
    return live_server.url, make_cdap_network()


def sections_shown(page) -> list[str]:
    return page.eval_on_selector_all("[data-section]", "links => links.map(l => l.dataset.section)")


def open_file(page, base: str, number: str = KNOWN_NUMBER) -> None:
    page.click("[data-menu='cdap']")
    page.wait_for_url(f"{base}/cdap/")
    audit(page)
    page.fill("#id_number", number)
    page.click("button:has-text('Consulter le dossier')")


@pytest.mark.parametrize("profile", sorted(DOCTRINE))
def test_each_profile_sees_exactly_the_sections_of_the_doctrine(page, cdap_site, profile):
    base, net = cdap_site
    log_in(page, base, net.cdap_users[profile].login)
    open_file(page, base)
    page.wait_for_url(f"{base}/cdap/dossier/")
    audit(page)
    assert sections_shown(page) == ["synthese", *DOCTRINE[profile]]
    cards = page.eval_on_selector_all("[data-card]", "cards => cards.map(c => c.dataset.card)")
    assert cards == DOCTRINE[profile]
    for code in DOCTRINE[profile]:
        page.click(f"[data-section='{code}']")
        page.wait_for_url(f"{base}/cdap/dossier/rubriques/{code}/")
        audit(page)
        assert sections_shown(page) == ["synthese", *DOCTRINE[profile]]
    refused = sorted({c for codes in DOCTRINE.values() for c in codes} - set(DOCTRINE[profile]))
    for code in refused:
        response = page.goto(f"{base}/cdap/dossier/rubriques/{code}/")
        assert response.status == 404


def test_an_unknown_number_is_told_in_french_next_to_the_field(page, cdap_site):
    base, net = cdap_site
    log_in(page, base, net.user_a.login)
    open_file(page, base, UNKNOWN_NUMBER)
    audit(page)
    assert "Aucun dossier ne porte ce numéro" in page.inner_text("main")


def test_the_period_view_works_without_javascript(browser, cdap_site):
    base, net = cdap_site
    page = new_page(browser, javascript=False)
    try:
        log_in(page, base, net.user_a.login, check=False)
        visit(page, f"{base}/cdap/", check=False)
        page.fill("#id_number", KNOWN_NUMBER)
        page.click("button:has-text('Consulter le dossier')")
        page.wait_for_url(f"{base}/cdap/dossier/")
        visit(page, f"{base}/cdap/dossier/rubriques/paiement/", check=False)
        assert page.get_attribute("#id_du", "type") == "date"
        page.fill("#id_du", "2025-03-01")
        page.fill("#id_au", "2025-03-31")
        page.click("button:has-text('Afficher la période')")
        page.wait_for_url(re.compile(r".*du=2025-03-01&au=2025-03-31"))
        rows = page.eval_on_selector_all(
            "table[data-table='Paiements'] tbody tr td:first-child", "cells => cells.map(c => c.textContent)"
        )
        assert rows and all(day.endswith("/03/2025") for day in rows)
    finally:
        page.context.close()


def test_the_payment_certificate_downloads_as_a_pdf(page, cdap_site):
    base, net = cdap_site
    log_in(page, base, net.user_a.login)
    open_file(page, base)
    page.click("[data-section='attestation-paiement']")
    page.wait_for_url(f"{base}/cdap/dossier/rubriques/attestation-paiement/")
    audit(page)
    with page.expect_download() as download:
        page.click("[data-document]")
    assert download.value.suggested_filename.startswith(f"attestation-paiement-{KNOWN_NUMBER}-")
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"


def test_the_national_admin_edits_the_doctrine_table(page, cdap_site):
    base, net = cdap_site
    log_in(page, base, net.national_admin.login)
    follow_menu(page, "cdap-doctrine")
    page.wait_for_url(f"{base}/cdap/doctrine/")
    audit(page)
    provider = net.roles["cdap-prestataire-action-sociale"]
    # The design system draws the box over the native input: tick the input itself.
    page.check(f"input[name='profil-{provider.pk}'][value='adresse']", force=True)
    page.click("button:has-text('Enregistrer la doctrine')")
    page.wait_for_url(f"{base}/cdap/doctrine/")
    assert "1 profil(s) modifié(s)" in page.inner_text("main")
    assert page.is_checked(f"input[name='profil-{provider.pk}'][value='adresse']")
    visit(page, f"{base}/cdap/doctrine/limites/")
    visit(page, f"{base}/cdap/consultations/")
