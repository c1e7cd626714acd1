"""When a whole account, or a whole profile, may be used at all (ENG-5 temporal): `AccountWindow`, `RoleWindow`.

A grant's own window (a profile given to a group, a role given to an account) bounds that grant; these bound
everything at once — a temporary agent's contract dates on their account, weekdays only for a profile, whoever
holds it. The engine decides who may set them, as for the rest of the account or the model: the account's
administrators (``account_management_permission``, within their perimeters: a partner's administrator or
delegate for the accounts of their perimeter, a fund's administrator for its agents) and, for a profile, who
administers the model (national by default). The window is checked by the engine's own rules before it is stored;
an empty window lifts every bound (the row is deleted). The policy change replays the row into the engine
(``set_user_temporal`` / ``set_role_temporal``) and the change is journalled before/after.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from habpps.accounts.models import Account
from habpps.authorization import perimeters
from habpps.authorization.access_windows import Window, check_window
from habpps.authorization.decisions import authorize
from habpps.authorization.model_permissions import MANAGE_MODEL
from habpps.authorization.model_services import engine_checked
from habpps.authorization.models import AccountWindow, RoleWindow
from habpps.authorization.orgs import NATIONAL_UNIT, scope_path
from habpps.authorization.policy_cache import policy_change
from habpps.directory.models import ServiceRole
from habpps.directory.records import target_of
from habpps.directory.services.accounts import account_management_permission
from habpps.journal.services import record_event


def account_window(account: Account) -> Window:
    """The bounds on everything ``account`` may do (an empty window: none)."""
    row = AccountWindow.objects.filter(account=account).first()
    return Window.of(row) if row else Window()


def role_window(role: ServiceRole) -> Window:
    """The bounds on every use of ``role`` (an empty window: none)."""
    row = RoleWindow.objects.filter(role=role).first()
    return Window.of(row) if row else Window()


def set_account_window(actor, account: Account, window: Window) -> Window:
    """Bound every access of ``account`` by ``window`` (empty: lift the bounds); returns the window it replaced."""
    authorize(actor, *account_management_permission(account.org_level, account.organisation))
    if actor is not None and actor.pk == account.pk:
        raise ValidationError(_("On ne peut pas limiter dans le temps son propre compte."), code="self_window")
    check_window(window)

    def change() -> Window:
        with policy_change():
            perimeters.check_account(actor, account)
            before = _store(AccountWindow, {"account": account}, window, actor)
            record_event("admin.account.window", actor=actor, org_scope=account.org_scope,
                         target=target_of(account), before={"window": before.as_record()},
                         after={"window": window.as_record()})
        return before

    return engine_checked(change)


def set_role_window(actor, role: ServiceRole, window: Window) -> Window:
    """Bound every use of ``role``, by anyone, by ``window`` (empty: lift the bounds); returns the former one."""
    authorize(actor, *MANAGE_MODEL, NATIONAL_UNIT)
    check_window(window)

    def change() -> Window:
        with policy_change():
            before = _store(RoleWindow, {"role": role}, window, actor)
            record_event("admin.role.window", actor=actor, org_scope=scope_path(), target=target_of(role),
                         before={"role": role.code, "window": before.as_record()},
                         after={"role": role.code, "window": window.as_record()})
        return before

    return engine_checked(change)


def _store(model, holder: dict, window: Window, actor) -> Window:
    """Create, change or delete the window row of ``holder``; the window it replaces."""
    row = model.objects.select_for_update().filter(**holder).first()
    before = Window.of(row) if row else Window()
    if not window:
        if row is not None:
            row.delete()
        return before
    row = row or model(**holder)
    for name, value in window.columns().items():
        setattr(row, name, value)
    if before != window:
        row.expiry_notice_sent_on = None
    row.changed_at, row.changed_by = timezone.now(), actor if getattr(actor, "pk", None) else None
    row.save()
    return before

