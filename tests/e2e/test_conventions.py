"""The slides' whole convention process in the browser (CNV-1..6, ADM-4), every page audited with axe-core:
fund admin enters the partner and its convention → submits → a verifier of the same fund validates → the
partner admin builds a group, gives it the CDAP profile, creates and places users → a user reaches CDAP; then
the refusals, each with its explanation, and the loss of access at termination."""

from __future__ import annotations

import pytest

from conventions.conftest import make_convention_world
from e2e.browser import PASSWORD, audit, log_in, new_page, visit

pytestmark = pytest.mark.e2e


@pytest.fixture
def world_site(transactional_db, live_server):
    return live_server.url, make_convention_world()


def menu(page) -> list[str]:
    return page.eval_on_selector_all("[data-menu]", "links => links.map(l => l.dataset.menu)")


def test_the_slides_convention_process_end_to_end(browser, world_site):
    from habpps.accounts.models import Account
    from habpps.directory import services as directory
    from habpps.directory.models import Partner

    base, world = world_site
    admin = new_page(browser)
    log_in(admin, base, world.admin.login)
    assert "conventions" in menu(admin) and "verifications" not in menu(admin)

    # Steps 1–6 happen on paper; the fund admin first creates the partner from the signed convention.
    visit(admin, f"{base}/annuaire/partenaires/nouveau/")
    admin.fill("#id_name", "CCAS de Montreuil")
    admin.fill("#id_siret", "552 081 317 66522")
    admin.select_option("#id_partner_type", label="Centre communal d'action sociale (CCAS)")
    admin.fill("#id_street", "12 rue de Paris")
    admin.fill("#id_postal_code", "93100")
    admin.fill("#id_city", "Montreuil")
    admin.click("button:has-text('Enregistrer')")
    admin.wait_for_selector("h1:has-text('CCAS de Montreuil')")
    partner = Partner.objects.get(name="CCAS de Montreuil")
    partner_admin = directory.create_account(
        world.admin,
        partner,
        first_name="Paula",
        last_name="Montreuil",
        email="paula@exemple.fr",
        roles=[world.roles["PartnerAdmin"]],
        password=PASSWORD,
    )
    worker = directory.create_account(
        None,
        partner,
        first_name="Walid",
        last_name="Travailleur",
        email="walid@exemple.fr",
        password=PASSWORD,
    )

    # Step 7: the fund admin enters the convention and its CDAP bulletin, then submits it.
    visit(admin, f"{base}/conventions/")
    admin.click("text=Saisir une convention")
    audit(admin)
    admin.select_option("#id_partner", label="CCAS de Montreuil")
    admin.fill("#id_reference", "CAF751-2025-042")
    admin.fill("#id_service_contract", "CS-2025-042")
    admin.click("button:has-text('Enregistrer')")
    admin.wait_for_selector("h1:has-text('Convention CAF751-2025-042')")
    audit(admin)
    role = world.roles["cdap-ass-cesf"]
    admin.click(
        f"label[for='id_bulletin-{world.cdap.pk}-grant_{role.pk}']"
    )  # DSFR styles the box via its label
    admin.fill(f"[name='bulletin-{world.cdap.pk}-max_{role.pk}']", "2")
    admin.click("button:has-text('Enregistrer le bulletin')")
    admin.wait_for_selector("text=Bulletin d'adhésion")
    assert (
        admin.get_attribute("tr[data-profile='Assistant de service social – CESF']", "data-change") == "added"
    )
    admin.click("button:has-text('Soumettre à vérification')")
    admin.wait_for_selector("text=Version soumise à vérification.")
    audit(admin)

    # Steps 8–9: a verifier of the same fund compares and validates.
    verifier = new_page(browser)
    log_in(verifier, base, world.verifier.login)
    assert "verifications" in menu(verifier)
    visit(verifier, f"{base}/conventions/verifications/")
    verifier.click("text=CAF751-2025-042")
    audit(verifier)
    verifier.click("button:has-text('Valider la saisie')")
    verifier.wait_for_selector("text=validée : elle est en vigueur")
    audit(verifier)

    # Step 10 and the partner's role: groups, profile, accounts — within the convention.
    padmin = new_page(browser)
    log_in(padmin, base, partner_admin.login)
    assert "delegation" in menu(padmin)
    visit(padmin, f"{base}/annuaire/delegation/")
    padmin.fill("#id_groupe-name", "Travailleurs sociaux")
    padmin.click("button:has-text('Créer le groupe')")
    padmin.wait_for_selector("h1:has-text('Groupe « Travailleurs sociaux »')")
    audit(padmin)
    padmin.select_option("#id_profil-role", label="Assistant de service social – CESF")
    padmin.click("button:has-text('Attribuer le profil')")
    padmin.wait_for_selector("text=Profil attribué au groupe.")
    padmin.select_option("#id_membre-account", label=str(worker))
    padmin.click("button:has-text('Ajouter au groupe')")
    padmin.wait_for_selector("text=Membre ajouté au groupe.")
    audit(padmin)
    visit(padmin, f"{base}/annuaire/delegation/")
    padmin.fill("#id_compte-first_name", "Inès")
    padmin.fill("#id_compte-last_name", "Nouvelle")
    padmin.fill("#id_compte-email", "ines.nouvelle@exemple.fr")
    padmin.select_option("#id_compte-group", label="Travailleurs sociaux")
    padmin.click("button:has-text('Créer le compte')")
    padmin.wait_for_selector("text=deux courriels séparés")
    audit(padmin)
    assert Account.objects.filter(partner=partner, last_name="Nouvelle").exists()

    # The limit of 2 users: a third member is refused with the convention's explanation.
    third = directory.create_account(
        None, partner, first_name="Tom", last_name="Troisieme", email="tom@exemple.fr", password=PASSWORD
    )
    group = partner.groups.get()
    visit(padmin, f"{base}/annuaire/delegation/groupes/{group.pk}/")
    padmin.select_option("#id_membre-account", label=str(third))
    padmin.click("button:has-text('Ajouter au groupe')")
    padmin.wait_for_selector("text=limite le profil")
    audit(padmin)

    # A user of the group logs in and reaches CDAP.
    user = new_page(browser)
    log_in(user, base, worker.login)
    visit(user, f"{base}/cdap/")
    visit(user, f"{base}/annuaire/mes-habilitations/")
    # Habilitations are shown by label; the permission code stays in the technical detail.
    assert "Assistant de service social – CESF" in user.inner_text("main")
    assert "cdap.section.dossier" in user.content()

    # Termination (CNV-6): the access goes at once.
    visit(admin, f"{base}/conventions/")
    admin.click("text=CAF751-2025-042")
    admin.fill("#id_resiliation-reason", "Fin du partenariat.")
    admin.click("button:has-text('Résilier')")
    admin.wait_for_selector("text=Convention résiliée")
    audit(admin)
    response = user.goto(f"{base}/cdap/")
    assert response.status != 200
    visit(user, f"{base}/annuaire/mes-habilitations/")
    assert "cdap.section.dossier" not in user.inner_text("main")
    for page in (admin, verifier, padmin, user):
        page.context.close()


