"""Actions on accounts (ADM-5, ADM-6) and on the roles accounts hold themselves (administrative roles)."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from habpps.accounts.models import Account, AccountStatus, OrgLevel
from habpps.accounts.notifications import send_new_account_mails
from habpps.accounts.passwords import generate_temporary_password
from habpps.authorization import perimeters
from habpps.authorization import permissions as perms
from habpps.authorization.access_windows import Window, check_window, store_window
from habpps.authorization.approvals import request_approval
from habpps.authorization.decisions import AccessRefused, authorize, is_allowed
from habpps.authorization.model_permissions import MANAGE_MODEL
from habpps.authorization.model_services import engine_checked
from habpps.authorization.models import AccountLimit, PendingApproval
from habpps.authorization.orgs import NATIONAL_UNIT, fund_unit, partner_unit
from habpps.authorization.policy_cache import policy_change
from habpps.directory.models import AccountRoleAssignment, Fund, Partner, ServiceRole
from habpps.directory.records import as_record, target_of
from habpps.directory.services.common import check_transition, journal_change
from habpps.engine import ApprovalRequired
from habpps.journal.services import record_event


def account_management_permission(org_level: str, organisation) -> tuple[str, str, str]:
    """The permission, and its unit, needed to manage the accounts of an organisation."""
    if org_level == OrgLevel.PARTNER:
        return (*perms.MANAGE_PARTNER_ACCOUNTS, partner_unit(organisation.pk))
    if org_level == OrgLevel.FUND:
        return (*perms.MANAGE_FUND_ACCOUNTS, fund_unit(organisation.pk))
    return (*perms.MANAGE_FUND_ACCOUNTS, NATIONAL_UNIT)


def _level_of(organisation) -> str:
    if isinstance(organisation, Partner):
        return OrgLevel.PARTNER
    if isinstance(organisation, Fund):
        return OrgLevel.FUND
    if organisation is None:
        return OrgLevel.NATIONAL
    raise TypeError("Un compte appartient à l'organisme national (None), à une caisse ou à un partenaire.")


def create_account(
    actor,
    organisation: Fund | Partner | None,
    *,
    first_name: str,
    last_name: str,
    email: str,
    roles: Iterable[ServiceRole] = (),
    password: str | None = None,
    password_hash: str | None = None,
) -> Account:
    """Create an account for ``organisation`` with a generated login (ADM-5).

    Without ``password`` a temporary one is generated and sent, with the login, in two separate e-mails once the
    transaction has committed (AUT-3); the actor never sees it. ``password`` (or an already hashed
    ``password_hash``) is for the demo data, imports and the command line: then no e-mail is sent.
    """
    level = _level_of(organisation)
    authorize(actor, *account_management_permission(level, organisation))
    if organisation is not None and not organisation.is_in_force:
        raise ValidationError(_("On ne crée pas de compte dans une organisation suspendue ou supprimée."))
    given = password is not None or password_hash is not None
    temporary_password = None if given else generate_temporary_password()
    roles = list(roles)
    with policy_change():
        perimeters.check_account_creation(actor, organisation, roles)
        account = Account.objects.create_account(
            first_name=first_name,
            last_name=last_name,
            email=email,
            org_level=level,
            fund=organisation if level == OrgLevel.FUND else None,
            partner=organisation if level == OrgLevel.PARTNER else None,
            password=password if given else temporary_password,
            password_hash=password_hash,
            created_by=actor,
        )
        if temporary_password is not None:
            account.must_change_password = True
            account.save(update_fields=["must_change_password"])
        journal_change("admin.account.create", actor, account, account.org_scope, before=None)
        for role in roles:
            _grant(actor, account, role)
        if temporary_password is not None:
            transaction.on_commit(lambda: send_new_account_mails(account, temporary_password))
    return account


def set_account_status(actor, account: Account, status: str) -> Account:
    """Suspend, reactivate or remove an account: it loses everything on its very next request (ADM-6)."""
    authorize(actor, *account_management_permission(account.org_level, account.organisation))
    if actor is not None and actor.pk == account.pk:
        raise ValidationError(_("On ne peut pas changer le statut de son propre compte."), code="self_status")
    with policy_change():
        account = Account.objects.select_for_update().get(pk=account.pk)
        perimeters.check_account(actor, account)
        if status == AccountStatus.ACTIVE and account.status != AccountStatus.ACTIVE:
            perimeters.check_account_reactivation(actor, account)
        before = as_record(account)
        check_transition(account.status, status)
        account.status = status
        account.status_changed_at = timezone.now()
        account.save(update_fields=["status", "status_changed_at"])
        verb = {
            AccountStatus.ACTIVE: "reactivate",
            AccountStatus.SUSPENDED: "suspend",
            AccountStatus.REMOVED: "remove",
        }
        journal_change(
            f"admin.account.{verb[AccountStatus(status)]}", actor, account, account.org_scope, before
        )
    return account


def grant_account_role(
    actor, account: Account, role: ServiceRole, window: Window | None = None
) -> AccountRoleAssignment | PendingApproval:
    """Give an administrative role to an account, in its own organisation's unit, within ``window`` when one is
    given (time-bound access, ENG-5).

    When the engine holds the change for a ``require_approval`` exclusion (ENG-7), nothing is granted: the
    change waits in the « À approuver » queue and its `PendingApproval` is returned."""
    permission = account_management_permission(account.org_level, account.organisation)
    authorize(actor, *permission)
    window = window or Window()
    check_window(window)
    try:
        with policy_change(requester=actor):
            perimeters.check_account(actor, account)
            perimeters.check_account_role(actor, account, role)
            return _grant(actor, account, role, window)
    except ApprovalRequired as held:
        return request_approval(actor, held, action="assign_user", org=permission[2], org_scope=account.org_scope,
                                account=account, role=role, window=window)


def set_account_role_window(actor, assignment: AccountRoleAssignment, window: Window) -> AccountRoleAssignment:
    """Change when an account's role may be used (an empty window lifts every bound); journalled before/after."""
    account = assignment.account
    authorize(actor, *account_management_permission(account.org_level, account.organisation))
    check_window(window)
    with policy_change():
        perimeters.check_account(actor, account)
        perimeters.check_account_role(actor, account, assignment.role)
        assignment = AccountRoleAssignment.objects.select_for_update().get(pk=assignment.pk, ended_at__isnull=True)
        before = store_window(assignment, window)
        record_event(
            "admin.account.role.window",
            actor=actor,
            org_scope=account.org_scope,
            target=target_of(account),
            before={"role": assignment.role.code, "window": before.as_record()},
            after={"role": assignment.role.code, "window": window.as_record()},
        )
    return assignment


