"""Browser tests: Playwright drives Debian's chromium (never a downloaded browser) against the live server, and
every page visited is audited with axe-core; a serious or critical violation fails the test (UI-1)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from e2e.browser import AXE_JS, CHROMIUM, new_page

# Playwright's sync API runs an event loop in the test thread; the fixtures' ORM calls there are still sync.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _missing_tool(reason: str) -> None:
    # scripts/test.sh installs both; only a bare `pytest` outside it may lack them.
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="package")
def browser():
    """One chromium for this package, closed when it ends: Playwright's sync API allows one driver per thread,
    and other packages' browser tests start their own."""
    if not Path(CHROMIUM).exists():
        _missing_tool(f"chromium absent ({CHROMIUM}) : lancez scripts/test.sh")
    if not Path(AXE_JS).exists():
        _missing_tool(f"axe-core absent ({AXE_JS}) : lancez scripts/test.sh")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-background-networking"]
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    page = new_page(browser)
    yield page
    page.context.close()


@pytest.fixture
def site(transactional_db, live_server, network):
    """The live server's URL and a small network committed for it."""
    return live_server.url, network
