"""The menu walk: every menu link of a login, at the three widths people use, checked as a person would see it.

A page fails the walk when the server answers 5xx, when it lacks the site header, when its visible text holds an
English phrase or an internal code (engine unit names, role codes, event types, field names, requirement IDs,
shell commands), when the browser reports a Content-Security-Policy violation, or — at 390 px — when no logout can
be reached through the burger menu. Each page is saved as a full-page screenshot under ``var/screenshots/`` so a
person can look at every screen of every role.

The walk is a plain function over a base URL, so it runs both in the test suite (against the live server seeded
with the demo network) and by hand against a running ``habpps demo`` (``python -m e2e.walk URL``).
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

WIDTHS = (1366, 768, 390)
HEIGHT = {1366: 768, 768: 1024, 390: 844}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"

# What must never be read on a screen: each pattern and what it betrays.
FORBIDDEN = [
    (re.compile(r"\b(?:national|fund|partner|group|user):\d+"), "nom d'unité du moteur"),
    (re.compile(r"\b(?:NationalAdmin|FundAdmin|PartnerAdmin|PartnerDelegate|Verifier)\b"), "code de rôle"),
    (re.compile(r"\bcdap-[a-z0-9-]+\b"), "code de profil"),
    (re.compile(r"\bcdap\.section\.[a-z]+"), "code de rubrique"),
    (re.compile(r"\b(?:auth|account|group|role|convention|policy|journal)\.[a-z_]+\.[a-z_]+\b"), "type d'événement"),
    (re.compile(r"\b[a-z]+_[a-z]+(?:_[a-z]+)*\s*(?:=|:)"), "nom de champ"),
    (re.compile(r"\b(?:True|False|None)\b"), "valeur Python"),
    (re.compile(r"\bhabpps [a-z]+"), "commande"),
    (re.compile(r"\b(?:UI|SUP|AUD|AUT|ADM|CNV|CDP|ENG|API|DEL)-\d+\b"), "identifiant d'exigence"),
    (re.compile(r"mémoire \d+\.\d+"), "référence d'exigence"),
    (re.compile(r"\b(?:Page not found|Not Found|Server Error|Forbidden|This field|Submit|Logout|Log in)\b"), "anglais"),
    (re.compile(r"\b(?:gerer|consulter|valider|attribuer) [a-z]+-[a-z-]+\b"), "permission du moteur"),
]


# Buttons of the page's content whose label the DSFR hides (icon alone, e.g. a lonely « + »): a DSFR icon button
# in a group without the group's icon modifier is shrunk to its icon. Search bars' magnifiers are icon-only by design.
HIDDEN_LABELS = """() => Array.from(document.querySelectorAll('main .fr-btn'))
  .filter(b => !b.closest('.fr-search-bar') && b.offsetParent !== null)
  .filter(b => b.textContent.trim().length > 2 && b.getBoundingClientRect().width < 3 * 16)
  .map(b => b.textContent.trim())"""


@dataclass
class Report:
    """What the walk found: problems (one line each) and the pages visited."""

    problems: list[str] = field(default_factory=list)
    visited: int = 0

    def fail(self, where: str, what: str) -> None:
        self.problems.append(f"{where} : {what}")


def forbidden_strings(text: str) -> list[str]:
    found = []
    for pattern, kind in FORBIDDEN:
        for match in pattern.finditer(text):
            found.append(f"{kind} « {match.group(0)} »")
    return found


def slug(path: str) -> str:
    plain = unicodedata.normalize("NFKD", path).encode("ascii", "ignore").decode().lower()
    cleaned = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")
    return cleaned or "accueil"


def menu_links(page) -> list[tuple[str, str]]:
    """Every (label, path) of the main menu, sub-menus included, as the markup holds them."""
    links = page.eval_on_selector_all(
        "#navigation-principale a[href]",
        "links => links.map(l => [l.textContent.trim(), l.getAttribute('href')])",
    )
    seen, result = set(), []
    for label, href in links:
        path = urlsplit(href).path
        if path not in seen and path.startswith("/"):
            seen.add(path)
            result.append((label, path))
    return result


def watch_csp(page, sink: list[str]) -> None:
    page.on(
        "console",
        lambda message: sink.append(message.text)
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text
        else None,
    )


def logout_reachable(page) -> bool:
    """At a narrow width: the burger opens the menu and a visible « Se déconnecter » button is in it."""
    logout = page.locator("button:has-text('Se déconnecter'):visible")
    if logout.count():
        return True
    burger = page.locator("button.fr-btn--menu:visible")
    if not burger.count():
        return False
    burger.first.click()
    try:
        page.locator("#menu-principal button:has-text('Se déconnecter'):visible, "
                     "#menu-principal a:has-text('Se déconnecter'):visible").first.wait_for(timeout=3000)
        ok = True
    except Exception:  # noqa: BLE001 — Playwright's timeout: the button never showed
        ok = False
    close = page.locator("#menu-principal button.fr-btn--close:visible")
    if close.count():
        close.first.click()
    return ok


def check_page(page, report: Report, where: str, response, csp: list[str]) -> None:
    status = response.status if response is not None else 0
    if status >= 500 or status == 0:
        report.fail(where, f"réponse {status}")
        return
    if not page.locator("header.fr-header").count():
        report.fail(where, "page sans l'en-tête du site")
    for label in page.evaluate(HIDDEN_LABELS):
        report.fail(where, f"bouton dont le libellé est caché « {label} »")
    text = page.evaluate("() => document.body.innerText")
    for found in sorted(set(forbidden_strings(text))):
        report.fail(where, found)
    for violation in csp:
        report.fail(where, f"violation CSP : {violation[:160]}")
    csp.clear()


def log_in(page, base: str, login: str, password: str) -> None:
    """Log in; a session left open by an earlier run is closed the way a person would close it."""
    page.goto(f"{base}/compte/connexion/")
    page.fill("#id_username", login)
    page.fill("#id_password", password)
    page.click("button[type=submit]:has-text('Se connecter')")
    page.wait_for_load_state()
    close_other = page.locator("button:has-text(\"Fermer l'autre session et me connecter\")")
    if close_other.count():
        close_other.click()
    page.wait_for_url(f"{base}/")


def walk_login(browser, base: str, role: str, login: str, password: str, report: Report,
               shots: Path = SCREENSHOTS) -> None:
    """Log ``login`` in once (one browser context, its session reused) and walk its menu at every width."""
    context = browser.new_context(locale="fr-FR", viewport={"width": WIDTHS[0], "height": HEIGHT[WIDTHS[0]]})
    context.set_default_timeout(15_000)
    page = context.new_page()
    csp: list[str] = []
    watch_csp(page, csp)
    try:
        log_in(page, base, login, password)
        links = menu_links(page)
        if not links:
            report.fail(role, "aucun lien de menu")
        folder = shots / slug(role)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": HEIGHT[width]})
            (folder / str(width)).mkdir(parents=True, exist_ok=True)
            for _label, path in links:
                where = f"{role} {width}px {path}"
                response = page.goto(base + path)
                page.wait_for_load_state("load")
                report.visited += 1
                check_page(page, report, where, response, csp)
                # caret="initial": hiding the caret injects a style element, which the CSP rightly reports.
                page.screenshot(
                    path=str(folder / str(width) / f"{slug(path)}.png"), full_page=True, caret="initial"
                )
                if width == 390 and path == links[0][1] and not logout_reachable(page):
                    report.fail(where, "aucune déconnexion atteignable")
            if width == 390:
                page.goto(base + "/")
                if not logout_reachable(page):
                    report.fail(f"{role} {width}px /", "aucune déconnexion atteignable")
        page.set_viewport_size({"width": WIDTHS[0], "height": HEIGHT[WIDTHS[0]]})
        page.goto(base + "/")
        page.click("button:has-text('Se déconnecter')")
    finally:
        context.close()


if __name__ == "__main__":  # pragma: no cover — by hand against a running demo
    import sys

    from playwright.sync_api import sync_playwright

    base_url, password, *pairs = sys.argv[1:]
    if not pairs:  # every demo login of the database HABPPS_VAR_DIR names
        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "habpps.settings")
        django.setup()
        from habpps.conventions.demo_network import demo_logins

        pairs = [f"{login.role}={login.login}" for login in demo_logins()]
    result = Report()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        for pair in pairs:
            name, _, account_login = pair.partition("=")
            walk_login(chromium, base_url.rstrip("/"), name, account_login, password, result)
        chromium.close()
    print(f"{result.visited} pages")
    print("\n".join(result.problems))
