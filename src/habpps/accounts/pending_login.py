"""A login half done: the password was right, the second factor is still to come (AUT-8).

The account waits in the session — not signed in, so nothing is reachable — for at most the policy's idle
timeout. The session key is renewed on entry, as it is at login, against session fixation.
"""

from __future__ import annotations

from datetime import timedelta

from habpps.accounts import clock
from habpps.accounts.models import Account
from habpps.accounts.policy import current_policy

_ACCOUNT, _SINCE, _NEXT = "habpps.pending.account", "habpps.pending.since", "habpps.pending.next"


def begin(request, account: Account, next_url: str) -> None:
    request.session.cycle_key()
    request.session[_ACCOUNT] = account.pk
    request.session[_SINCE] = clock.now().timestamp()
    request.session[_NEXT] = next_url


def account(request) -> Account | None:
    """The account waiting for its second factor, if any and not stale, still active."""
    pk, since = request.session.get(_ACCOUNT), request.session.get(_SINCE)
    if pk is None or since is None:
        return None
    limit = timedelta(minutes=current_policy().idle_timeout_minutes).total_seconds()
    if clock.now().timestamp() - since > limit:
        abandon(request)
        return None
    found = Account.objects.select_related("fund", "partner__fund").filter(pk=pk).first()
    return found if found is not None and found.is_active else None


def abandon(request) -> None:
    for key in (_ACCOUNT, _SINCE, _NEXT):
        request.session.pop(key, None)


def finish(request) -> str:
    """Forget the pending state and return where the person wanted to go."""
    next_url = request.session.get(_NEXT) or "/"
    abandon(request)
    return next_url
