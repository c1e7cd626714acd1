"""Actions on the network: funds (ADM-1), partner organisations (ADM-2, ADM-3) and their groups (ADM-4, ENG-4)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from habpps.accounts.models import Account, AccountStatus
from habpps.authorization import perimeters
from habpps.authorization import permissions as perms
from habpps.authorization.access_windows import Window, check_window, store_window
from habpps.authorization.approvals import request_approval
from habpps.authorization.decisions import authorize
from habpps.authorization.orgs import NATIONAL_UNIT, fund_unit, partner_unit, scope_path
from habpps.authorization.policy_cache import policy_change
from habpps.directory.deployment import check_profile_open
from habpps.directory.models import (
    Fund,
    Group,
    GroupMembership,
    GroupRoleAssignment,
    Partner,
    ServiceRole,
    Status,
)
from habpps.directory.records import as_record, target_of
from habpps.directory.services.common import change_status, journal_change, save_validated
from habpps.engine import ApprovalRequired
from habpps.journal.services import record_event

FUND_FIELDS = ("code", "name", "department")
PARTNER_FIELDS = ("name", "siret", "partner_type", "person_kind", "street", "postal_code", "city")
GROUP_FIELDS = ("name", "description")


def partner_scope(partner: Partner) -> str:
    return scope_path(partner.fund_id, partner.pk)


def _assign(instance, fields: tuple[str, ...], values: dict) -> None:
    unknown = set(values) - set(fields)
    if unknown:
        raise TypeError(f"Champs non modifiables : {sorted(unknown)}")
    for name, value in values.items():
        setattr(instance, name, value)


# Funds ----------------------------------------------------------------------------------------------------------


def create_fund(actor, **fields) -> Fund:
    authorize(actor, *perms.MANAGE_FUNDS, NATIONAL_UNIT)
    fund = Fund()
    _assign(fund, FUND_FIELDS, fields)
    with policy_change():
        save_validated(fund)
        journal_change("admin.fund.create", actor, fund, scope_path(fund.pk), before=None)
    return fund


def update_fund(actor, fund: Fund, **fields) -> Fund:
    authorize(actor, *perms.MANAGE_FUNDS, NATIONAL_UNIT)
    with policy_change():
        fund = Fund.objects.select_for_update().get(pk=fund.pk)
        before = as_record(fund)
        _assign(fund, FUND_FIELDS, fields)
        save_validated(fund)
        journal_change("admin.fund.update", actor, fund, scope_path(fund.pk), before)
    return fund


def set_fund_status(actor, fund: Fund, status: str) -> Fund:
    """Suspend, reactivate or remove a fund: all its partners and accounts follow on the next decision."""
    authorize(actor, *perms.MANAGE_FUNDS, NATIONAL_UNIT)
    with policy_change():
        fund = Fund.objects.select_for_update().get(pk=fund.pk)
        before = as_record(fund)
        change_status(fund, status)
        journal_change(f"admin.fund.{_status_verb(status)}", actor, fund, scope_path(fund.pk), before)
    return fund


# Partners -------------------------------------------------------------------------------------------------------


def create_partner(actor, fund: Fund, **fields) -> Partner:
    authorize(actor, *perms.MANAGE_PARTNERS, fund_unit(fund.pk))
    partner = Partner(fund=fund, created_by=actor)
    _assign(partner, PARTNER_FIELDS, fields)
    with policy_change():
        save_validated(partner)
        journal_change("admin.partner.create", actor, partner, partner_scope(partner), before=None)
    return partner


def update_partner(actor, partner: Partner, **fields) -> Partner:
    authorize(actor, *perms.MANAGE_PARTNERS, partner_unit(partner.pk))
    with policy_change():
        partner = Partner.objects.select_for_update().get(pk=partner.pk)
        before = as_record(partner)
        _assign(partner, PARTNER_FIELDS, fields)
        save_validated(partner)
        journal_change("admin.partner.update", actor, partner, partner_scope(partner), before)
    return partner


def set_partner_status(actor, partner: Partner, status: str) -> Partner:
    authorize(actor, *perms.MANAGE_PARTNERS, partner_unit(partner.pk))
    with policy_change():
        partner = Partner.objects.select_for_update().get(pk=partner.pk)
        before = as_record(partner)
        change_status(partner, status)
        journal_change(
            f"admin.partner.{_status_verb(status)}", actor, partner, partner_scope(partner), before
        )
    return partner


# Groups ---------------------------------------------------------------------------------------------------------


def create_group(actor, partner: Partner, **fields) -> Group:
    authorize(actor, *perms.MANAGE_GROUPS, partner_unit(partner.pk))
    group = Group(partner=partner)
    _assign(group, GROUP_FIELDS, fields)
    with policy_change():
        perimeters.check_group_creation(actor, partner)
        save_validated(group)
        journal_change("admin.group.create", actor, group, partner_scope(partner), before=None)
    return group


def update_group(actor, group: Group, **fields) -> Group:
    authorize(actor, *perms.MANAGE_GROUPS, partner_unit(group.partner_id))
    with policy_change():
        group = Group.objects.select_for_update().get(pk=group.pk)
        perimeters.check_group(actor, group)
        before = as_record(group)
        _assign(group, GROUP_FIELDS, fields)
        save_validated(group)
        journal_change("admin.group.update", actor, group, partner_scope(group.partner), before)
    return group


def set_group_status(actor, group: Group, status: str) -> Group:
    authorize(actor, *perms.MANAGE_GROUPS, partner_unit(group.partner_id))
    with policy_change():
        group = Group.objects.select_for_update().get(pk=group.pk)
        perimeters.check_group(actor, group)
        if status == Status.ACTIVE and group.status != Status.ACTIVE:
            perimeters.check_reactivation(actor, group)
        before = as_record(group)
        change_status(group, status)
        journal_change(
            f"admin.group.{_status_verb(status)}", actor, group, partner_scope(group.partner), before
        )
    return group


def add_group_member(actor, group: Group, account: Account) -> GroupMembership:
    """Put a partner's account in one of its groups; it holds the group's profiles from the next decision."""
    authorize(actor, *perms.MANAGE_GROUPS, partner_unit(group.partner_id))
    perimeters.check_member_fact(actor, group, account)
    if account.status == AccountStatus.REMOVED or group.status == Status.REMOVED:
        raise ValidationError(_("Un compte ou un groupe supprimé ne change plus."), code="removed")
    try:
        with policy_change(requester=actor):
            if GroupMembership.objects.current().filter(group=group, account=account).exists():
                raise ValidationError(
                    {"account": _("Ce compte est déjà membre du groupe.")}, code="membership_exists"
                )
            # Inside the change: the version bump serialises it, so no concurrent change overtakes a user limit.
            perimeters.check_membership(actor, group, account)
            membership = GroupMembership.objects.create(group=group, account=account, started_by=actor)
            journal_change(
                "admin.group.member.add",
                actor,
                group,
                partner_scope(group.partner),
                before=None,
                data={"account": account.login},
            )
    except ApprovalRequired as held:  # a require_approval exclusion (ENG-7): it waits for a second admin
        return request_approval(actor, held, action="add_group_member", org=partner_unit(group.partner_id),
                                org_scope=partner_scope(group.partner), account=account, group=group)
    return membership


def remove_group_member(actor, group: Group, account: Account) -> None:
    authorize(actor, *perms.MANAGE_GROUPS, partner_unit(group.partner_id))
    with policy_change():
        perimeters.check_member_removal(actor, group, account)
        ended = (
            GroupMembership.objects.current()
            .filter(group=group, account=account)
            .update(ended_at=timezone.now(), ended_by=actor)
        )
        if not ended:
            raise ValidationError(_("Ce compte n'est pas membre du groupe."), code="membership_missing")
        journal_change(
            "admin.group.member.remove",
            actor,
            group,
            partner_scope(group.partner),
            before=None,
            data={"account": account.login},
        )


def check_group_may_receive(group: Group, role: ServiceRole, actor=None) -> None:
    """The perimeter a group's profiles must stay in: service profiles only, then every registered perimeter
    (``habpps.authorization.perimeters``) — the sub-perimeter delegated to ``actor`` (ADM-4), the partner's
    validated convention within the national doctrine and its per-profile user limits (CNV-1, CNV-2), both the
    engine's rules. Call it inside the change's ``policy_change`` so that a user-limit count cannot be overtaken."""
    perimeters.check_profile_fact(actor, group, role)
    perimeters.check_profile(actor, group, role)


def assign_group_role(
    actor, group: Group, role: ServiceRole, window: Window | None = None
) -> GroupRoleAssignment:
    """Give a profile to a group: its members hold it in their partner's unit (ENG-3, ENG-4), within ``window``
    when one is given (ENG-5: dates, daily hours, weekdays)."""
    authorize(actor, *perms.MANAGE_GROUPS, partner_unit(group.partner_id))
    window = window or Window()
    check_window(window)
    try:
        with policy_change(requester=actor):
            check_group_may_receive(group, role, actor)
            check_profile_open(role, group.partner.fund_id)
            if GroupRoleAssignment.objects.current().filter(group=group, role=role).exists():
                raise ValidationError({"role": _("Le groupe a déjà ce profil.")}, code="group_role_exists")
            assignment = GroupRoleAssignment.objects.create(
                group=group, role=role, started_by=actor, **window.columns()
            )
            journal_change(
                "admin.group.role.assign",
                actor,
                group,
                partner_scope(group.partner),
                before=None,
                data={"role": role.code, **({"window": window.as_record()} if window else {})},
            )
    except ApprovalRequired as held:  # a require_approval exclusion (ENG-7): it waits for a second admin
        return request_approval(actor, held, action="assign_group", org=partner_unit(group.partner_id),
                                org_scope=partner_scope(group.partner), role=role, group=group, window=window)
    return assignment


def set_group_role_window(actor, assignment: GroupRoleAssignment, window: Window) -> GroupRoleAssignment:
    """Change when a group's profile may be used (an empty window lifts every bound); journalled before/after."""
    group = assignment.group
    authorize(actor, *perms.MANAGE_GROUPS, partner_unit(group.partner_id))
    check_window(window)
    with policy_change():
        perimeters.check_profile_removal(actor, group, assignment.role)
        assignment = GroupRoleAssignment.objects.select_for_update().get(pk=assignment.pk, ended_at__isnull=True)
        before = store_window(assignment, window)
        record_event(
            "admin.group.role.window",
            actor=actor,
            org_scope=partner_scope(group.partner),
            target=target_of(group),
            before={"role": assignment.role.code, "window": before.as_record()},
            after={"role": assignment.role.code, "window": window.as_record()},
        )
    return assignment


def unassign_group_role(actor, group: Group, role: ServiceRole) -> None:
    authorize(actor, *perms.MANAGE_GROUPS, partner_unit(group.partner_id))
    with policy_change():
        perimeters.check_profile_removal(actor, group, role)
        ended = (
            GroupRoleAssignment.objects.current()
            .filter(group=group, role=role)
            .update(ended_at=timezone.now(), ended_by=actor)
        )
        if not ended:
            raise ValidationError(_("Le groupe n'a pas ce profil."), code="group_role_missing")
        journal_change(
            "admin.group.role.unassign",
            actor,
            group,
            partner_scope(group.partner),
            before=None,
            data={"role": role.code},
        )


def _status_verb(status: str) -> str:
    return {Status.ACTIVE: "reactivate", Status.SUSPENDED: "suspend", Status.REMOVED: "remove"}[
        Status(status)
    ]
