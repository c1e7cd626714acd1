"""A DSD role switch in the browser (ENG-1, ENG-2): a person authorised for Administrateur Caf and Vérificateur,
which a dynamic separation-of-duty set forbids together in one session, logs in with the first active, sees the
pages of that role only, switches to the other with the header's form (no JavaScript), and sees the other's.
Screenshots at 1366, 768 and 390 px go to var/screenshots/."""

from __future__ import annotations

from pathlib import Path

import pytest

from conventions.conftest import make_convention_world
from e2e.browser import audit, log_in, new_page, visit

pytestmark = pytest.mark.e2e

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
WIDTHS = {"large": (1366, 900), "medium": (768, 1000), "small": (390, 844)}


@pytest.fixture
def world_site(transactional_db, live_server):
    from habpps.authorization.policy_cache import current_policy

    world = make_convention_world()
    # The DSD set as the separation-of-duty pages store it (issue 16 §1): not both roles in one session.
    current_policy().rbac.create_dsd_set("caf-administration-verification", ["FundAdmin", "Verifier"], 2)
    return live_server.url, world


def menu(page) -> list[str]:
    return page.eval_on_selector_all("[data-menu]", "links => links.map(l => l.dataset.menu)")


def shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for label, (width, height) in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SCREENSHOTS / f"role-switch-{name}-{label}.png"), full_page=True)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "sans-js"])
def test_a_person_switches_between_roles_of_one_dsd_set(browser, world_site, javascript):
    base, world = world_site
    page = new_page(browser, javascript=javascript)
    log_in(page, base, world.admin_verifier.login, check=javascript)
    switcher = page.locator("select[name^='ensemble:']")
    assert switcher.count() == 1
    assert switcher.locator("option:checked").inner_text() == "Administrateur Caf"
    assert "conventions" in menu(page) and "verifications" not in menu(page)
    if javascript:
        audit(page)
        shoot(page, "administrateur")

    page.set_viewport_size({"width": 390, "height": 844})  # the form works at the smallest width
    switcher.select_option(label="Vérificateur")
    page.click("button:has-text('Activer ce rôle')")
    page.wait_for_url(f"{base}/")
    assert page.locator(".fr-alert--success, .fr-alert").first.inner_text().find("Vérificateur") >= 0
    assert page.locator("select[name^='ensemble:'] option:checked").inner_text() == "Vérificateur"
    assert "verifications" in menu(page) and "conventions" not in menu(page)
    if javascript:
        audit(page)
        shoot(page, "verificateur")
    page.set_viewport_size({"width": 1366, "height": 900})
    visit(page, f"{base}/conventions/verifications/", check=javascript)  # now reachable: the verifier's queue
