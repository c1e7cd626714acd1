"""A permission added to a profile on its page that would break a ``require_approval`` exclusion (ENG-7) is held,
not refused: the national administrator is told it waits, the queue « À approuver » shows what the profile would
gain, the requester cannot decide it, and a second national administrator approves it — then the profile's holders
have it. Pages are audited with axe-core and photographed at three widths (``var/screenshots/``)."""

from __future__ import annotations

import pytest

from e2e.browser import PASSWORD, audit, log_in, new_page, visit
from e2e.test_approvals import shoot

pytestmark = pytest.mark.e2e

EXPORT = ("exporter", "cdap.dossier")


def test_a_held_permission_is_approved_by_a_second_administrator(browser, site):
    from habpps.authorization import model_services
    from habpps.authorization.decisions import is_allowed
    from habpps.authorization.models import ApprovalStatus, PendingApproval
    from habpps.directory import services

    base, network = site
    profile = network.roles["cdap-ass-cesf"]
    first = profile.permissions.order_by("obj", "operation").first()
    model_services.create_exclusion(
        network.national_admin, name="Consulter et exporter", risk="require_approval", cardinality=2,
        members=[{"operation": first.operation, "obj": first.obj}, {"operation": EXPORT[0], "obj": EXPORT[1]}],
    )
    second = services.create_account(None, None, first_name="Simone", last_name="Seconde", email="s@exemple.fr",
                                     roles=[network.roles["NationalAdmin"]], password=PASSWORD)

    requester = new_page(browser)
    log_in(requester, base, network.national_admin.login)
    visit(requester, f"{base}/annuaire/profils/{profile.pk}/")
    text = requester.input_value("#id_permissions")
    requester.fill("#id_permissions", f"{text}\n{EXPORT[0]} {EXPORT[1]}")
    requester.click("button[type=submit]:has-text('Enregistrer')")
    requester.wait_for_selector("text=en attente d'approbation par un second administrateur")
    audit(requester)
    shoot(requester, "profil-permission-en-attente")
    pending = PendingApproval.objects.get()
    assert pending.action == "set_role_permissions" and pending.status == ApprovalStatus.PENDING
    assert not profile.permissions.filter(operation=EXPORT[0], obj=EXPORT[1]).exists()
    assert not is_allowed(network.user_a, *EXPORT)

    visit(requester, f"{base}/habilitations/a-approuver/")
    assert requester.is_visible("text=Permissions d'un profil")
    assert requester.is_visible("text=Permission ajoutée")
    assert requester.is_visible("text=Vous avez demandé ce changement")
    assert not requester.is_visible("button:has-text('Approuver')")

    approver = new_page(browser)
    log_in(approver, base, second.login)
    visit(approver, f"{base}/habilitations/a-approuver/")
    assert approver.is_visible("text=exporter cdap.dossier")
    shoot(approver, "a-approuver-permission-profil")
    approver.click("button:has-text('Approuver')")
    approver.wait_for_selector("text=Changement approuvé et appliqué.")
    audit(approver)
    pending.refresh_from_db()
    assert pending.status == ApprovalStatus.APPROVED and pending.decided_by_id == second.pk
    assert profile.permissions.filter(operation=EXPORT[0], obj=EXPORT[1]).exists()
    assert is_allowed(network.user_a, *EXPORT)
