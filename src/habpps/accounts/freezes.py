"""Freezing an account after consecutive failed logins, and the record supervision reads (AUT-2, SUP-3).

Counting is done with conditional UPDATEs rather than read-modify-write, so that concurrent failures from
several server processes neither lose a count nor freeze the account twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Count, F, QuerySet

from habpps.accounts.models import Account, AccountFreeze, AuthenticationPolicy


def is_frozen(account: Account, now: datetime) -> bool:
    return account.frozen_until is not None and account.frozen_until > now


def count_failure(
    account: Account, policy: AuthenticationPolicy, now: datetime, *, client_address: str = ""
) -> AccountFreeze | None:
    """Count one more consecutive failure; freeze the account when it reaches the policy's threshold.

    Returns the new freeze, or None when the account is not (newly) frozen.
    """
    Account.objects.filter(pk=account.pk).update(failed_login_count=F("failed_login_count") + 1)
    until = now + timedelta(minutes=policy.freeze_duration_minutes)
    frozen = Account.objects.filter(
        pk=account.pk, failed_login_count__gte=policy.freeze_failure_threshold
    ).update(failed_login_count=0, frozen_until=until)
    account.refresh_from_db(fields=["failed_login_count", "frozen_until"])
    if not frozen:
        return None
    return AccountFreeze.objects.create(
        account=account,
        frozen_at=now,
        frozen_until=until,
        failures=policy.freeze_failure_threshold,
        client_address=client_address,
    )


def clear_failures(account: Account) -> None:
    """A successful login (or a password reset) ends the run of consecutive failures and any freeze."""
    if account.failed_login_count or account.frozen_until is not None:
        Account.objects.filter(pk=account.pk).update(failed_login_count=0, frozen_until=None)
        account.failed_login_count, account.frozen_until = 0, None


def freeze_counts(since: datetime) -> QuerySet:
    """Accounts by number of freezes since ``since``, most first: the rows of SUP-3's dashboard."""
    return (
        AccountFreeze.objects.filter(frozen_at__gte=since)
        .values("account", "account__login")
        .annotate(freezes=Count("id"))
        .order_by("-freezes", "account__login")
    )
