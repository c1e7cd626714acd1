"""An amendment as the fund administrator lives it, in the browser (issue 17 §9, CNV-4): he starts it, is told
it changes nothing, withdraws a profile and reads who will lose it before anyone validates, withdraws it from
verification to correct it, submits it; the verifier reads the same figures and validates; the partner
administrator is mailed; an amendment that would withdraw everything points to « Résilier », a colleague is told
why he may not give it up (the engine's author rule), and its author gives it up. Every page is audited with axe-core and shot at 1366, 768 and 390 px into ``var/screenshots/``."""

from __future__ import annotations

from pathlib import Path

import pytest

from conventions.conftest import make_convention_world, validated_convention
from e2e.browser import audit, log_in, new_page, visit

pytestmark = pytest.mark.e2e

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
WIDTHS = (1366, 768, 390)
INSTRUCTOR, CONTROL = "cdap-instructeur-rsa-cpam", "cdap-cd-controle"


def shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SCREENSHOTS / f"avenant-{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


@pytest.fixture
def council_site(transactional_db, live_server):
    """A departmental council whose convention grants two profiles, each held by a group with members."""
    from habpps.conventions.delegation import services as delegation
    from habpps.directory.models import PartnerType

    world = make_convention_world()
    world.partner.partner_type = PartnerType.objects.get(code="conseil-departemental")
    world.partner.save(update_fields=["partner_type"])
    world.convention = validated_convention(world, max_users=None, profiles=(INSTRUCTOR, CONTROL))
    delegation.assign_profile(world.partner_admin, world.social, world.roles[INSTRUCTOR])
    delegation.assign_profile(world.partner_admin, world.reception, world.roles[CONTROL])
    delegation.add_member(world.partner_admin, world.social, world.users[0])
    delegation.add_member(world.partner_admin, world.social, world.users[1])
    delegation.add_member(world.partner_admin, world.reception, world.users[2])
    return live_server.url, world


def toggle_profile(page, world, code: str) -> None:
    """Tick or untick a profile of the CDAP bulletin (DSFR styles the box through its label) and save it."""
    role = world.roles[code]
    page.click(f"label[for='id_bulletin-{world.cdap.pk}-grant_{role.pk}']")
    form = page.locator("form", has=page.locator(f"#id_bulletin-{world.cdap.pk}-grant_{role.pk}"))
    form.locator("button[type=submit]").click()
    page.wait_for_selector("text=enregistré")


def test_the_fund_administrator_amends_a_convention_knowing_who_loses_what(browser, council_site):
    from django.core import mail

    from habpps.accounts.outbox import retry_due
    from habpps.conventions.workflow import VersionState

    base, world = council_site
    url = f"{base}/conventions/{world.convention.pk}/"
    admin = new_page(browser)
    log_in(admin, base, world.admin.login)
    visit(admin, url)
    admin.click("button:has-text('Saisir un avenant')")
    admin.wait_for_selector("text=Avenant créé")
    # A copy of the version in force: the page says it changes nothing, and submitting it is refused.
    admin.wait_for_selector("[data-impact='unchanged']")
    audit(admin)
    admin.click("button:has-text('Soumettre à vérification')")
    admin.wait_for_selector("text=ne change rien à la version en vigueur")

    # He withdraws the RSA instructor profile: before anyone validates, who will lose it, by name.
    toggle_profile(admin, world, INSTRUCTOR)
    assert admin.get_attribute("[data-impact-count]", "data-impact-count") == "2"
    loss = admin.locator("tr[data-loss='Instructeur RSA et CPAM']")
    assert loss.locator("[data-count]").inner_text() == "2"
    text = loss.inner_text()
    assert "Travailleurs sociaux" in text
    assert world.users[0].full_name in text and world.users[1].full_name in text
    assert world.users[2].full_name not in text  # Accueil keeps its profile
    audit(admin)
    shoot(admin, "fund-admin-draft")

    # Submitted, then taken back from the verifiers to correct it, then submitted again.
    admin.click("button:has-text('Soumettre à vérification')")
    admin.wait_for_selector("text=Version soumise à vérification.")
    admin.click("button:has-text('Retirer de la vérification')")
    admin.wait_for_selector("text=de nouveau en saisie")
    admin.click("button:has-text('Soumettre à vérification')")
    admin.wait_for_selector("text=Version soumise à vérification.")
    shoot(admin, "fund-admin-submitted")

    # The partner administrator sees it coming on his delegation page, and reads the detail.
    padmin = new_page(browser)
    log_in(padmin, base, world.partner_admin.login)
    visit(padmin, f"{base}/annuaire/delegation/")
    coming = padmin.locator("[data-coming-amendment]")
    assert "« Instructeur RSA et CPAM » (2)" in coming.inner_text()
    shoot(padmin, "partner-admin-coming")
    coming.locator("a").click()
    padmin.wait_for_selector("#effet")
    audit(padmin)

    # The verifier reads the same impact beside the validate button, and validates.
    verifier = new_page(browser)
    log_in(verifier, base, world.verifier.login)
    visit(verifier, url)
    assert verifier.get_attribute("[data-impact-count]", "data-impact-count") == "2"
    assert verifier.locator("button:has-text('Retirer de la vérification')").count() == 0
    assert "à 2 personnes" in verifier.locator("[data-validate-warning]").inner_text()
    shoot(verifier, "verifier")
    verifier.click("button:has-text('Valider la saisie')")
    verifier.wait_for_selector("text=validée : elle est en vigueur")
    audit(verifier)

    # The partner administrator is told, in French, with the portal's address.
    mail.outbox.clear()
    retry_due()
    [notice] = [m for m in mail.outbox if world.partner_admin.email in m.to and "avenant" in m.subject]
    assert "avenant" in notice.subject and world.users[0].full_name in notice.body
    assert "http" in notice.body and INSTRUCTOR not in notice.body

    # A second amendment withdrawing everything points to « Résilier la convention »; its author gives it up.
    visit(admin, url)
    admin.click("button:has-text('Saisir un avenant')")
    admin.wait_for_selector("text=Avenant créé")
    toggle_profile(admin, world, CONTROL)
    admin.wait_for_selector("[data-impact='ends-everything']")
    audit(admin)
    shoot(admin, "ends-everything")
    # Another administrator of the fund may not give it up: the page says why, in the engine's words and names.
    colleague = new_page(browser)
    log_in(colleague, base, world.admin_verifier.login)
    visit(colleague, url)
    refusal = colleague.locator("[data-refusal='author']").inner_text()
    assert refusal.startswith(f"Seul l'auteur de la version, {world.admin.full_name}, peut « abandonner l'avenant »")
    assert "règle de l'auteur des versions de convention" in refusal and world.admin.login not in refusal
    assert colleague.locator("summary:has-text('Abandonner l')").count() == 0
    audit(colleague)
    shoot(colleague, "colleague-refused")
    admin.click("[data-impact='ends-everything'] a:has-text('Résilier la convention')")
    assert admin.url.endswith("#resilier")
    admin.click("summary:has-text('Abandonner l')")  # a confirmation step first, without JavaScript
    shoot(admin, "cancel-confirm")
    admin.click("button:has-text(\"Confirmer l'abandon\")")
    admin.wait_for_selector("text=Avenant abandonné")
    audit(admin)
    versions = {v.number: v.state for v in world.convention.versions.all()}
    assert versions == {1: VersionState.SUPERSEDED, 2: VersionState.VALIDATED, 3: VersionState.CANCELLED}
