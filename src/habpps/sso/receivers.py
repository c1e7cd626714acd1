"""When to tell the services: a Habpps session ends, an account or organisation is suspended, a profile goes.

Every end of a login session goes through ``accounts.sessions.end_session`` (logout, idle timeout, replaced,
revoked, password reset), which sends ``session_ended``; a suspension or a change of habilitations is a write
to the directory, after which the live sign-ins are checked once the transaction commits, against the engine.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from oauth2_provider.signals import app_authorized

from habpps.accounts.models import Account
from habpps.accounts.sessions import session_ended
from habpps.directory.models import (
    AccountRoleAssignment,
    Fund,
    Group,
    GroupMembership,
    GroupRoleAssignment,
    Partner,
    ServiceRole,
)
from habpps.journal.services import record_event
from habpps.sso.backchannel import end_sign_ins
from habpps.sso.models import SignIn
from habpps.sso.signins import REASON_LABELS, sweep

WATCHED = (Account, AccountRoleAssignment, Fund, Group, GroupMembership, GroupRoleAssignment, Partner, ServiceRole)


@receiver(session_ended, dispatch_uid="habpps.sso.session_ended")
def sign_out_of_services(sender, account, session_key, reason, **kwargs) -> None:
    live = SignIn.objects.filter(account=account, ended_at__isnull=True).select_related("client__service")
    end_sign_ins(list(live), REASON_LABELS.get(reason, "session terminée"))


def _sweep_after_commit() -> None:
    with transaction.atomic():
        sweep()


def _schedule_sweep(**kwargs) -> None:
    """Check the live sign-ins once this transaction commits (once per transaction, and only if any)."""
    if not SignIn.objects.filter(ended_at__isnull=True).exists():
        return
    if connection.in_atomic_block and any(
        entry[1] is _sweep_after_commit for entry in connection.run_on_commit
    ):
        return
    transaction.on_commit(_sweep_after_commit)


for model in WATCHED:
    post_save.connect(_schedule_sweep, sender=model, dispatch_uid=f"habpps.sso.sweep.save.{model.__name__}")
    post_delete.connect(_schedule_sweep, sender=model, dispatch_uid=f"habpps.sso.sweep.delete.{model.__name__}")


@receiver(app_authorized, dispatch_uid="habpps.sso.token_issued")
def journal_token(sender, request, token, **kwargs) -> None:
    """Every access token issued (code exchange or refresh) is journalled with its service."""
    client = getattr(token.application, "habpps_client", None)
    user = token.user
    if client is None or user is None:
        return
    record_event(
        "sso.token.issue",
        actor=user,
        org_scope=user.org_scope,
        target=user.login,
        data={"service": client.service.name, "grant": request.POST.get("grant_type", "")},
    )
