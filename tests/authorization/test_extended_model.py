"""The extended model stored, replayed into the engine, and enforced: hierarchy, separation, exclusions and
their approvals and reports, role properties and cardinalities (ENG-2, 3, 6, 7)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from habpps.authorization import approvals, model_services
from habpps.authorization.models import ApprovalStatus, PendingApproval, ReportedViolation
from habpps.authorization.policy_build import build_rbac
from habpps.authorization.policy_cache import current_policy
from habpps.directory import services
from habpps.directory.models import AccountRoleAssignment
from habpps.journal.models import JournalEntry


def test_an_inheritance_edge_reaches_the_engine_and_a_cycle_is_refused_in_french(network):
    roles = network.roles
    senior, junior = roles["PartnerAdmin"], roles["PartnerDelegate"]
    model_services.add_inheritance(network.national_admin, senior, junior)
    assert "PartnerDelegate" in current_policy().rbac.role_juniors("PartnerAdmin")
    assert JournalEntry.objects.filter(kind="admin.model.inheritance.add").exists()
    with pytest.raises(ValidationError) as refused:
        model_services.add_inheritance(network.national_admin, junior, senior)
    assert "cycle" in str(refused.value)
    assert "« Responsable habilitations partenaire »" in str(refused.value)
    assert "PartnerDelegate" not in str(refused.value)


def second_national_admin(network):
    return services.create_account(None, None, first_name="Sam", last_name="Second", email="s@exemple.fr",
                                   roles=[network.roles["NationalAdmin"]], password="Motdepasse#2025")


def test_an_edge_that_would_break_a_require_approval_rule_is_held_then_approved(network):
    """Not refused: held like an assignment (ENG-7), and made when a second administrator approves."""
    from habpps.authorization.separation_models import RoleInheritance

    fund_admin, verifier = network.roles["FundAdmin"], network.roles["Verifier"]
    pending = model_services.add_inheritance(network.national_admin, fund_admin, verifier)
    assert isinstance(pending, PendingApproval) and pending.action == "add_inheritance"
    assert "Administrateur Caf et Vérificateur" in pending.exclusions
    assert not RoleInheritance.objects.filter(senior=fund_admin, junior=verifier).exists()
    assert "Verifier" not in current_policy().rbac.role_juniors("FundAdmin")
    with pytest.raises(ValidationError, match="demandé ce changement"):
        approvals.approve(network.national_admin, pending)
    approvals.approve(second_national_admin(network), pending)
    assert RoleInheritance.objects.filter(senior=fund_admin, junior=verifier).exists()
    assert "Verifier" in current_policy().rbac.role_juniors("FundAdmin")
    assert current_policy().rbac.export() == build_rbac().export()
    assert JournalEntry.objects.filter(kind="admin.model.inheritance.add", data__approval=pending.pk).exists()


def test_a_scope_change_that_would_break_a_require_approval_rule_is_held(network):
    """``descends`` (ENG-3) widening a role into sub-units is held like an assignment, then made on approval."""
    from habpps.authorization.separation_models import RoleRule
    from habpps.directory.models import RolePermission

    fund_admin = network.roles["FundAdmin"]
    others = set(RolePermission.objects.exclude(role=fund_admin).values_list("operation", "obj"))
    own = sorted(set(fund_admin.permissions.values_list("operation", "obj")) - others)
    assert own, "a permission only the fund administrator holds"
    partner = f"partner:{network.partner_a.pk}"
    model_services.set_role_rule(network.national_admin, fund_admin, descends=False, max_users=None)
    model_services.create_exclusion(
        network.national_admin, name="Administrateur Caf chez le partenaire", risk="require_approval",
        cardinality=2,
        members=[{"role": fund_admin, "org": partner}, {"operation": own[0][0], "obj": own[0][1], "org": partner}],
    )
    pending = model_services.set_role_rule(network.national_admin, fund_admin, descends=True, max_users=None)
    assert isinstance(pending, PendingApproval) and pending.action == "set_role_descends"
    assert RoleRule.objects.get(role=fund_admin).descends is False
    assert current_policy().rbac._state.roles["FundAdmin"].descends is False
    approvals.approve(second_national_admin(network), pending)
    assert RoleRule.objects.get(role=fund_admin).descends is True
    assert current_policy().rbac._state.roles["FundAdmin"].descends is True
    assert current_policy().rbac.export() == build_rbac().export()


def test_a_held_grant_keeps_its_time_window_when_approved(network):
    """The window the requester gave (ENG-5) waits with the held grant and bounds it once approved."""
    from habpps.authorization.access_windows import Window

    window = Window(valid_until=date(2031, 1, 31), weekdays=(1, 2, 3, 4, 5))
    verifier = network.roles["Verifier"]
    pending = services.grant_account_role(network.national_admin, network.fund_admin_a, verifier, window)
    assert isinstance(pending, PendingApproval) and pending.access_window == window
    approvals.approve(second_national_admin(network), pending)
    granted = AccountRoleAssignment.objects.current().get(account=network.fund_admin_a, role=verifier)
    assert granted.access_window == window
    assert current_policy().rbac.export() == build_rbac().export()


def test_only_whom_the_engine_allows_edits_the_model(network):
    from habpps.authorization.decisions import AccessRefused

    with pytest.raises(AccessRefused):
        model_services.add_inheritance(network.fund_admin_a, network.roles["FundAdmin"], network.roles["Verifier"])


def test_fund_admin_and_verifier_together_wait_for_a_second_administrator(network):
    verifier = network.roles["Verifier"]
    fund_admin = network.fund_admin_a
    pending = services.grant_account_role(network.national_admin, fund_admin, verifier)
    assert isinstance(pending, PendingApproval)
    assert not AccountRoleAssignment.objects.current().filter(account=fund_admin, role=verifier).exists()
    assert "Verifier" not in current_policy().rbac.assigned_roles(fund_admin.login)
    assert "Administrateur Caf et Vérificateur" in pending.exclusions
    with pytest.raises(ValidationError, match="demandé ce changement"):
        approvals.approve(network.national_admin, pending)
    with pytest.raises(ValidationError, match="vous bénéficie"):
        approvals.approve(fund_admin, pending)
    second = services.create_account(None, None, first_name="Sam", last_name="Second", email="s@exemple.fr",
                                     roles=[network.roles["NationalAdmin"]], password="Motdepasse#2025")
    approvals.approve(second, pending)
    pending.refresh_from_db()
    assert pending.status == ApprovalStatus.APPROVED and pending.decided_by == second
    assert AccountRoleAssignment.objects.current().filter(account=fund_admin, role=verifier).exists()
    assert "Verifier" in current_policy().rbac.assigned_roles(fund_admin.login)
    assert current_policy().rbac.export() == build_rbac().export()
    assert JournalEntry.objects.filter(kind="admin.approval.approve").exists()


def test_a_held_change_expires(network, settings):
    pending = services.grant_account_role(network.national_admin, network.verifier_a, network.roles["FundAdmin"])
    PendingApproval.objects.filter(pk=pending.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    approvals.expire_overdue()
    pending.refresh_from_db()
    assert pending.status == ApprovalStatus.EXPIRED
    with pytest.raises(ValidationError, match="expirée"):
        approvals.approve(network.fund_admin_a, pending)


def test_a_report_rule_lets_the_change_through_and_persists_the_violation(network):
    model_services.create_exclusion(
        network.national_admin, name="Deux rôles signalés", risk="report", cardinality=2,
        members=[{"role": network.roles["PartnerAdmin"]}, {"role": network.roles["PartnerDelegate"]}],
    )
    account = network.partner_admin_a
    services.grant_account_role(network.fund_admin_a, account, network.roles["PartnerDelegate"])
    assert AccountRoleAssignment.objects.current().filter(account=account,
                                                          role=network.roles["PartnerDelegate"]).exists()
    violation = ReportedViolation.objects.get(subject=account.login)
    assert violation.exclusion == "Deux rôles signalés"
    approvals.acknowledge(network.national_admin, violation)
    violation.refresh_from_db()
    assert violation.acknowledged_by == network.national_admin


def test_a_block_rule_the_directory_already_breaks_is_refused_with_who_breaks_it(network):
    services.grant_account_role(network.fund_admin_a, network.partner_admin_a, network.roles["PartnerDelegate"])
    with pytest.raises(ValidationError) as refused:
        model_services.create_exclusion(
            network.national_admin, name="Bloquante", risk="block", cardinality=2,
            members=[{"role": network.roles["PartnerAdmin"]}, {"role": network.roles["PartnerDelegate"]}],
        )
    assert "déjà enfreinte" in str(refused.value)


def test_separation_sets_descends_and_cardinalities_reach_the_engine(network):
    roles = network.roles
    model_services.create_separation_set(
        network.national_admin, kind="dsd", name="Saisie ou vérification", cardinality=2,
        members=[(roles["FundAdmin"], ""), (roles["Verifier"], f"fund:{network.fund_a.pk}")],
    )
    model_services.set_role_rule(network.national_admin, roles["Verifier"], descends=False, max_users=5)
    services.set_account_limit(network.national_admin, network.partner_admin_a, 2)
    rbac = current_policy().rbac
    assert rbac.dsd_role_set_roles("Saisie ou vérification") == {"FundAdmin", ("Verifier", f"fund:{network.fund_a.pk}")}
    assert rbac._state.roles["Verifier"].descends is False and rbac._state.roles["Verifier"].max_users == 5
    assert rbac._state.users[network.partner_admin_a.login].max_roles == 2
    assert rbac.export() == build_rbac().export()
    with pytest.raises(ValidationError, match="plus que 1"):
        model_services.set_role_rule(network.national_admin, roles["Verifier"], descends=False, max_users=1)


def test_the_model_sections_round_trip_through_policy_documents(network):
    from habpps.authorization.models import Exclusion, RoleInheritance, RoleRule, SeparationSet
    from habpps.authorization.policy_sections import export_document, import_document

    roles = network.roles
    model_services.add_inheritance(network.national_admin, roles["PartnerAdmin"], roles["PartnerDelegate"])
    model_services.create_separation_set(
        network.national_admin, kind="ssd", name="Saisir ou vérifier", cardinality=2,
        members=[(roles["NationalAdmin"], ""), (roles["Verifier"], f"fund:{network.fund_a.pk}")],
    )
    model_services.set_role_rule(network.national_admin, roles["Verifier"], descends=False, max_users=None)
    first = export_document()
    assert first["inheritance"] == [{"ascendant": "PartnerAdmin", "descendant": "PartnerDelegate"}]
    assert [e["name"] for e in first["exclusions"]] == ["Administrateur Caf et Vérificateur"]
    assert first["ssd_sets"][0]["name"] == "Saisir ou vérifier"
    assert {"id": "Verifier", "descends": False} in first["roles"]

    changed = {**first, "inheritance": [], "exclusions": [
        {**first["exclusions"][0], "risk": "report"}], "ssd_sets": [], "dsd_sets": first["ssd_sets"]}
    import_document(changed, actor=network.national_admin)
    assert not RoleInheritance.objects.exists()
    assert Exclusion.objects.get().risk == "report"
    assert SeparationSet.objects.get().kind == "dsd"
    assert RoleRule.objects.get(role=roles["Verifier"]).descends is False
    second = export_document()
    assert second == {**changed, "exclusions": second["exclusions"]} and second["exclusions"][0]["risk"] == "report"
    import_document(second)
    assert export_document() == second
