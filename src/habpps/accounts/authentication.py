"""Checking a login and password against the access policy (AUT-1, AUT-2, AUT-7).

An unknown login, a wrong password, a frozen account and a suspended one all get the same refusal, after the
same work: exactly one password verification of the configured hasher — against a dummy hash when there is no
real one to test — so that neither the answer nor its timing tells whether a login exists. A frozen account's
real hash is never tested, so guessing continues to teach nothing while it is frozen.
"""

from __future__ import annotations

import enum
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password

from habpps.accounts import clock
from habpps.accounts.freezes import clear_failures, count_failure, is_frozen
from habpps.accounts.models import Account, AccountFreeze
from habpps.accounts.notifications import send_freeze_notice
from habpps.accounts.policy import current_policy, password_expires_at
from habpps.accounts.throttling import address_is_throttled, count_address_failure
from habpps.journal.services import record_event

TARGET_MAX_LENGTH = 150


class CredentialOutcome(enum.Enum):
    """What a login and password amount to; only ``ACCEPTED`` lets the person in."""

    ACCEPTED = "accepted"
    REFUSED = "refused"  # unknown login, wrong password, frozen or inactive account: indistinguishable
    THROTTLED = "throttled"  # the client's address failed too often
    TEMPORARY_PASSWORD_EXPIRED = "temporary_password_expired"  # right password, but its 24 h are over


@dataclass(frozen=True)
class CredentialCheck:
    outcome: CredentialOutcome
    account: Account | None = None
    password_expired: bool = False

    @property
    def accepted(self) -> bool:
        return self.outcome is CredentialOutcome.ACCEPTED


_dummy_hashes: dict[tuple[str, ...], str] = {}


def _verify_against_dummy(password: str) -> None:
    """Spend the time a real verification takes, with the hasher (and parameters) currently configured."""
    hashers = tuple(settings.PASSWORD_HASHERS)
    if hashers not in _dummy_hashes:
        _dummy_hashes[hashers] = make_password(secrets.token_urlsafe(24))
    check_password(password, _dummy_hashes[hashers])


def check_credentials(login: str, password: str, *, client_address: str = "") -> CredentialCheck:
    """Decide a login attempt and journal it: failures count towards the freeze and the address throttle."""
    policy, now = current_policy(), clock.now()
    if address_is_throttled(client_address, policy, now):
        record_event(
            "auth.login.throttled", target=login[:TARGET_MAX_LENGTH], data={"client": client_address}
        )
        return CredentialCheck(CredentialOutcome.THROTTLED)

    account = Account.objects.select_related("fund", "partner__fund").filter(login=login).first()
    if account is None or not account.has_usable_password():
        _verify_against_dummy(password)
        return _refuse(login, account, "unknown" if account is None else "no_password", client_address)
    if is_frozen(account, now):
        _verify_against_dummy(password)
        return _refuse(login, account, "frozen", client_address)
    if not account.check_password(password):
        freeze = count_failure(account, policy, now, client_address=client_address)
        refusal = _refuse(login, account, "password", client_address)
        if freeze is not None:
            _journal_freeze(account, freeze)
        return refusal
    if not account.is_active:
        return _refuse(login, account, "inactive", client_address)

    clear_failures(account)
    expires_at = password_expires_at(account, policy)
    expired = expires_at is not None and expires_at <= now
    if expired and account.must_change_password:
        record_event(
            "auth.login.failure",
            org_scope=account.org_scope,
            target=account.login,
            data={"client": client_address, "reason": "temporary_password_expired"},
        )
        return CredentialCheck(CredentialOutcome.TEMPORARY_PASSWORD_EXPIRED, account)
    return CredentialCheck(CredentialOutcome.ACCEPTED, account, password_expired=expired)


def _refuse(login: str, account: Account | None, reason: str, client_address: str) -> CredentialCheck:
    count_address_failure(client_address, current_policy(), clock.now())
    record_event(
        "auth.login.failure",
        org_scope=account.org_scope if account is not None else "",
        target=login[:TARGET_MAX_LENGTH],
        data={"client": client_address, "reason": reason},
    )
    return CredentialCheck(CredentialOutcome.REFUSED)


def _journal_freeze(account: Account, freeze: AccountFreeze) -> None:
    record_event(
        "auth.account.freeze",
        org_scope=account.org_scope,
        target=account.login,
        data={
            "client": freeze.client_address,
            "failures": freeze.failures,
            "frozen_until": freeze.frozen_until,
        },
    )
    send_freeze_notice(account, freeze)


def count_second_factor_failure(account: Account, *, client_address: str = "") -> bool:
    """A wrong authenticator code counts like a wrong password; returns True when it froze the account."""
    policy, now = current_policy(), clock.now()
    count_address_failure(client_address, policy, now)
    freeze = count_failure(account, policy, now, client_address=client_address)
    record_event(
        "auth.second_factor.failure",
        org_scope=account.org_scope,
        target=account.login,
        data={"client": client_address},
    )
    if freeze is not None:
        _journal_freeze(account, freeze)
    return freeze is not None
