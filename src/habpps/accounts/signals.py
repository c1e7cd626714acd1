"""Journal every login, failed login and logout (AUD-1, AUT-7)."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from habpps.journal.services import record_event


def _client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "") if request is not None else ""


@receiver(user_logged_in, dispatch_uid="habpps.accounts.login")
def journal_login(sender, request, user, **kwargs) -> None:
    record_event(
        "auth.login.success",
        actor=user,
        org_scope=user.org_scope,
        target=user.login,
        data={"client": _client_address(request)},
    )


@receiver(user_login_failed, dispatch_uid="habpps.accounts.login_failed")
def journal_login_failure(sender, credentials, request=None, **kwargs) -> None:
    record_event(
        "auth.login.failure",
        target=str(credentials.get("username", ""))[:150],
        data={"client": _client_address(request)},
    )


@receiver(user_logged_out, dispatch_uid="habpps.accounts.logout")
def journal_logout(sender, request, user, **kwargs) -> None:
    if user is None:
        return
    record_event("auth.logout", actor=user, org_scope=user.org_scope, target=user.login)
