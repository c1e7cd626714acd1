"""An account's maximum of sessions open at once (ENG-6), in the browser: the partner's administrator opens the
member's account page, reads the platform's rule (one session at a time), and allows two; the member then holds
two sessions (two browsers) and a third login is refused with the engine's explanation in a person's words.
Pages audited, photographed at three widths (``var/screenshots/``)."""

from __future__ import annotations

import pytest

from e2e.browser import PASSWORD, audit, log_in, new_page, visit
from e2e.test_approvals import shoot

pytestmark = pytest.mark.e2e


def test_an_administrator_allows_two_sessions_and_the_third_login_is_refused(browser, site):
    from habpps.authorization.models import AccountLimit
    from habpps.journal.models import JournalEntry

    base, net = site
    member = net.user_a
    admin = new_page(browser)
    admin.set_default_timeout(60_000)
    log_in(admin, base, net.partner_admin_a.login)
    visit(admin, f"{base}/annuaire/comptes/{member.pk}/")
    assert "Sessions ouvertes en même temps : une seule (règle de la plateforme)." in admin.inner_text("main")
    admin.click("a:has-text('Changer cette limite')")
    admin.wait_for_selector("#id_max_sessions")
    audit(admin)
    shoot(admin, "compte-limite-sessions")
    admin.fill("#id_max_sessions", "2")
    admin.click("button:has-text('Enregistrer')")
    admin.wait_for_selector("text=Limite enregistrée.")
    audit(admin)
    assert "Sessions ouvertes en même temps : 2 au plus (limite propre à ce compte)." in admin.inner_text("main")
    shoot(admin, "compte-sessions-limitees")
    assert AccountLimit.objects.get(account=member).max_sessions == 2

    first, second, third = (new_page(browser) for _ in range(3))
    for page in (first, second, third):
        page.set_default_timeout(60_000)
    log_in(first, base, member.login)
    log_in(second, base, member.login)  # two sessions at once: allowed for this account
    visit(third, f"{base}/compte/connexion/")
    third.fill("#id_username", member.login)
    third.fill("#id_password", PASSWORD)
    third.click("button[type=submit]:has-text('Se connecter')")
    third.wait_for_selector("text=Vous avez déjà 2 sessions ouvertes")
    text = third.inner_text("main")
    assert "votre compte est limité à 2 sessions à la fois" in text
    assert "Déconnectez-vous de l'une d'elles" in text
    audit(third)
    shoot(third, "connexion-refusee-limite-sessions")
    assert JournalEntry.objects.filter(target=member.login, kind="auth.session.refused",
                                       data__rule="max_sessions").exists()

    # The administrator sees both sessions; one logged out, the third login goes through.
    visit(admin, f"{base}/annuaire/comptes/{member.pk}/")
    assert admin.locator("button:has-text('Fermer la session')").count() == 2
    first.click("button:has-text('Se déconnecter')")
    first.wait_for_selector("#id_username")
    log_in(third, base, member.login)
