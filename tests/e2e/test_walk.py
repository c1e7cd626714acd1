"""Every menu link of every demo login, at 1366, 768 and 390 px, as a person would see it (UI-1).

The live server holds the demo network with a few months of history (the very seeding of ``habpps demo``). For
each demo login, one browser context logs in once and walks its whole menu at the three widths: no 5xx, the site
header on every page, no English phrase or internal code on screen, no Content-Security-Policy violation in the
console, and a logout reachable through the burger menu at 390 px. Full-page screenshots of every page land in
``var/screenshots/<role>/<width>/`` for a person to look at.
"""

from __future__ import annotations

import importlib
import pkgutil

import pytest

from conftest import ensure_reference_data
from e2e.walk import Report, forbidden_strings, walk_login

pytestmark = pytest.mark.e2e

# Enough history for every dashboard to draw its curves, short enough to seed in seconds.
HISTORY_DAYS = 45


def reseed_all_reference_data() -> None:
    """Run every data migration's ``seed`` again, in app order: transactional tests flush every table, and the
    demo needs the whole catalogue, permissions and policies a fresh database has."""
    from django.apps import apps
    from django.conf import settings

    for app in settings.INSTALLED_APPS:
        if not app.startswith("habpps."):
            continue
        try:
            package = importlib.import_module(f"{app}.migrations")
        except ModuleNotFoundError:
            continue
        for module in sorted(info.name for info in pkgutil.iter_modules(package.__path__)):
            migration = importlib.import_module(f"{app}.migrations.{module}")
            if callable(getattr(migration, "seed", None)):
                migration.seed(apps, None)
    ensure_reference_data()


@pytest.fixture
def demo_site(transactional_db, live_server):
    from habpps.conventions.demo_network import DEMO_PASSWORD, demo_logins, seed_demo_network
    from habpps.supervision.demo_history import seed_demo_history

    reseed_all_reference_data()
    seed_demo_network(users_per_group=2)
    seed_demo_history(HISTORY_DAYS)
    return live_server.url, DEMO_PASSWORD, demo_logins()


def test_the_code_detector_knows_what_a_person_must_not_read():
    assert forbidden_strings("Accès par partner:26 et group:4 (PartnerAdmin)")
    assert forbidden_strings("auth.login.success — must_change_password = False")
    assert forbidden_strings("lancer « habpps supervision aggregate »")
    assert forbidden_strings("Exigence SUP-1") and forbidden_strings("Page not found")
    assert not forbidden_strings("Administrateur partenaire de la CPAM de Paris — 12 rue de Rivoli, 75001 Paris")


def test_every_menu_link_of_every_demo_login_at_three_widths(browser, demo_site):
    base, password, logins = demo_site
    assert len(logins) >= 8
    report = Report()
    for login in logins:
        walk_login(browser, base, login.role, login.login, password, report)
    assert report.visited >= 8 * 3 * 3
    assert not report.problems, f"{len(report.problems)} problème(s) :\n" + "\n".join(report.problems)
