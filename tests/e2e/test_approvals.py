"""The extended model in the browser (ENG-2, 3, 6, 7), every page audited with axe-core: a require-approval
grant (Administrateur Caf + Vérificateur in one fund) waits in « À approuver », is refused to its requester and
to its beneficiary, and is approved by a second administrator; the model's pages are photographed at three
widths for each role that sees them (``var/screenshots/``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from e2e.browser import PASSWORD, audit, log_in, new_page, visit

pytestmark = pytest.mark.e2e

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
WIDTHS = (1366, 768, 390)


def shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


def post_form(page, url: str) -> int:
    """POST like the page's form would (session cookie and CSRF token), for a button the page does not show."""
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    response = page.request.post(url, form={"csrfmiddlewaretoken": token}, headers={"Referer": url},
                                 max_redirects=0)
    return response.status


def test_a_require_approval_grant_is_decided_by_a_second_administrator(browser, site):
    from habpps.authorization.models import ApprovalStatus, PendingApproval
    from habpps.directory import services
    from habpps.directory.models import AccountRoleAssignment

    base, network = site
    verifier_role = network.roles["Verifier"]
    second = services.create_account(None, None, first_name="Simone", last_name="Seconde", email="s@exemple.fr",
                                     roles=[network.roles["NationalAdmin"]], password=PASSWORD)
    beneficiary = network.fund_admin_a

    requester = new_page(browser)
    log_in(requester, base, network.national_admin.login)
    visit(requester, f"{base}/annuaire/comptes/{beneficiary.pk}/")
    requester.select_option("#id_role-role", label=verifier_role.name)
    requester.click("button:has-text('Attribuer le rôle')")
    requester.wait_for_selector("text=en attente d'approbation par un second administrateur")
    audit(requester)
    pending = PendingApproval.objects.get()
    assert pending.status == ApprovalStatus.PENDING
    assert not AccountRoleAssignment.objects.current().filter(account=beneficiary, role=verifier_role).exists()

    # The requester sees it waiting, without a button: a second administrator must decide.
    visit(requester, f"{base}/habilitations/a-approuver/")
    assert requester.is_visible("text=Vous avez demandé ce changement")
    assert not requester.is_visible("button:has-text('Approuver')")
    shoot(requester, "a-approuver-demandeur")

    # The beneficiary may approve changes in its fund, but not this one: refused, even by a forged POST.
    beneficiary_page = new_page(browser)
    log_in(beneficiary_page, base, beneficiary.login)
    visit(beneficiary_page, f"{base}/habilitations/a-approuver/")
    assert beneficiary_page.is_visible("text=Ce changement vous bénéficie")
    assert not beneficiary_page.is_visible("button:has-text('Approuver')")
    shoot(beneficiary_page, "a-approuver-beneficiaire")
    post_form(beneficiary_page, f"{base}/habilitations/a-approuver/{pending.pk}/approuver/")
    visit(beneficiary_page, f"{base}/habilitations/a-approuver/")
    pending.refresh_from_db()
    assert pending.status == ApprovalStatus.PENDING
    assert not AccountRoleAssignment.objects.current().filter(account=beneficiary, role=verifier_role).exists()

    # The second national administrator approves: the role is granted, the decision recorded.
    approver = new_page(browser)
    log_in(approver, base, second.login)
    visit(approver, f"{base}/habilitations/a-approuver/")
    shoot(approver, "a-approuver-second-administrateur")
    approver.click("button:has-text('Approuver')")
    approver.wait_for_selector("text=Changement approuvé et appliqué.")
    audit(approver)
    pending.refresh_from_db()
    assert pending.status == ApprovalStatus.APPROVED and pending.decided_by_id == second.pk
    assert AccountRoleAssignment.objects.current().filter(account=beneficiary, role=verifier_role).exists()
    assert approver.is_visible("td:has-text('Approuvée')")


