"""« Fermer l'autre session et me connecter »: the way out of the one-session rule (AUT-6).

With the « refuse the new login » policy, a closed tab or a sleeping laptop leaves a live session and the next
login is refused. The rule stays (never two sessions at once), but whoever has just given the right password
may close the other session and sign in here. What this module keeps in the (anonymous) session is only that
proof — which account, since when — for at most a few minutes; nothing is reachable until the login completes.
Accounts with a second factor still pass it: the other session is closed only once the code is right.
"""

from __future__ import annotations

from datetime import timedelta

from habpps.accounts import clock
from habpps.accounts.models import Account

_ACCOUNT, _SINCE, _NEXT = "habpps.takeover.account", "habpps.takeover.since", "habpps.takeover.next"
CONFIRMED = "habpps.takeover.confirmed"
VALID_FOR = timedelta(minutes=5)


def offer(request, account: Account, next_url: str) -> None:
    """Remember that ``account``'s password was just given right while another session was live."""
    request.session[_ACCOUNT] = account.pk
    request.session[_SINCE] = clock.now().timestamp()
    request.session[_NEXT] = next_url


def offered_account(request) -> Account | None:
    pk, since = request.session.get(_ACCOUNT), request.session.get(_SINCE)
    if pk is None or since is None or clock.now().timestamp() - since > VALID_FOR.total_seconds():
        forget(request)
        return None
    found = Account.objects.select_related("fund", "partner__fund").filter(pk=pk).first()
    return found if found is not None and found.is_active else None


def next_url(request) -> str:
    return request.session.get(_NEXT) or "/"


def forget(request) -> None:
    for key in (_ACCOUNT, _SINCE, _NEXT):
        request.session.pop(key, None)
