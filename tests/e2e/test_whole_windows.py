"""Windows on a whole account and on a whole profile (ENG-5), in the browser: the partner administrator bounds a
member's account from « Qui détient quoi »; once the clock is past its end the member is refused CDAP. The national
administrator bounds a profile to weekdays on « Portée et limites des rôles »; on a Sunday its holders are
refused, and lifting the window gives the access back. Pages audited, photographed at three widths."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from e2e.browser import audit, log_in, new_page, visit
from e2e.test_approvals import shoot
from habpps.authorization import clock

pytestmark = pytest.mark.e2e


def move_clock(monkeypatch, day: date, hour: int = 10) -> None:
    moment = timezone.make_aware(datetime.combine(day, time(hour)))
    monkeypatch.setattr(clock, "now", lambda: moment)


def next_weekday(start: date, weekday: int) -> date:
    """The first day on or after ``start`` whose ISO weekday is ``weekday``."""
    return start + timedelta(days=(weekday - start.isoweekday()) % 7)


def test_an_account_window_set_by_the_partner_administrator_ends_the_access(browser, site, monkeypatch):
    base, net = site
    end = date.today() + timedelta(days=30)
    admin = new_page(browser)
    admin.set_default_timeout(60_000)
    log_in(admin, base, net.partner_admin_a.login)
    visit(admin, f"{base}/annuaire/delegation/")
    admin.click(f"a[href='/annuaire/comptes/{net.user_a.pk}/periode/']")
    admin.wait_for_selector("h1:has-text('Période d’accès du compte'), h1:has-text(\"Période d'accès du compte\")")
    audit(admin)
    # A clear French error for an end before the start; nothing stored.
    admin.fill("#id_periode-valid_from", (end + timedelta(days=1)).isoformat())
    admin.fill("#id_periode-valid_until", end.isoformat())
    admin.click("button:has-text(\"Enregistrer la période d'accès\")")
    admin.wait_for_selector("text=est postérieure à la date de fin")
    shoot(admin, "periode-compte-erreur")
    admin.fill("#id_periode-valid_from", "")
    admin.click("button:has-text(\"Enregistrer la période d'accès\")")
    admin.wait_for_selector("text=Période d'accès enregistrée.")
    audit(admin)
    # Back on the account's page, which shows the window beside the roles.
    assert f"jusqu'au {end:%d/%m/%Y} inclus" in admin.inner_text("main")
    assert admin.is_visible("a:has-text('Modifier ou lever la période')")
    shoot(admin, "compte-periode-acces")
    visit(admin, f"{base}/annuaire/delegation/")
    assert f"Compte : jusqu'au {end:%d/%m/%Y} inclus" in admin.inner_text("main")
    shoot(admin, "qui-detient-quoi-periode-compte")

    member = new_page(browser)
    member.set_default_timeout(60_000)
    log_in(member, base, net.user_a.login)
    assert member.goto(f"{base}/cdap/").status == 200
    move_clock(monkeypatch, end + timedelta(days=1))
    response = member.goto(f"{base}/cdap/")
    assert response.status == 403
    audit(member)
    assert "Accès refusé" in member.inner_text("main")
    shoot(member, "acces-compte-termine")


def test_a_role_window_set_by_the_national_administrator_and_lifted(browser, site, monkeypatch):
    from habpps.authorization.models import RoleWindow

    base, net = site
    role = net.roles["cdap-ass-cesf"]
    admin = new_page(browser)
    admin.set_default_timeout(60_000)
    log_in(admin, base, net.national_admin.login)
    visit(admin, f"{base}/habilitations/modele/roles/")
    admin.click(f"a[href='/annuaire/profils/{role.pk}/periode/']")
    for day in ("1", "2", "3", "4", "5"):
        admin.check(f"input[name='periode-weekdays'][value='{day}']")
    admin.click("button:has-text(\"Enregistrer la période d'accès\")")
    admin.wait_for_selector("text=Période d'accès enregistrée.")
    audit(admin)
    assert "du lundi au vendredi" in admin.inner_text("main")
    shoot(admin, "modele-roles-periode")
    assert RoleWindow.objects.get(role=role).weekdays == "12345"

    member = new_page(browser)
    member.set_default_timeout(60_000)
    log_in(member, base, net.user_b.login)
    sunday = next_weekday(date.today() + timedelta(days=1), 7)
    move_clock(monkeypatch, sunday)
    assert member.goto(f"{base}/cdap/").status == 403
    move_clock(monkeypatch, sunday + timedelta(days=1))  # Monday
    assert member.goto(f"{base}/cdap/").status == 200

    # Lifted: no bound left, Sunday included.
    visit(admin, f"{base}/annuaire/profils/{role.pk}/periode/")
    shoot(admin, "periode-profil")
    admin.click("button:has-text('Lever la période')")
    admin.wait_for_selector("text=Période levée")
    assert not RoleWindow.objects.filter(role=role).exists()
    move_clock(monkeypatch, sunday)
    assert member.goto(f"{base}/cdap/").status == 200
