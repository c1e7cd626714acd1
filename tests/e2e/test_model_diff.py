"""Comparing two versions of a role model in the browser: from the model page, choose the other version in a
list, read what each work profile and derived role gains and loses (RE workbench, issue 21). The page needs no
JavaScript; it is audited with axe-core and shot at 1366, 768 and 390 px into var/screenshots/."""

from __future__ import annotations

from pathlib import Path

import pytest

from e2e.browser import audit, log_in, new_page, visit
from habpps.workbench.documents import save_model
from workbench.conftest import example_text, seed_workbench_permission
from workbench.test_diff_pages import second_version

pytestmark = pytest.mark.e2e

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
WIDTHS = {"large": (1366, 900), "medium": (768, 1000), "small": (390, 844)}


def shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for label, (width, height) in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SCREENSHOTS / f"model-diff-{name}-{label}.png"), full_page=True)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "sans-js"])
def test_the_analyst_compares_two_versions_of_a_model(browser, site, javascript):
    base, net = site
    seed_workbench_permission()
    before, _ = save_model(net.national_admin, example_text("cdap.yaml"))
    after, _ = save_model(net.national_admin, second_version())
    page = new_page(browser, javascript=javascript)
    try:
        log_in(page, base, net.national_admin.login, check=javascript)
        visit(page, f"{base}/atelier-roles/modeles/{before.pk}/", check=javascript)
        page.click("a:has-text('Comparer à une autre version')")
        page.wait_for_selector("h1:has-text('Comparer deux versions')")
        assert page.locator("#id_avant option:checked").get_attribute("value") == str(before.pk)
        if javascript:
            audit(page)
            shoot(page, "choix")
        page.select_option("#id_apres", str(after.pk))
        page.click("button:has-text('Comparer')")
        page.wait_for_selector("h2:has-text('Résultat')")
        main = page.inner_text("main")
        assert "version 2016.1" in main and "version 2016.2" in main
        profile = page.locator(
            "section:has(h3:has-text('Service contentieux du Conseil départemental'))"
        ).first
        assert "Instruire un dossier RSA" in profile.locator(".fr-col-md-6").nth(0).inner_text()  # gained
        profile = page.locator("section:has(h3:has-text('Assistant de service social'))").first
        assert "Accompagner un allocataire" in profile.locator(".fr-col-md-6").nth(1).inner_text()  # lost
        if javascript:
            audit(page)
            shoot(page, "resultat")
    finally:
        page.context.close()