def test_refusals_are_explained_in_the_browser(browser, world_site):
    from habpps.conventions import services
    from habpps.conventions.delegation import services as delegation

    base, world = world_site
    # The author, who is also a verifier, is told why he may not validate his own entry.
    convention = services.create_convention(
        world.admin_verifier, world.partner, reference="CAF751-2025-077", service_contract="CS-77"
    )
    version = convention.versions.get()
    services.set_bulletin(world.admin_verifier, version, world.cdap, {world.roles["cdap-ass-cesf"]: None})
    services.submit(world.admin_verifier, version)
    author = new_page(browser)
    log_in(author, base, world.admin_verifier.login)
    visit(author, f"{base}/conventions/verifications/")
    assert "vous avez saisi la version 1" in author.inner_text("main")
    visit(author, f"{base}/conventions/{convention.pk}/")
    assert "Règle des quatre yeux" in author.inner_text("[data-four-eyes]")

    # A verifier of another fund does not even see the convention.
    other = new_page(browser)
    log_in(other, base, world.other_verifier.login)
    assert other.goto(f"{base}/conventions/{convention.pk}/").status == 404

    # A delegate acts only on his groups and profiles.
    services.validate_version(world.verifier, version)
    delegation.delegate_perimeter(
        world.partner_admin, world.delegate, groups=[world.social], roles=[world.roles["cdap-ass-cesf"]]
    )
    delegate = new_page(browser)
    log_in(delegate, base, world.delegate.login)
    visit(delegate, f"{base}/annuaire/delegation/")
    assert "Travailleurs sociaux" in delegate.inner_text("main") and "Accueil" not in delegate.inner_text(
        "main"
    )
    assert delegate.goto(f"{base}/annuaire/delegation/groupes/{world.reception.pk}/").status == 404
    visit(delegate, f"{base}/annuaire/delegation/groupes/{world.social.pk}/")
    delegate.select_option("#id_profil-role", label="Assistant de service social – CESF")
    delegate.click("button:has-text('Attribuer le profil')")
    delegate.wait_for_selector("text=Profil attribué au groupe.")
    audit(delegate)
    for page in (author, other, delegate):
        page.context.close()