def revoke_account_role(actor, account: Account, role: ServiceRole) -> None:
    authorize(actor, *account_management_permission(account.org_level, account.organisation))
    with policy_change():
        perimeters.check_account(actor, account)
        perimeters.check_account_role(actor, account, role)
        ended = (
            AccountRoleAssignment.objects.current()
            .filter(account=account, role=role)
            .update(ended_at=timezone.now(), ended_by=actor)
        )
        if not ended:
            raise ValidationError(_("Ce compte n'a pas ce rôle."), code="account_role_missing")
        journal_change(
            "admin.account.role.revoke",
            actor,
            account,
            account.org_scope,
            before=None,
            data={"role": role.code},
        )


def _grant(actor, account: Account, role: ServiceRole, window: Window | None = None) -> AccountRoleAssignment:
    if role.account_level != account.org_level:
        raise ValidationError(
            {
                "role": _("Le rôle « %(role)s » ne s'attribue pas à un compte de ce niveau.")
                % {"role": role.name}
            },
            code="role_level",
        )
    if AccountRoleAssignment.objects.current().filter(account=account, role=role).exists():
        raise ValidationError({"role": _("Ce compte a déjà ce rôle.")}, code="account_role_exists")
    window = window or Window()
    assignment = AccountRoleAssignment.objects.create(
        account=account, role=role, started_by=actor, **window.columns()
    )
    journal_change(
        "admin.account.role.grant",
        actor,
        account,
        account.org_scope,
        before=None,
        data={"role": role.code, **({"window": window.as_record()} if window else {})},
    )
    return assignment


def may_limit_roles(actor, account: Account) -> bool:
    """Who may cap the roles of ``account`` (ENG-6): who administers the model, or who manages the account."""
    return is_allowed(actor, *MANAGE_MODEL, NATIONAL_UNIT) or is_allowed(
        actor, *account_management_permission(account.org_level, account.organisation))


KEEP = object()
"""`set_account_limit`: leave this limit as it is."""


def set_account_limit(actor, account: Account, max_roles: int | None | object = KEEP, *,
                      max_sessions: int | None | object = KEEP) -> AccountLimit:
    """At most ``max_roles`` roles and ``max_sessions`` sessions open at once for ``account`` (ENG-6; None: no
    role limit, and the platform's one-session rule (AUT-6) for sessions; `KEEP`: unchanged). The engine
    refuses a role cap below the roles the account already holds, with its explanation; a session cap below
    the sessions now open ends none of them — the next login is refused until fewer remain."""
    if actor is not None and not may_limit_roles(actor, account):
        raise AccessRefused(*account_management_permission(account.org_level, account.organisation))
    for field, value in (("max_roles", max_roles), ("max_sessions", max_sessions)):
        if value is not KEEP and value is not None and (not isinstance(value, int) or value < 1):
            raise ValidationError({field: _("Au moins 1, ou vide pour aucune limite.") if field == "max_roles"
                                   else _("Au moins 1, ou vide pour la règle de la plateforme.")}, code=field)

    def change() -> AccountLimit:
        with policy_change():
            limit, created = AccountLimit.objects.select_for_update().get_or_create(account=account)
            before = None if created else as_record(limit)
            if max_roles is not KEEP:
                limit.max_roles = max_roles
            if max_sessions is not KEEP:
                limit.max_sessions = max_sessions
            limit.changed_at = timezone.now()
            limit.save()
            journal_change("admin.model.account_limit.set", actor, limit, account.org_scope, before,
                           data={"account": account.login})
        return limit

    return engine_checked(change)
