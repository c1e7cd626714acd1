"""A time-bound access that ends (ENG-5), in the browser: the partner administrator gives a profile to a group
with an end date on the group page; the member uses it; once the clock is past the end date the member is
refused CDAP with the engine's explanation, and « Qui détient quoi » shows the access as ended.

Screenshots of every page touched, at 1366, 768 and 390 px, go to ``var/screenshots/`` (not committed)."""

from __future__ import annotations

import os
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from e2e.browser import audit, log_in, new_page, visit
from habpps.authorization import clock

pytestmark = pytest.mark.e2e

WIDTHS = (1366, 768, 390)
SHOTS = Path(os.environ.get("HABPPS_VAR_DIR", "var")).parent / "screenshots"


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


def move_clock(monkeypatch, day: date) -> None:
    moment = timezone.make_aware(datetime.combine(day, time(10)))
    monkeypatch.setattr(clock, "now", lambda: moment)


def test_a_time_bound_access_ends_by_itself(browser, site, monkeypatch):
    base, net = site
    role = net.roles["cdap-ass-cesf"]
    end = date.today() + timedelta(days=20)

    admin = new_page(browser)
    admin.set_default_timeout(60_000)  # a loaded machine: the first pages compile templates
    log_in(admin, base, net.partner_admin_a.login)
    visit(admin, f"{base}/annuaire/delegation/groupes/{net.group_a.pk}/")
    # The profile is withdrawn, then given again with an end date, on the group page.
    admin.click(f"form:has(input[name=role][value='{role.pk}']) button:has-text('Retirer')")
    admin.wait_for_selector(".fr-alert--success, .fr-messages-group, [role=alert]")
    admin.select_option("#id_profil-role", str(role.pk))
    admin.fill("#id_profil-valid_until", end.isoformat())
    shoot(admin, "delegation-groupe-attribution")
    admin.click("button:has-text('Attribuer le profil')")
    admin.wait_for_url(f"{base}/annuaire/delegation/groupes/{net.group_a.pk}/")
    audit(admin)
    assert f"jusqu'au {end:%d/%m/%Y} inclus" in admin.inner_text("main")
    shoot(admin, "delegation-groupe")
    admin.click("a:has-text('Période')")
    audit(admin)
    assert admin.input_value("#id_periode-valid_until") == end.isoformat()
    shoot(admin, "periode-acces")
    visit(admin, f"{base}/annuaire/delegation/")
    assert f"jusqu'au {end:%d/%m/%Y} inclus" in admin.inner_text("main")
    shoot(admin, "qui-detient-quoi")

    member = new_page(browser)
    member.set_default_timeout(60_000)
    log_in(member, base, net.user_a.login)
    visit(member, f"{base}/cdap/")

    # The day after the end date: nothing was run, the engine refuses by itself and says why.
    move_clock(monkeypatch, end + timedelta(days=1))
    response = member.goto(f"{base}/cdap/")
    assert response.status == 403
    audit(member)
    text = member.inner_text("main")
    assert "Accès refusé" in text
    assert f"valable seulement jusqu'au {end:%d/%m/%Y}" in text
    assert "Votre accès au profil « Assistant de service social – CESF » par le groupe « Travailleurs sociaux »" in text
    assert "cdap-" not in text and "group:" not in text and "partner:" not in text  # names, never codes
    shoot(member, "acces-termine")

    visit(admin, f"{base}/annuaire/delegation/")
    assert "accès terminé" in admin.inner_text("main").lower()  # a DSFR badge is shown in capitals
    shoot(admin, "qui-detient-quoi-termine")


def test_the_national_pages_of_context_and_scoping(browser, site):
    """The national administrator's pages of contextual constraints and of a profile's scoping, audited."""
    base, net = site
    page = new_page(browser)
    page.set_default_timeout(60_000)
    log_in(page, base, net.national_admin.login)
    visit(page, f"{base}/annuaire/contraintes/")
    page.fill("#id_attribut-name", "heure")
    page.select_option("#id_attribut-function", "current_time")
    page.click("button:has-text(\"Ajouter l'attribut\")")
    page.wait_for_selector("text=Enregistré.")
    page.fill("#id_contrainte-name", "heures ouvrées")
    page.select_option("#id_contrainte-attribute", "heure")
    page.select_option("#id_contrainte-operator", "between")
    page.fill("#id_contrainte-first", "07:00")
    page.fill("#id_contrainte-second", "20:00")
    page.click("button:has-text('Créer la contrainte')")
    page.wait_for_selector("text=Enregistré.")
    page.select_option("#id_lien-permission", "consulter cdap.section.creances")
    page.select_option("#id_lien-constraint", label="heures ouvrées")
    page.click("button:has-text('Conditionner la permission')")
    page.wait_for_selector("text=Enregistré.")
    audit(page)
    assert "« heure » entre 07:00 et 20:00" in page.inner_text("main")
    shoot(page, "contraintes-contextuelles")
    role = net.roles["cdap-ass-cesf"]
    visit(page, f"{base}/annuaire/profils/{role.pk}/portee/")
    page.fill("#id_limites-max_per_day", "40")
    page.click("button:has-text('Enregistrer les limites')")
    page.wait_for_selector("text=Enregistré.")
    audit(page)
    assert "40" in page.inner_text("main")
    shoot(page, "portee-profil")
