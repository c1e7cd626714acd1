"""« Mot de passe oublié » (AUT-5): a single-use, short-lived link sent to the account's address.

The request gets the same answer whether the login exists or not, and does the same work (issue 18, finding 2:
78 ms against 45 ms gave known logins away): it journals the request and queues a row in the durable outbox for
any login typed, unless the throttle refuses it; the background sender (``mail_sender``) later finds the
account, draws the token and sends the link. Requests are throttled per login and per network address
(``HABPPS_RESET_PER_LOGIN``, ``HABPPS_RESET_PER_ADDRESS`` per ``HABPPS_RESET_WINDOW_MINUTES``, counted on the
outbox rows), with the same answer to the requester whether throttled or not (finding 4: 30 requests, 30 mails). The link carries a random token of which
only the SHA-256 digest is stored, so a copy of the database does not hold usable links. Using the link lets
the person choose a new password once: it ends the account's sessions and its freeze, and any other pending
link of the account.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction

from habpps.accounts import clock
from habpps.accounts.freezes import clear_failures
from habpps.accounts.mail_sender import wake_sender
from habpps.accounts.models import (
    Account,
    OutgoingMail,
    OutgoingMailKind,
    PasswordResetRequest,
    SessionEndReason,
)
from habpps.accounts.password_change import change_password
from habpps.accounts.policy import current_policy
from habpps.accounts.sessions import end_all_sessions
from habpps.journal.services import record_event

TOKEN_BYTES = 32


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


TOKEN_PLACEHOLDER = "__jeton__"
"""Stands for the token in the link queued with the request; the sender puts the real token in its place."""

DEFAULT_PER_LOGIN, DEFAULT_PER_ADDRESS, DEFAULT_WINDOW_MINUTES = 3, 20, 15


def _throttle_figures() -> tuple[int, int, timedelta]:
    return (
        int(getattr(settings, "HABPPS_RESET_PER_LOGIN", DEFAULT_PER_LOGIN)),
        int(getattr(settings, "HABPPS_RESET_PER_ADDRESS", DEFAULT_PER_ADDRESS)),
        timedelta(minutes=float(getattr(settings, "HABPPS_RESET_WINDOW_MINUTES", DEFAULT_WINDOW_MINUTES))),
    )


def reset_throttled(login: str, client_address: str, now) -> bool:
    """Whether this login or this address already asked the figures' number of times in the window."""
    per_login, per_address, window = _throttle_figures()
    recent = OutgoingMail.objects.filter(kind=OutgoingMailKind.PASSWORD_RESET, created_at__gt=now - window)
    if recent.filter(requested_login=login).count() >= per_login:
        return True
    return bool(client_address) and recent.filter(client_address=client_address).count() >= per_address


def request_reset(login: str, build_link, *, client_address: str = "") -> None:
    """Queue a reset link for ``login``: the same work whether it names an active account or not.

    ``build_link(token)`` returns the absolute URL of the link; it is called once with a placeholder, and the
    background sender substitutes the token it draws. Journalled either way (with whether it was throttled).
    """
    login = login[:150]
    now = clock.now()
    account = Account.objects.select_related("fund", "partner__fund").filter(login=login).first()
    known = account is not None and account.is_active
    throttled = reset_throttled(login, client_address, now)
    record_event(
        "auth.password.reset.request",
        org_scope=account.org_scope if account is not None else "",
        target=login,
        data={"client": client_address, "known": known, "throttled": throttled},
    )
    if throttled:
        return
    OutgoingMail.objects.create(
        kind=OutgoingMailKind.PASSWORD_RESET,
        requested_login=login,
        client_address=client_address[:45],
        link_template=build_link(TOKEN_PLACEHOLDER)[:500],
        created_at=now,
        next_attempt_at=now,
        attempts=0,
    )
    transaction.on_commit(wake_sender)


def issue_link(account: Account, link_template: str, client_address: str = "") -> tuple[str, int]:
    """Create the account's reset request now (by the sender) and return its link and lifetime in minutes."""
    policy, now = current_policy(), clock.now()
    token = secrets.token_urlsafe(TOKEN_BYTES)
    PasswordResetRequest.objects.create(
        account=account,
        token_digest=_digest(token),
        requested_at=now,
        expires_at=now + timedelta(minutes=policy.reset_link_validity_minutes),
        client_address=client_address,
    )
    return link_template.replace(TOKEN_PLACEHOLDER, token), policy.reset_link_validity_minutes


def valid_request(token: str) -> PasswordResetRequest | None:
    """The unused, unexpired request ``token`` belongs to, for an account still active; None otherwise."""
    request = (
        PasswordResetRequest.objects.select_related("account__fund", "account__partner__fund")
        .filter(token_digest=_digest(token), used_at__isnull=True, expires_at__gt=clock.now())
        .first()
    )
    if request is None or not request.account.is_active:
        return None
    return request


def complete_reset(reset: PasswordResetRequest, new_password: str, *, client_address: str = "") -> None:
    """Set the new password through the link, once. Raises ``ValidationError`` if the policy refuses it."""
    account = reset.account
    with transaction.atomic():
        spent = PasswordResetRequest.objects.filter(pk=reset.pk, used_at__isnull=True).update(
            used_at=clock.now()
        )
        if not spent:
            raise LookupError("Lien déjà utilisé.")
        change_password(account, new_password, kind="reset.use", client_address=client_address)
        PasswordResetRequest.objects.filter(account=account, used_at__isnull=True).update(used_at=clock.now())
        clear_failures(account)
        end_all_sessions(account, SessionEndReason.PASSWORD_RESET)
