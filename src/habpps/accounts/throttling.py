"""Refusing a network address that fails too many logins, whatever the accounts it tries (AUT-2).

The per-account freeze stops guessing one account's password; password spraying tries one common password on
many accounts and never trips it. Counting failures per address in a window — the policy's figures — and
refusing the address once over the threshold closes that gap without telling anything about any account.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F

from habpps.accounts.models import AuthenticationPolicy, ClientAddressThrottle


def _window(policy: AuthenticationPolicy) -> timedelta:
    return timedelta(minutes=policy.address_window_minutes)


def address_is_throttled(address: str, policy: AuthenticationPolicy, now: datetime) -> bool:
    """Whether ``address`` already failed the policy's number of times in its current window."""
    if not address:
        return False
    return ClientAddressThrottle.objects.filter(
        address=address,
        window_started_at__gt=now - _window(policy),
        failures__gte=policy.address_failure_threshold,
    ).exists()


def count_address_failure(address: str, policy: AuthenticationPolicy, now: datetime) -> None:
    """Add a failure to ``address``'s current window, opening a new window when the last one is over."""
    if not address:
        return
    in_window = ClientAddressThrottle.objects.filter(
        address=address, window_started_at__gt=now - _window(policy)
    )
    if in_window.update(failures=F("failures") + 1):
        return
    try:
        with transaction.atomic():
            ClientAddressThrottle.objects.update_or_create(
                address=address, defaults={"window_started_at": now, "failures": 1}
            )
    except IntegrityError:  # another request opened the window first: count in it
        in_window.update(failures=F("failures") + 1)
