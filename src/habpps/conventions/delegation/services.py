"""The partner's delegated administration (ADM-4): create accounts, build groups, give profiles and members —
each action made by the directory's own services, which ask the registered perimeters (the delegation's, then the
convention's: `habpps.conventions.refusals`) and through them the engine; no rule is decided here a second time.

Every action runs in one ``policy_change`` transaction: the policy-version bump serialises it with every other
administrative change, so the user-limit count it checks cannot be overtaken by a concurrent grant; a refusal is
raised with the engine's explanation and journalled in the journal of refusals once the change is rolled back.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from habpps.accounts.models import Account
from habpps.authorization import perimeters
from habpps.authorization.access_windows import Window
from habpps.authorization.admin_questions import (
    GRANTED,
    AdminAnswer,
    UnknownObject,
    from_refusal,
    known_account,
    permission_answer,
)
from habpps.authorization.decisions import AccessRefused
from habpps.authorization.orgs import partner_unit, scope_path
from habpps.authorization.policy_cache import policy_change
from habpps.conventions.delegation import authority as rules
from habpps.conventions.models import DelegatedPerimeter
from habpps.conventions.permissions import MANAGE_PARTNER_ACCOUNTS
from habpps.directory import services as directory
from habpps.directory.models import Group, GroupMembership, GroupRoleAssignment, Partner, ServiceRole
from habpps.journal.services import record_event

DELEGATE = "deleguer-perimetre"
"""The administrative question of giving a delegate his sub-perimeter, as journalled when refused."""


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
        perimeters.raise_refusal(rules.group_refusal(authority, group), "group", actor=actor,
                                 question=perimeters.group_question(perimeters.MANAGE_GROUP, group))
    with policy_change():
        account = directory.create_account(
            actor, partner, first_name=first_name, last_name=last_name, email=email
        )
        if group is not None:
            directory.add_group_member(actor, group, account)
    return account


# Each action below is the directory's own service: the registered perimeters (the delegation's, then the
# convention's — `habpps.conventions.refusals`) decide it inside the change, with the engine, and journal a refusal.


def create_group(actor, partner: Partner, *, name: str, description: str = "") -> Group:
    """Build a group — refused by the engine (``can_create_group``, asked by the directory's service) to a delegate,
    whose perimeter is the groups he was given."""
    require_authority(actor, partner)
    return directory.create_group(actor, partner, name=name, description=description)


def assign_profile(actor, group: Group, role: ServiceRole, window: Window | None = None) -> GroupRoleAssignment:
    """Give a profile to a group, inside the convention, its user limit and the actor's perimeter, within
    ``window`` when one is given (time-bound access, ENG-5)."""
    require_authority(actor, group.partner)
    return directory.assign_group_role(actor, group, role, window)


def set_profile_window(actor, assignment: GroupRoleAssignment, window: Window) -> GroupRoleAssignment:
    """Change when a group's profile may be used, for whoever may withdraw it."""
    require_authority(actor, assignment.group.partner)
    return directory.set_group_role_window(actor, assignment, window)


def withdraw_profile(actor, group: Group, role: ServiceRole) -> None:
    require_authority(actor, group.partner)
    directory.unassign_group_role(actor, group, role)


def add_member(actor, group: Group, account: Account) -> GroupMembership:
    """Put an account in a group; the group's profiles must stay within their user limits."""
    require_authority(actor, group.partner)
    return directory.add_group_member(actor, group, account)


def remove_member(actor, group: Group, account: Account) -> None:
    require_authority(actor, group.partner)
    directory.remove_group_member(actor, group, account)


def set_account_status(actor, account: Account, status: str) -> Account:
    """Suspend, reactivate or remove an account of the actor's perimeter (effective on its next request)."""
    require_authority(actor, account.partner)
    return directory.set_account_status(actor, account, status)


def delegate_perimeter(
    actor, delegate: Account, *, groups: list[Group], roles: list[ServiceRole]
) -> DelegatedPerimeter:
    """Give ``delegate`` a sub-perimeter (replacing the previous one), within the actor's own authority."""
    authority = require_authority(actor, delegate.partner)
    perimeters.raise_refusal(rules.delegation_refusal(authority, delegate, groups, roles), actor=actor,
                             question=perimeters.account_question(DELEGATE, delegate))
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


def delegation_answer(account, obj: str, org: str | None) -> AdminAnswer:
    """``deleguer-perimetre`` on ``<login>`` for ``POST /api/v1/decisions``: may ``account`` give this account of
    his partner a sub-perimeter at all? Asked as `delegate_perimeter` asks it — the engine's permission to manage
    the partner's accounts, then the engine's ``can_delegate`` (`authority.delegation_refusal`); the groups and
    profiles of a sub-perimeter are not part of the question."""
    delegate = known_account(obj)
    if delegate.partner_id is None or (org is not None and org != partner_unit(delegate.partner_id)):
        raise UnknownObject(f"le compte « {obj} » n'est pas un compte partenaire de « {org or '—'} »")
    unit = partner_unit(delegate.partner_id)
    refused = permission_answer(account, MANAGE_PARTNER_ACCOUNTS, unit)
    if refused is not None:
        return refused
    authority = rules.authority_of(account, delegate.partner)
    if authority is None:
        return AdminAnswer(False, "other_partner", _("Ce compte n'appartient pas à votre organisme."), "other_partner")
    refusal = rules.delegation_refusal(authority, delegate, [], [])
    return from_refusal(refusal) if refusal is not None else GRANTED


def _picture(perimeter: DelegatedPerimeter) -> dict:
    return {
        "delegate": perimeter.delegate.login,
        "groups": sorted(perimeter.groups.values_list("name", flat=True)),
        "roles": sorted(perimeter.roles.values_list("code", flat=True)),
    }
