"""What a signed-in person must do before anything else (AUT-4, AUT-1, AUT-8).

A temporary password (first login) or an expired personal one must be replaced; then, when the policy requires
a second factor of this account and it has none, one must be enrolled.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext_lazy as _

from habpps.accounts.models import Account, AuthenticationPolicy
from habpps.accounts.policy import password_expires_at
from habpps.accounts.second_factor import has_second_factor, second_factor_required


@dataclass(frozen=True)
class Duty:
    code: str
    url_name: str
    message: str


CHANGE_PASSWORD = Duty(
    "change_password",
    "accounts:password-change",
    _("Choisissez votre mot de passe personnel avant de continuer."),
)
EXPIRED_PASSWORD = Duty(
    "expired_password",
    "accounts:password-change",
    _("Votre mot de passe a expiré : choisissez-en un nouveau avant de continuer."),
)
ENROL_SECOND_FACTOR = Duty(
    "enrol_second_factor",
    "accounts:second-factor-enrol",
    _(
        "Votre organisation exige une double authentification : configurez votre application d'authentification."
    ),
)


def pending_duty(account: Account, policy: AuthenticationPolicy, now: datetime) -> Duty | None:
    if account.must_change_password:
        return CHANGE_PASSWORD
    expires_at = password_expires_at(account, policy)
    if expires_at is not None and expires_at <= now:
        return EXPIRED_PASSWORD
    if second_factor_required(account, policy) and not has_second_factor(account):
        return ENROL_SECOND_FACTOR
    return None
