"""The partner's delegated administration (ADM-4): create accounts, build groups, give profiles and members —
each action decided against the actor's authority (``authority.py``) and made by the directory's own services.

Every action runs in one ``policy_change`` transaction: the policy-version bump serialises it with every other
administrative change, so the user-limit count it checks cannot be overtaken by a concurrent grant; then the
directory service makes, journals and engine-checks the change inside the same transaction.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from habpps.accounts.models import Account
from habpps.authorization.access_windows import Window
from habpps.authorization.decisions import AccessRefused
from habpps.authorization.orgs import scope_path
from habpps.authorization.policy_cache import policy_change
from habpps.conventions.delegation import authority as rules
from habpps.conventions.models import DelegatedPerimeter
from habpps.conventions.services.common import refuse
from habpps.directory import services as directory
from habpps.directory.models import Group, GroupMembership, GroupRoleAssignment, Partner, ServiceRole
from habpps.journal.services import record_event


def require_authority(actor, partner: Partner) -> rules.Authority:
    authority = rules.authority_of(actor, partner)
    if authority is None:
        raise AccessRefused("gerer", "comptes-partenaires", f"partner:{partner.pk}")
    return authority


def create_account(
    actor, partner: Partner, *, first_name: str, last_name: str, email: str, group: Group | None = None
) -> Account:
    """Create an account of the partner (two mails: login, then temporary password — AUT-3), optionally
    placed in a group of the actor's perimeter."""
    authority = require_authority(actor, partner)
    if group is not None:
        refusal = rules.group_refusal(authority, group)
        if refusal:
            refuse(refusal, "group")
    with policy_change():
        account = directory.create_account(
            actor, partner, first_name=first_name, last_name=last_name, email=email
        )
        if group is not None:
            refusal = rules.membership_add_refusal(authority, group, account)
            if refusal:
                refuse(refusal, "group")
            directory.add_group_member(actor, group, account)
    return account


def create_group(actor, partner: Partner, *, name: str, description: str = "") -> Group:
    """Build a group (partner administrator only: a delegate's perimeter is the groups he was given)."""
    authority = require_authority(actor, partner)
    if not authority.full:
        refuse(rules.Refusal("cannot_create_group", _("Seul l'administrateur partenaire crée des groupes.")))
    return directory.create_group(actor, partner, name=name, description=description)


def assign_profile(actor, group: Group, role: ServiceRole, window: Window | None = None) -> GroupRoleAssignment:
    """Give a profile to a group, inside the convention, its user limit and the actor's perimeter, within
    ``window`` when one is given (time-bound access, ENG-5)."""
    authority = require_authority(actor, group.partner)
    refusal = rules.assign_refusal(authority, group, role)
    if refusal:
        refuse(refusal, "role")
    with policy_change():
        refusal = rules.assign_refusal(authority, group, role)  # re-decided now that changes are serialised
        if refusal:
            refuse(refusal, "role")
        return directory.assign_group_role(actor, group, role, window)


def set_profile_window(actor, assignment: GroupRoleAssignment, window: Window) -> GroupRoleAssignment:
    """Change when a group's profile may be used, for whoever may withdraw it."""
    authority = require_authority(actor, assignment.group.partner)
    refusal = rules.revoke_refusal(authority, assignment.group, assignment.role)
    if refusal:
        refuse(refusal, "role")
    return directory.set_group_role_window(actor, assignment, window)


def withdraw_profile(actor, group: Group, role: ServiceRole) -> None:
    authority = require_authority(actor, group.partner)
    refusal = rules.revoke_refusal(authority, group, role)
    if refusal:
        refuse(refusal, "role")
    directory.unassign_group_role(actor, group, role)


def add_member(actor, group: Group, account: Account) -> GroupMembership:
    """Put an account in a group; the group's profiles must stay within their user limits."""
    authority = require_authority(actor, group.partner)
    refusal = rules.membership_add_refusal(authority, group, account)
    if refusal:
        refuse(refusal, "account")
    with policy_change():
        refusal = rules.membership_add_refusal(authority, group, account)
        if refusal:
            refuse(refusal, "account")
        return directory.add_group_member(actor, group, account)


def remove_member(actor, group: Group, account: Account) -> None:
    authority = require_authority(actor, group.partner)
    refusal = rules.group_refusal(authority, group) or rules.account_refusal(authority, account)
    if refusal:
        refuse(refusal, "account")
    directory.remove_group_member(actor, group, account)


def set_account_status(actor, account: Account, status: str) -> Account:
    """Suspend, reactivate or remove an account of the actor's perimeter (effective on its next request)."""
    authority = require_authority(actor, account.partner)
    refusal = rules.account_refusal(authority, account)
    if refusal:
        refuse(refusal)
    return directory.set_account_status(actor, account, status)


def delegate_perimeter(
    actor, delegate: Account, *, groups: list[Group], roles: list[ServiceRole]
) -> DelegatedPerimeter:
    """Give ``delegate`` a sub-perimeter (replacing the previous one), within the actor's own authority."""
    authority = require_authority(actor, delegate.partner)
    refusal = rules.delegation_refusal(authority, delegate, groups, roles)
    if refusal:
        refuse(refusal)
    if not rules.authority_of(delegate, delegate.partner):
        raise ValidationError(
            _(
                "Ce compte ne peut pas administrer d'utilisateurs : donnez-lui d'abord le rôle de responsable "
                "des habilitations."
            ),
            code="not_a_delegate",
        )
    with policy_change():
        previous = rules.current_perimeter(delegate)
        before = None
        if previous is not None:
            before = _picture(previous)
            previous.ended_at, previous.ended_by = timezone.now(), actor
            previous.save(update_fields=["ended_at", "ended_by"])
        perimeter = DelegatedPerimeter.objects.create(
            partner=delegate.partner, delegate=delegate, started_by=actor
        )
        perimeter.groups.set(groups)
        perimeter.roles.set(roles)
        record_event(
            "delegation.perimeter.set",
            actor=actor,
            org_scope=scope_path(delegate.partner.fund_id, delegate.partner_id),
            target=f"account:{delegate.login}",
            before=before,
            after=_picture(perimeter),
        )
    return perimeter


def _picture(perimeter: DelegatedPerimeter) -> dict:
    return {
        "delegate": perimeter.delegate.login,
        "groups": sorted(perimeter.groups.values_list("name", flat=True)),
        "roles": sorted(perimeter.roles.values_list("code", flat=True)),
    }
