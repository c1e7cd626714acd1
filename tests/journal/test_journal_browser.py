"""The auditor pages in a real browser: usable without JavaScript, no serious accessibility violation (UI-1)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from e2e.browser import AXE_JS, CHROMIUM, PASSWORD, audit, log_in, new_page, visit
from habpps.authorization.orgs import scope_path
from habpps.journal.services import record_event

pytestmark = pytest.mark.e2e

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="module")
def chromium():
    if not (Path(CHROMIUM).exists() and Path(AXE_JS).exists()):
        if os.environ.get("CI"):
            pytest.fail("chromium ou axe-core absent : lancez scripts/test.sh")
        pytest.skip("chromium ou axe-core absent : lancez scripts/test.sh")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-background-networking"]
        )
        yield browser
        browser.close()


@pytest.fixture
def site(transactional_db, live_server, network):
    record_event(
        "admin.partner.update",
        actor=network.fund_admin_a,
        org_scope=scope_path(network.fund_a.pk, network.partner_a.pk),
        target=f"partner:{network.partner_a.pk}",
        before={"name": "CCAS A"},
        after={"name": "CCAS de la Ville A"},
    )
    return live_server.url, network


def test_fund_auditor_searches_and_reads_an_entry_without_accessibility_violation(chromium, site):
    base, net = site
    page = new_page(chromium)
    try:
        log_in(page, base, net.fund_admin_a.login)
        assert "journal" in page.eval_on_selector_all(
            "[data-menu]", "links => links.map(l => l.dataset.menu)"
        )
        visit(page, f"{base}/journal/")
        page.select_option("#id_kind", label="Organisme partenaire modifié")
        page.click("button:has-text('Rechercher')")
        audit(page)
        assert "1 entrée trouvée." in page.inner_text("main")
        page.click("table a")
        audit(page)
        assert "CCAS de la Ville A" in page.inner_text("main")
        # Refused filters: a 400 with the reasons next to the fields (the search is not run).
        response = page.goto(f"{base}/journal/?since=2026-03-02&until=2026-03-01&kind=Pas+un+type")
        assert response is not None and response.status == 400
        assert "La date de fin doit suivre la date de début." in page.inner_text("main")
    finally:
        page.context.close()


def test_search_and_csv_export_work_without_javascript(chromium, site):
    base, net = site
    page = new_page(chromium, javascript=False)
    try:
        page.goto(f"{base}/compte/connexion/")
        page.fill("#id_username", net.fund_admin_a.login)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]:has-text('Se connecter')")
        page.goto(f"{base}/journal/")
        page.select_option("#id_kind", label="Organisme partenaire modifié")
        page.click("button:has-text('Rechercher')")
        assert "1 entrée trouvée." in page.inner_text("main")
        with page.expect_download() as download:
            page.click("button:has-text('Exporter en CSV')")
        content = Path(download.value.path()).read_text(encoding="utf-8")
        assert content.startswith("\ufeffSéquence;")
        assert [line.split(";")[2] for line in content.splitlines()[1:]] == ["admin.partner.update"]
    finally:
        page.context.close()
