"""« Mot de passe oublié » (AUT-5): a single-use, short-lived link sent to the account's address.

The request gets the same answer whether the login exists or not. The link carries a random token of which
only the SHA-256 digest is stored, so a copy of the database does not hold usable links. Using the link lets
the person choose a new password once: it ends the account's sessions and its freeze, and any other pending
link of the account.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction

from habpps.accounts import clock
from habpps.accounts.freezes import clear_failures
from habpps.accounts.models import Account, PasswordResetRequest, SessionEndReason
from habpps.accounts.notifications import send_password_reset_link
from habpps.accounts.password_change import change_password
from habpps.accounts.policy import current_policy
from habpps.accounts.sessions import end_all_sessions
from habpps.journal.services import record_event

TOKEN_BYTES = 32


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def request_reset(login: str, build_link, *, client_address: str = "") -> None:
    """Send a reset link to ``login``'s address if it names an active account; do nothing visible otherwise.

    ``build_link(token)`` returns the absolute URL of the link. Journalled either way.
    """
    account = Account.objects.select_related("fund", "partner__fund").filter(login=login).first()
    known = account is not None and account.is_active
    record_event(
        "auth.password.reset.request",
        org_scope=account.org_scope if account is not None else "",
        target=login[:150],
        data={"client": client_address, "known": known},
    )
    if not known:
        return
    policy, now = current_policy(), clock.now()
    token = secrets.token_urlsafe(TOKEN_BYTES)
    PasswordResetRequest.objects.create(
        account=account,
        token_digest=_digest(token),
        requested_at=now,
        expires_at=now + timedelta(minutes=policy.reset_link_validity_minutes),
        client_address=client_address,
    )
    link, minutes = build_link(token), policy.reset_link_validity_minutes
    transaction.on_commit(lambda: send_password_reset_link(account, link, minutes))


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
