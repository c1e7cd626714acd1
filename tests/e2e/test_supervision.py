"""Supervision in the browser: the menu entry, a dashboard with its SVG chart, data table and CSV link, audited
with axe-core; the same dashboard read without JavaScript (UI-1, SUP-8)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from e2e.browser import log_in, new_page, visit
from supervision.conftest import consult, seed_supervision_permissions

pytestmark = pytest.mark.e2e


def test_fund_admin_reads_the_sections_dashboard_with_its_chart_and_table(page, site):
    base, net = site
    seed_supervision_permissions()
    from habpps.supervision.aggregation import aggregate

    consult(net.user_a, sections=["dossier", "droits", "rsa"], times=3)
    aggregate(until=timezone.localdate())
    log_in(page, base, net.fund_admin_a.login)
    page.click("[data-menu-group=control]")  # the menu groups supervision, journal… under « Contrôle »
    page.click("[data-menu=supervision]")
    page.wait_for_selector("h1:has-text('Supervision des habilitations')")
    visit(page, f"{base}/supervision/rubriques/?end={timezone.localdate().isoformat()}")
    assert page.locator("figure img").count() == 1  # an image: its styles apply under the site's CSP
    assert "9 affichages de rubriques au total" in page.inner_text("figcaption")
    assert page.locator("table caption:has-text('Données du graphique')").count() == 1
    assert page.locator("a:has-text('Exporter en CSV')").count() == 1
    visit(page, f"{base}/supervision/non-connectes/")
    visit(page, f"{base}/supervision/moindre-privilege/")


def test_the_dashboard_works_without_javascript(browser, site):
    base, net = site
    seed_supervision_permissions()
    page = new_page(browser, javascript=False)
    try:
        log_in(page, base, net.national_admin.login, check=False)
        visit(page, f"{base}/supervision/habilitations/", check=False)
        page.select_option("#id_role", value="cdap-ass-cesf")
        page.click("button:has-text('Afficher')")
        assert "role=cdap-ass-cesf" in page.url
    finally:
        page.context.close()
