"""Changing a password under the policy: validated, remembered in the history, journalled, notified (AUT-1, AUT-7).

Both the forced change (first login, expired password) and the « mot de passe oublié » link end here, so the
history depth, the notice to the holder and the journal entry cannot be forgotten by one of the paths.
"""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from habpps.accounts import clock
from habpps.accounts.models import Account, PasswordHistoryEntry
from habpps.accounts.notifications import send_password_changed_notice
from habpps.accounts.policy import current_policy
from habpps.journal.services import record_event


def change_password(account: Account, new_password: str, *, kind: str, client_address: str = "") -> None:
    """Replace ``account``'s password with a personal one; ``kind`` says why (``change``, ``reset``).

    Raises ``ValidationError`` (French messages) when the policy refuses the new password.
    """
    validate_password(new_password, account)
    policy = current_policy()
    with transaction.atomic():
        if account.has_usable_password() and policy.password_history_depth > 0:
            PasswordHistoryEntry.objects.create(
                account=account, password=account.password, replaced_at=clock.now()
            )
            # The current password is checked from the account itself: keep depth - 1 former ones.
            stale = account.password_history.values_list("pk", flat=True)[policy.password_history_depth - 1 :]
            PasswordHistoryEntry.objects.filter(pk__in=list(stale)).delete()
        account.set_password(new_password)
        account.password_changed_at = clock.now()
        account.must_change_password = False
        account.save(update_fields=["password", "password_changed_at", "must_change_password"])
        record_event(
            f"auth.password.{kind}",
            actor=account,
            org_scope=account.org_scope,
            target=account.login,
            data={"client": client_address},
        )
        transaction.on_commit(lambda: send_password_changed_notice(account))