def test_the_model_pages_for_the_national_administrator(browser, site):
    from habpps.authorization import model_services

    base, network = site
    roles = network.roles
    model_services.add_inheritance(None, roles["PartnerAdmin"], roles["PartnerDelegate"])
    page = new_page(browser)
    log_in(page, base, network.national_admin.login)
    visit(page, f"{base}/")
    assert page.locator("[data-menu='model']").count() >= 1  # under « Paramétrage national »
    visit(page, base + page.locator("[data-menu='model']").first.get_attribute("href"))
    page.wait_for_selector("h1:has-text('Hiérarchie des rôles')")
    svg = page.request.get(f"{base}/habilitations/modele/hierarchie/administration.svg")
    assert svg.status == 200 and "Responsable habilitations partenaire" in svg.text()
    assert "style=" not in svg.text()

    # A cycle is refused with the engine's explanation, in names.
    page.select_option("#id_senior", label=f"{roles['PartnerDelegate'].name} — {roles['PartnerDelegate'].service.name}")
    page.select_option("#id_junior", label=f"{roles['PartnerAdmin'].name} — {roles['PartnerAdmin'].service.name}")
    page.click("button:has-text('Ajouter l’héritage')")
    page.wait_for_selector("text=créerait un cycle")
    assert page.is_visible("text=« Responsable habilitations partenaire » → « Administrateur partenaire »")
    visit(page, f"{base}/habilitations/modele/hierarchie/")
    shoot(page, "modele-hierarchie")

    visit(page, f"{base}/habilitations/modele/exclusions/")
    assert page.is_visible("text=Administrateur Caf et Vérificateur")
    page.fill("#id_name", "Deux rôles partenaires signalés")
    page.select_option("#id_risk", value="report")
    page.select_option("#id_role_1", label=f"{roles['PartnerAdmin'].name} — {roles['PartnerAdmin'].service.name}")
    page.fill("#id_permission_2", "consulter cdap.section.dossier")
    page.click("button:has-text('Créer l’exclusion')")
    page.wait_for_selector("text=Exclusion « Deux rôles partenaires signalés » créée.")
    audit(page)
    shoot(page, "modele-exclusions")

    visit(page, f"{base}/habilitations/modele/separation/")
    page.select_option("#id_kind", value="ssd")
    page.fill("#id_name", "National ou caisse")
    page.select_option("#id_role_1", label=f"{roles['NationalAdmin'].name} — {roles['NationalAdmin'].service.name}")
    page.select_option("#id_role_2", label=f"{roles['FundAdmin'].name} — {roles['FundAdmin'].service.name}")
    page.click("button:has-text('Créer l’ensemble')")
    page.wait_for_selector("text=Ensemble « National ou caisse » créé.")
    audit(page)
    shoot(page, "modele-separation")

    visit(page, f"{base}/habilitations/modele/roles/")
    page.click(f"a[href='/habilitations/modele/roles/{roles['Verifier'].pk}/']")
    page.fill("#id_max_users", "1")
    page.click("button:has-text('Enregistrer')")
    page.wait_for_selector("text=déjà affecté à 2 utilisateurs")
    audit(page)
    visit(page, f"{base}/habilitations/modele/roles/")
    shoot(page, "modele-roles")

    # A fund administrator sees neither the menu entry nor the pages.
    fund_page = new_page(browser)
    log_in(fund_page, base, network.fund_admin_a.login)
    assert fund_page.locator("[data-menu='model']").count() == 0
    response = fund_page.goto(f"{base}/habilitations/modele/hierarchie/")
    assert response.status == 404


def test_a_hierarchy_edge_that_breaks_a_require_approval_rule_waits_for_a_second_administrator(browser, site):
    """Making « Administrateur Caf » inherit « Vérificateur » would give every fund administrator both roles: the
    page holds the edge (not refused), and it exists once a second national administrator approves it."""
    from habpps.authorization.models import ApprovalStatus, PendingApproval
    from habpps.authorization.separation_models import RoleInheritance
    from habpps.directory import services

    base, network = site
    roles = network.roles
    second = services.create_account(None, None, first_name="Simone", last_name="Seconde", email="s@exemple.fr",
                                     roles=[roles["NationalAdmin"]], password=PASSWORD)
    page = new_page(browser)
    log_in(page, base, network.national_admin.login)
    visit(page, f"{base}/habilitations/modele/hierarchie/")
    page.select_option("#id_senior", label=f"{roles['FundAdmin'].name} — {roles['FundAdmin'].service.name}")
    page.select_option("#id_junior", label=f"{roles['Verifier'].name} — {roles['Verifier'].service.name}")
    page.click("button:has-text('Ajouter l’héritage')")
    page.wait_for_selector("text=en attente d'approbation par un second administrateur")
    audit(page)
    pending = PendingApproval.objects.get()
    assert pending.action == "add_inheritance" and pending.status == ApprovalStatus.PENDING
    assert not RoleInheritance.objects.filter(senior=roles["FundAdmin"], junior=roles["Verifier"]).exists()

    approver = new_page(browser)
    log_in(approver, base, second.login)
    visit(approver, f"{base}/habilitations/a-approuver/")
    assert approver.is_visible("text=Héritage entre deux rôles")
    approver.click("button:has-text('Approuver')")
    approver.wait_for_selector("text=Changement approuvé et appliqué.")
    pending.refresh_from_db()
    assert pending.status == ApprovalStatus.APPROVED
    assert RoleInheritance.objects.filter(senior=roles["FundAdmin"], junior=roles["Verifier"]).exists()
