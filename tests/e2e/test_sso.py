"""Single sign-on in the browser: the national administrator registers a service as a client and sees its
secret once; a partner's agent signs into the example service through Habpps and sees the claims it received;
a fund administrator holding no profile of the service is told so. Screenshots at three widths."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

import pytest

from e2e.browser import audit, log_in, visit
from habpps.sso.demo import ensure_example_client

pytestmark = pytest.mark.e2e
WIDTHS = (1366, 768, 390)
SHOTS = Path(os.environ.get("HABPPS_VAR_DIR", "var")) / "screenshots" / "sso"


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


def test_national_admin_registers_a_service_and_sees_the_secret_once(page, site):
    base, net = site
    log_in(page, base, net.national_admin.login)
    visit(page, f"{base}/annuaire/services/")
    page.click("text=Connexion unique des services (OpenID Connect)")
    audit(page)
    shoot(page, "clients")
    cdap = net.roles["cdap-ass-cesf"].service
    page.click(f"a[href='/sso/services/{cdap.pk}/client/']")
    page.fill("#id_redirect_uris", "pas une adresse")
    page.click("button:has-text('Enregistrer')")
    assert "n'est pas une adresse web valide" in page.inner_text("main")
    page.fill("#id_redirect_uris", "https://cdap.exemple.fr/oidc/retour")
    page.fill("#id_backchannel_logout_uri", "https://cdap.exemple.fr/oidc/deconnexion")
    page.click("button:has-text('Enregistrer')")
    page.wait_for_selector("#client-secret")
    audit(page)
    shoot(page, "credentials")
    secret = page.input_value("#client-secret")
    assert len(secret) > 40
    assert "ne sera plus jamais affiché" in page.inner_text("main")
    visit(page, f"{base}/sso/services/")
    assert secret not in page.content()
    page.click("text=Renouveler le secret")
    audit(page)
    shoot(page, "rotate")
    page.click("button:has-text('Renouveler le secret')")
    page.wait_for_selector("#client-secret")
    assert page.input_value("#client-secret") != secret


def test_agent_signs_into_the_example_service_and_sees_his_profiles(page, site):
    base, net = site
    address = urlparse(base)
    ensure_example_client(address.hostname, address.port)
    log_in(page, base, net.user_a.login)
    visit(page, f"{base}/sso/exemple/")
    page.click("text=Se connecter avec Habpps")
    page.wait_for_selector("text=Connecté")
    audit(page)
    shoot(page, "example")
    main = page.inner_text("main")
    assert net.user_a.login in page.input_value("#id-token-claims")
    assert "Assistant de service social" in main
    assert "CCAS A" in main


def test_fund_admin_without_a_profile_of_the_service_is_told_so(page, site):
    base, net = site
    address = urlparse(base)
    ensure_example_client(address.hostname, address.port)
    log_in(page, base, net.fund_admin_a.login)
    visit(page, f"{base}/sso/exemple/")
    page.click("text=Se connecter avec Habpps")
    page.wait_for_selector("h1:has-text('Accès au service refusé')")
    audit(page)
    assert "aucun profil" in page.inner_text("main")
