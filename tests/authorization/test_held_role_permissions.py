"""A permission added to a profile that would break a ``require_approval`` exclusion (ENG-7) is held, not refused:
it waits as a `PendingApproval` in « À approuver » and is made when a second administrator approves it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from habpps.authorization import approvals, model_services
from habpps.authorization.decisions import is_allowed
from habpps.authorization.models import ApprovalStatus, PendingApproval
from habpps.authorization.policy_build import build_rbac
from habpps.authorization.policy_cache import current_policy
from habpps.directory import services
from habpps.journal.models import JournalEntry

EXPORT = ("exporter", "cdap.dossier")


def second_national_admin(network):
    return services.create_account(None, None, first_name="Sam", last_name="Second", email="s@exemple.fr",
                                   roles=[network.roles["NationalAdmin"]], password="Motdepasse#2025")


def consult_and_export_rule(network) -> tuple:
    """« Consulter et exporter un dossier » may be held together only with a second administrator's approval."""
    profile = network.roles["cdap-ass-cesf"]
    held = sorted(profile.permissions.values_list("operation", "obj"))
    model_services.create_exclusion(
        network.national_admin, name="Consulter et exporter", risk="require_approval", cardinality=2,
        members=[{"operation": held[0][0], "obj": held[0][1]}, {"operation": EXPORT[0], "obj": EXPORT[1]}],
    )
    return profile, held


def holds_export(account) -> bool:
    return is_allowed(account, *EXPORT)


def test_a_permission_that_breaks_a_require_approval_rule_is_held_then_approved(network):
    profile, held = consult_and_export_rule(network)
    wanted = [*held, EXPORT]
    pending = services.set_role_permissions(network.national_admin, profile, wanted)

    assert isinstance(pending, PendingApproval) and pending.action == "set_role_permissions"
    assert pending.status == ApprovalStatus.PENDING and pending.role == profile
    assert "Consulter et exporter" in pending.exclusions
    assert pending.arguments["permissions"] == sorted(map(list, wanted))
    assert EXPORT not in set(profile.permissions.values_list("operation", "obj"))
    assert not holds_export(network.user_a)
    assert {network.user_a.pk, network.user_b.pk} <= approvals.beneficiaries(pending)
    assert approvals.visible_approvals(network.national_admin).filter(pk=pending.pk).exists()
    assert JournalEntry.objects.filter(kind="admin.approval.request").exists()

    with pytest.raises(ValidationError, match="demandé ce changement"):
        approvals.approve(network.national_admin, pending)
    approvals.approve(second_national_admin(network), pending)

    pending.refresh_from_db()
    assert pending.status == ApprovalStatus.APPROVED
    assert set(profile.permissions.values_list("operation", "obj")) == set(wanted)
    assert holds_export(network.user_a)
    assert current_policy().rbac.export() == build_rbac().export()
    assert JournalEntry.objects.filter(kind="admin.role.permissions", data__approval=pending.pk).exists()


def test_a_held_permission_change_can_be_rejected_and_nothing_changes(network):
    profile, held = consult_and_export_rule(network)
    pending = services.set_role_permissions(network.national_admin, profile, [*held, EXPORT])
    approvals.reject(second_national_admin(network), pending, "Pas d'export sans convention.")
    pending.refresh_from_db()
    assert pending.status == ApprovalStatus.REJECTED
    assert set(profile.permissions.values_list("operation", "obj")) == set(held)


def test_a_permission_change_no_rule_holds_is_made_at_once(network):
    profile = network.roles["cdap-ass-cesf"]
    held = sorted(profile.permissions.values_list("operation", "obj"))
    result = services.set_role_permissions(network.national_admin, profile, [*held, EXPORT])
    assert result == profile
    assert holds_export(network.user_a)
    assert not PendingApproval.objects.exists()


def test_a_malformed_permission_is_refused_before_anything_is_held(network):
    profile, held = consult_and_export_rule(network)
    with pytest.raises(ValidationError):
        services.set_role_permissions(network.national_admin, profile, [*held, ("Exporter tout", "cdap.dossier")])
    assert not PendingApproval.objects.exists()
