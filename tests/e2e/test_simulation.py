"""What-if in the browser (issue 16 §3): the national administrator simulates one change and a pasted policy
document on the page « Simuler », without JavaScript, and sees who gains and loses what, the exclusions that
would fire and the approvals that would be asked — nothing applied. Screenshots at 1366, 768 and 390 px go to
var/screenshots/ (not committed)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from e2e.browser import audit, log_in, new_page, visit

pytestmark = pytest.mark.e2e

SHOTS = Path(os.environ.get("HABPPS_SCREENSHOTS", Path(__file__).resolve().parents[2] / "var/screenshots"))


def _shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1366, 768, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


def test_national_admin_simulates_a_change_and_a_document(page, site):
    from habpps.authorization.decisions import is_allowed
    from habpps.authorization.orgs import group_name
    from habpps.authorization.policy_sections import export_document

    base, net = site
    log_in(page, base, net.national_admin.login)
    href = page.get_attribute("[data-menu=simulate]", "href")  # the main menu offers it (perhaps folded)
    visit(page, base + href)
    page.wait_for_selector("h1:has-text('Simuler un changement de politique')")

    page.click("button:has-text('Simuler')")
    assert "un seul des trois" in page.inner_text("main")
    audit(page)

    page.select_option("#id_action", "attribuer")
    page.fill("#id_account", net.user_b.login)
    page.select_option("#id_profile", "Verifier")
    page.click("button:has-text('Simuler')")
    page.wait_for_selector("h2:has-text('Résultat de la simulation')")
    result = page.text_content("main")
    assert "Ulysse UsagerB" in result
    assert f"Profil {net.roles['Verifier'].name} ({net.partner_b.name})" in result
    assert "rien n'a été appliqué" in result
    audit(page)
    _shoot(page, "simulation-changement")

    document = export_document()
    for item in document["groups"]:
        if item["id"] == group_name(net.group_a.pk):
            item["members"].remove(net.user_a.login)
    document["exclusions"] = [{
        "name": "admin-verificateur", "kind": "static", "risk": "require_approval", "cardinality": 2,
        "members": [{"role": "FundAdmin"}, {"role": "Verifier"}],
    }]
    document["assignments"].append(
        {"user": net.fund_admin_a.login, "role": "Verifier", "org": net.fund_admin_a.org_unit})
    page.select_option("#id_action", "")
    page.fill("#id_account", "")
    page.select_option("#id_profile", "")
    page.fill("#id_document_text", yaml.safe_dump(document, allow_unicode=True))
    page.click("button:has-text('Simuler')")
    page.wait_for_selector("h2:has-text('Résultat de la simulation')")
    result = page.text_content("main")
    assert "Ulysse UsagerA" in result and "Fanny AdminA" in result
    assert f"Profil {net.roles['cdap-ass-cesf'].name}" in result
    assert "admin-verificateur" in result and "second administrateur" in result
    assert f"« {net.roles['FundAdmin'].name} »" in result
    assert "ne stocke pas encore la section « exclusions »" in result or "rien n'a été appliqué" in result
    audit(page)
    _shoot(page, "simulation-document")
    assert is_allowed(net.user_a, "consulter", "cdap.section.dossier")


def test_simulate_works_without_javascript(browser, site):
    base, net = site
    page = new_page(browser, javascript=False)
    log_in(page, base, net.national_admin.login, check=False)
    visit(page, f"{base}/politique/simuler/", check=False)
    page.select_option("#id_action", "retirer")
    page.fill("#id_account", net.fund_admin_a.login)
    page.select_option("#id_profile", "FundAdmin")
    page.click("button:has-text('Simuler')")
    page.wait_for_selector("h2:has-text('Résultat de la simulation')")
    assert "Fanny AdminA" in page.inner_text("main")
    page.context.close()


def test_simulate_is_for_the_national_administration(page, site):
    base, net = site
    log_in(page, base, net.fund_admin_a.login)
    assert page.goto(f"{base}/politique/simuler/").status == 404


def test_national_admin_downloads_the_policy_and_applies_a_simulated_document(page, site):
    """ENG-10 from the page: « Exporter la politique actuelle » downloads the document; the box « Appliquer ce
    document » applies one after its simulation (here a hierarchy edge between administrative roles)."""
    from habpps.authorization.models import RoleInheritance
    from habpps.authorization.policy_sections import export_document
    from habpps.engine import parse_text

    base, net = site
    log_in(page, base, net.national_admin.login)
    visit(page, f"{base}/politique/simuler/")
    with page.expect_download() as download:
        page.click("a:has-text('Exporter la politique actuelle')")
    assert parse_text(Path(download.value.path()).read_bytes()) == export_document()

    document = export_document()
    document["inheritance"] = [{"ascendant": "PartnerAdmin", "descendant": "PartnerDelegate"}]
    page.fill("#id_document_text", yaml.safe_dump(document, allow_unicode=True))
    page.click("label[for=id_apply]")  # the DSFR checkbox: its label takes the click
    assert page.is_checked("#id_apply")
    page.click("button:has-text('Simuler')")
    page.wait_for_selector("h3:has-text('Document appliqué')")
    audit(page)
    _shoot(page, "simulation-document-applique")
    assert RoleInheritance.objects.filter(senior__code="PartnerAdmin", junior__code="PartnerDelegate").exists()
