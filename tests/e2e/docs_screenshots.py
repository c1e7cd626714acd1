"""The screenshots of ``docs/screens.md``: each main screen, as a demo login sees it, 1366 px wide.

Run by hand against a running ``habpps demo`` (its database named by ``HABPPS_VAR_DIR``)::

    PYTHONPATH=src:tests HABPPS_VAR_DIR=var python -m e2e.docs_screenshots http://127.0.0.1:8000

Each picture is the top of the page (1366 × 900 at most) reduced to a 128-colour palette, so that the committed
PNGs stay small (a few tens of kilobytes each).
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WIDTH, HEIGHT = 1366, 900

# (file name, demo role — as demo_logins names it —, path; "{...}" filled from the database)
SCREENS = [
    ("accueil-national", "Administrateur national", "/"),
    ("organismes-partenaires", "Administrateur Caf", "/annuaire/partenaires/"),
    ("conventions", "Administrateur Caf", "/conventions/"),
    ("pourquoi", "Administrateur partenaire", "/annuaire/comptes/{user}/"),
    ("supervision", "Administrateur Caf", "/supervision/"),
    ("supervision-habilitations", "Administrateur national", "/supervision/habilitations/"),
    ("supervision-rubriques", "Administrateur Caf", "/supervision/rubriques/"),
    ("journal", "Administrateur Caf", "/journal/"),
    ("cdap", "Utilisateur CDAP — Assistant de service social – CESF", "/cdap/"),
    ("mes-habilitations", "Utilisateur CDAP — Assistant de service social – CESF", "/annuaire/mes-habilitations/"),
]


def save_small(png: bytes, target: Path) -> None:
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    image = image.quantize(colors=128, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    image.save(target, optimize=True)


def main(base: str, password: str) -> None:
    import django
    from playwright.sync_api import sync_playwright

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "habpps.settings")
    django.setup()
    from e2e.walk import log_in
    from habpps.conventions.demo_network import demo_logins

    logins = {login.role: login for login in demo_logins()}
    from habpps.accounts.models import Account

    partner_admin = logins["Administrateur partenaire"]
    user = (
        Account.objects.filter(partner__name=partner_admin.organisation, role_assignments__isnull=True)
        .order_by("id")
        .first()
    )
    DOCS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        for role in dict.fromkeys(role for _name, role, _path in SCREENS):
            context = browser.new_context(locale="fr-FR", viewport={"width": WIDTH, "height": HEIGHT})
            page = context.new_page()
            log_in(page, base, logins[role].login, password)
            for name, wanted, path in SCREENS:
                if wanted != role:
                    continue
                page.goto(base + path.format(user=user.pk if user else 0))
                save_small(page.screenshot(caret="initial"), DOCS / f"{name}.png")
                print(name)
            page.click(".fr-header__tools-links button:has-text('Se déconnecter')")
            context.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/"), sys.argv[2] if len(sys.argv) > 2 else "Partenaire#2025")
