"""Which sessions of an account are live, and ending them (AUT-6).

Django's session store knows sessions by key, not by account; the ``AccountSession`` rows add what the policy
needs: whose session it is, when it was last used, and how it ended. A session is *live* while not ended and
used within the policy's idle timeout. Ending one also deletes it from Django's store, so the browser holding
its cookie is anonymous on its very next request, whichever server process answers it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from importlib import import_module

from django.conf import settings
from django.dispatch import Signal

from habpps.accounts import clock
from habpps.accounts.models import Account, AccountSession, AuthenticationPolicy, SessionEndReason
from habpps.authorization.sessions import session_limit
from habpps.journal.services import record_event

session_ended = Signal()
"""Sent when a login session ends, whatever the reason (``account``, ``session_key``, ``reason``): the single
sign-on tells the services the person signed into (back-channel logout)."""


def idle_timeout(policy: AuthenticationPolicy) -> timedelta:
    return timedelta(minutes=policy.idle_timeout_minutes)


def live_sessions(account: Account, policy: AuthenticationPolicy, now: datetime):
    """The account's sessions that are neither ended nor idle for longer than the policy allows."""
    return AccountSession.objects.filter(
        account=account, ended_at__isnull=True, last_activity_at__gt=now - idle_timeout(policy)
    )


def is_idle(record: AccountSession, policy: AuthenticationPolicy, now: datetime) -> bool:
    return record.last_activity_at <= now - idle_timeout(policy)


def record_activity(record: AccountSession, now: datetime) -> bool:
    """Note that the session was used at ``now`` — written at most once per
    ``HABPPS_SESSION_ACTIVITY_SECONDS`` (30 s) rather than on every request, a write per page being a good part
    of a page's cost. The idle count may so start up to that long before the last request: a session ends at
    most 30 s earlier than its exact idle timeout, never later. Returns whether it wrote: the stored session
    and its cookie are saved then too, so their expiry follows the same recorded activity."""
    if now - record.last_activity_at >= timedelta(seconds=settings.HABPPS_SESSION_ACTIVITY_SECONDS):
        AccountSession.objects.filter(pk=record.pk).update(last_activity_at=now)
        record.last_activity_at = now
        return True
    return False


def register_session(account: Account, session_key: str, *, client_address: str = "") -> AccountSession:
    """Record the session a login just opened; any other session of the account ends (one live at a time) —
    unless the account has a maximum of sessions of its own (ENG-6): then only its idle ones end.

    A login refused while another session is live never gets here (``refuse_new`` mode, or the account's
    maximum, is decided before the login); what remains live at this point is ended as replaced, which keeps at
    most one session per account even when two logins race.
    """
    now = clock.now()
    several = session_limit(account.login) is not None
    for previous in AccountSession.objects.filter(account=account, ended_at__isnull=True).exclude(
        session_key=session_key
    ):
        live = _is_live(previous, now)
        if live and several:
            continue
        end_session(previous, SessionEndReason.REPLACED if live else SessionEndReason.IDLE)
    record, _ = AccountSession.objects.update_or_create(
        session_key=session_key,
        defaults={
            "account": account,
            "started_at": now,
            "last_activity_at": now,
            "client_address": client_address,
            "ended_at": None,
            "end_reason": "",
        },
    )
    return record


def _is_live(record: AccountSession, now: datetime) -> bool:
    from habpps.accounts.policy import current_policy

    return not is_idle(record, current_policy(), now)


def end_session(record: AccountSession, reason: str, *, delete_stored: bool = True, actor=None) -> None:
    """Mark ``record`` ended for ``reason``, journal it (with ``actor``, who ended it, if a person did), and drop
    it from Django's session store."""
    record.ended_at = clock.now()
    record.end_reason = reason
    record.save(update_fields=["ended_at", "end_reason"])
    if reason != SessionEndReason.LOGOUT:
        record_event(
            f"auth.session.{reason}",
            actor=actor,
            org_scope=record.account.org_scope,
            target=record.account.login,
            data={"client": record.client_address, "started_at": record.started_at},
        )
    if delete_stored:
        import_module(settings.SESSION_ENGINE).SessionStore(session_key=record.session_key).delete()
    session_ended.send(sender=AccountSession, account=record.account, session_key=record.session_key, reason=reason)


def end_all_sessions(account: Account, reason: str) -> None:
    for record in AccountSession.objects.filter(account=account, ended_at__isnull=True):
        end_session(record, reason)


def follow_new_session_key(old_key: str | None, new_key: str | None) -> None:
    """Keep the record when Django rotates the session key (after a password change)."""
    if old_key and new_key and old_key != new_key:
        AccountSession.objects.filter(session_key=old_key).update(session_key=new_key)
