"""Helpers of the browser tests: pages, the axe-core audit, logging in."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urljoin

AXE_JS = os.environ.get(
    "HABPPS_AXE_JS", str(Path(__file__).resolve().parents[2] / "var/node/node_modules/axe-core/axe.min.js")
)
CHROMIUM = os.environ.get("HABPPS_CHROMIUM", "/usr/bin/chromium")
BLOCKING_IMPACTS = {"serious", "critical"}
PASSWORD = "Motdepasse#2025"


def new_page(browser, *, javascript: bool = True):
    # axe-core is injected as an inline script, which the site's CSP rightly forbids: bypass it for the audit.
    context = browser.new_context(locale="fr-FR", bypass_csp=True, java_script_enabled=javascript)
    context.set_default_timeout(10_000)
    return context.new_page()


def audit(page) -> None:
    """Run axe-core on the current page and fail on any serious or critical violation."""
    page.add_script_tag(path=AXE_JS)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    blocking = [v for v in result["violations"] if v.get("impact") in BLOCKING_IMPACTS]
    details = "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in blocking
    )
    assert not blocking, f"Violations d'accessibilité sur {page.url} :\n{details}"


def visit(page, url: str, *, check: bool = True) -> None:
    """Open ``url``, expect a 200 and audit it (``check=False`` where JavaScript, hence axe, is disabled)."""
    response = page.goto(url)
    assert response is not None and response.status == 200, f"{url} → {response and response.status}"
    if check:
        audit(page)


def log_in(page, base_url: str, login: str, password: str = PASSWORD, *, check: bool = True) -> None:
    visit(page, f"{base_url}/compte/connexion/", check=check)
    page.fill("#id_username", login)
    page.fill("#id_password", password)
    page.click("button[type=submit]:has-text('Se connecter')")
    page.wait_for_url(f"{base_url}/")


def follow_menu(page, key: str) -> None:
    """Follow the main menu's entry ``key``: it must be in the menu the engine built for this person (in a
    group of the national administrator's menu it may sit in a closed sub-menu, so its link is followed)."""
    link = page.locator(f"[data-menu='{key}']").first
    href = link.get_attribute("href")
    assert href, f"entrée de menu « {key} » absente"
    page.goto(urljoin(page.url, href))
