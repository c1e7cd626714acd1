"""Journal every login, failed login and logout (AUD-1, AUT-7), and keep the register of live sessions (AUT-6).

Receivers rather than code in the login view: every way of logging in (the login page, the second-factor step,
``Client.force_login`` in tests) opens a registered session, and every logout closes it.
"""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from habpps.accounts.client import client_address
from habpps.accounts.models import AccountSession, SessionEndReason
from habpps.accounts.policy import current_policy
from habpps.accounts.sessions import end_session, register_session
from habpps.journal.services import record_event


@receiver(user_logged_in, dispatch_uid="habpps.accounts.login")
def journal_login(sender, request, user, **kwargs) -> None:
    address = client_address(request)
    if request is not None:
        if not request.session.session_key:
            # login() flushed the session of another account: give the new one its key now.
            request.session.save()
        register_session(user, request.session.session_key, client_address=address)
        # Django's own expiry follows the policy's idle timeout; the middleware enforces it to the second.
        request.session.set_expiry(current_policy().idle_timeout_minutes * 60)
    record_event(
        "auth.login.success",
        actor=user,
        org_scope=user.org_scope,
        target=user.login,
        data={"client": address},
    )


@receiver(user_login_failed, dispatch_uid="habpps.accounts.login_failed")
def journal_login_failure(sender, credentials, request=None, **kwargs) -> None:
    """Failures through ``django.contrib.auth.authenticate``; the login page journals its own with a reason."""
    record_event(
        "auth.login.failure",
        target=str(credentials.get("username", ""))[:150],
        data={"client": client_address(request)},
    )


@receiver(user_logged_out, dispatch_uid="habpps.accounts.logout")
def journal_logout(sender, request, user, **kwargs) -> None:
    if user is None:
        return
    if request is not None and request.session.session_key:
        record = AccountSession.objects.filter(
            session_key=request.session.session_key, ended_at__isnull=True
        ).first()
        if record is not None:
            # logout() flushes the stored session itself right after this signal.
            end_session(record, SessionEndReason.LOGOUT, delete_stored=False)
    record_event(
        "auth.logout",
        actor=user,
        org_scope=user.org_scope,
        target=user.login,
        data={"client": client_address(request)},
    )
