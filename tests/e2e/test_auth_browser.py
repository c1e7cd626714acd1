"""The authentication journey in a real browser (AUT-2, AUT-3, AUT-4, AUT-6): a fund administrator creates a
partner administrator, the two mails reach a real SMTP server, the first login forces a password change, then
logout, and five wrong passwords freeze the account — every page audited with axe-core."""

from __future__ import annotations

import importlib
import re

import pytest
from django.apps import apps

from accounts.smtp import smtp_server
from e2e.browser import audit, log_in, visit
from habpps.accounts.models import Account, AccountFreeze

pytestmark = pytest.mark.e2e

NEW_PASSWORD = "Personnel#Secret42"
REFUSAL = "Identifiant ou mot de passe incorrect."


def submit_login(page, base: str, login: str, password: str) -> None:
    visit(page, f"{base}/compte/connexion/")
    page.fill("#id_username", login)
    page.fill("#id_password", password)
    page.click("button[type=submit]:has-text('Se connecter')")
    page.wait_for_load_state()


def log_out(page) -> None:
    page.click("button:has-text('Se déconnecter')")
    page.wait_for_selector("text=Vous êtes déconnecté.")


def test_creation_mails_first_login_forced_change_logout_and_freeze(page, site, settings):
    base, net = site
    with smtp_server(settings) as inbox:
        log_in(page, base, net.fund_admin_a.login)
        visit(page, f"{base}/annuaire/partenaires/{net.partner_a.pk}/")
        page.fill("#id_first_name", "Pauline")
        page.fill("#id_last_name", "Nouvelle")
        page.fill("#id_email", "pauline.nouvelle@ccas-a.fr")
        page.get_by_label("Administrateur partenaire").check()
        page.click("button:has-text('Créer le compte')")
        page.wait_for_selector("text=dans deux messages séparés")
        audit(page)
        login_mail, password_mail = inbox.wait_for(2)
        log_out(page)

    login = re.search(r"identifiant de connexion : (\S+)", inbox.body(login_mail)).group(1)
    temporary = inbox.temporary_password(password_mail)
    assert temporary not in inbox.body(login_mail) and login not in inbox.body(password_mail)

    # First login: the forced change comes before anything else.
    submit_login(page, base, login, temporary)
    page.wait_for_url(f"{base}/compte/mot-de-passe/")
    audit(page)
    assert "Choisissez votre mot de passe personnel" in page.inner_text("main")
    visit(page, f"{base}/annuaire/mes-habilitations/", check=False)
    assert page.url == f"{base}/compte/mot-de-passe/"
    page.fill("#id_old_password", temporary)
    page.fill("#id_new_password1", login.upper())  # refused: contains the login
    page.fill("#id_new_password2", login.upper())
    page.click("button:has-text('Changer le mot de passe')")
    page.wait_for_selector("text=ne doit pas contenir votre identifiant")
    audit(page)
    page.fill("#id_old_password", temporary)
    page.fill("#id_new_password1", NEW_PASSWORD)
    page.fill("#id_new_password2", NEW_PASSWORD)
    page.click("button:has-text('Changer le mot de passe')")
    page.wait_for_url(f"{base}/")
    assert "Votre mot de passe a été changé." in page.inner_text("main")
    audit(page)
    log_out(page)
    audit(page)

    # Five wrong passwords, then even the right one is refused with the same message.
    for attempt in range(5):
        submit_login(page, base, login, f"Mauvais#{attempt}xyz")
        assert REFUSAL in page.inner_text("main")
    submit_login(page, base, login, NEW_PASSWORD)
    assert REFUSAL in page.inner_text("main")
    assert page.url.startswith(f"{base}/compte/connexion/")
    account = Account.objects.get(login=login)
    assert AccountFreeze.objects.filter(account=account).count() == 1


def test_forgotten_password_and_security_pages_pass_the_audit(page, site):
    base, net = site
    visit(page, f"{base}/compte/mot-de-passe-oublie/")
    page.fill("#id_username", "inconnu.0000")
    page.click("button:has-text('Recevoir un lien')")
    page.wait_for_selector("text=Si cet identifiant correspond à un compte actif")
    audit(page)
    log_in(page, base, net.user_a.login)
    visit(page, f"{base}/compte/securite/")
    visit(page, f"{base}/compte/double-authentification/")
    assert page.locator("[data-qr] svg").count() == 1
    log_out(page)
    # Transactional tests flush the tables: give the national admin's role its permission again.
    seed_policy = importlib.import_module("habpps.accounts.migrations.0004_seed_authentication_policy").seed
    seed_policy(apps, None)
    log_in(page, base, net.national_admin.login)
    visit(page, f"{base}/compte/politique/")
    assert page.locator("#id_idle_timeout_minutes").input_value() == "30"
