"""The optional second factor (AUT-8): a TOTP authenticator (RFC 6238, pyotp) and single-use recovery codes.

The policy requires it of every account, or of the accounts of chosen funds, partners or roles; anyone else
may enrol voluntarily. A code is accepted once (its time step is remembered, so a code seen over a shoulder
cannot be replayed) and within one step of clock drift. Recovery codes are stored as keyed digests only.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

import pyotp
import segno
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils.crypto import salted_hmac

from habpps.accounts import clock
from habpps.accounts.models import Account, AuthenticationPolicy, RecoveryCode, SecondFactorDevice
from habpps.accounts.notifications import send_second_factor_notice
from habpps.journal.services import record_event

RECOVERY_CODE_COUNT = 10
_DIGEST_SALT = "habpps.accounts.second_factor.recovery"


def has_second_factor(account: Account) -> bool:
    return SecondFactorDevice.objects.filter(account=account, confirmed_at__isnull=False).exists()


@dataclass(frozen=True)
class SecondFactorScope:
    """Whom a policy's second factor covers, as identifiers: the funds, partners and profiles it names."""

    funds: frozenset[int]
    partners: frozenset[int]
    roles: frozenset[int]

    @classmethod
    def of(cls, policy: AuthenticationPolicy) -> SecondFactorScope:
        through = AuthenticationPolicy.second_factor_funds.through
        funds = through.objects.filter(authenticationpolicy=policy).values_list("fund_id", flat=True)
        through = AuthenticationPolicy.second_factor_partners.through
        partners = through.objects.filter(authenticationpolicy=policy).values_list("partner_id", flat=True)
        through = AuthenticationPolicy.second_factor_roles.through
        roles = through.objects.filter(authenticationpolicy=policy).values_list("servicerole_id", flat=True)
        return cls(frozenset(funds), frozenset(partners), frozenset(roles))


def second_factor_required(account: Account, policy: AuthenticationPolicy) -> bool:
    """Whether the policy requires a second factor of ``account``: for all, or by fund, partner or role.

    The policy the middlewares share (``policy_in_force``) carries its ``SecondFactorScope``, read with it once
    per probe period: then only an account whose organisation is not named, under a policy naming profiles,
    costs a query — the check runs on every request of every signed-in person (AUT-8)."""
    if policy.second_factor_for_everyone:
        return True
    scope: SecondFactorScope | None = getattr(policy, "second_factor_scope", None)
    if scope is not None:
        return _required_in(account, scope)
    reasons = Q(second_factor_roles__in=_held_roles(account))
    if account.home_fund is not None:
        reasons |= Q(second_factor_funds=account.home_fund)
    if account.partner_id is not None:
        reasons |= Q(second_factor_partners=account.partner_id)
    return AuthenticationPolicy.objects.filter(pk=policy.pk).filter(reasons).exists()


def _required_in(account: Account, scope: SecondFactorScope) -> bool:
    if account.partner_id is not None and account.partner_id in scope.partners:
        return True
    if scope.funds:
        fund = account.home_fund
        if fund is not None and fund.pk in scope.funds:
            return True
    if not scope.roles:
        return False
    return _held_roles(account).filter(pk__in=scope.roles).exists()


def _held_roles(account: Account):
    """The profiles the account holds today, directly or through a current group membership, read through the
    policy's own relation to profiles: the accounts app does not import the directory that builds on it."""
    profiles = AuthenticationPolicy.second_factor_roles.field.related_model
    return profiles.objects.filter(
        Q(account_assignments__account=account, account_assignments__ended_at__isnull=True)
        | Q(
            group_assignments__ended_at__isnull=True,
            group_assignments__group__memberships__account=account,
            group_assignments__group__memberships__ended_at__isnull=True,
        )
    ).values("id")


def begin_enrolment(account: Account) -> SecondFactorDevice:
    """A new, unconfirmed authenticator secret for ``account`` (replacing an unconfirmed one)."""
    if has_second_factor(account):
        raise ValueError("Ce compte a déjà un second facteur : retirez-le avant d'en configurer un autre.")
    SecondFactorDevice.objects.filter(account=account).delete()
    return SecondFactorDevice.objects.create(
        account=account, secret=pyotp.random_base32(), created_at=clock.now()
    )


def provisioning_uri(device: SecondFactorDevice) -> str:
    return pyotp.TOTP(device.secret).provisioning_uri(
        name=device.account.login, issuer_name=settings.HABPPS_SITE_TITLE
    )


def provisioning_qr_svg(device: SecondFactorDevice) -> str:
    """The enrolment QR code as inline SVG markup (no script, no external image: fits the CSP)."""
    return segno.make(provisioning_uri(device), error="m").svg_inline(
        scale=5, title="Code QR à scanner avec votre application"
    )


def verify_code(device: SecondFactorDevice, code: str, now: datetime | None = None) -> bool:
    """Whether ``code`` is the authenticator's code for now (± one step) and was not used before."""
    totp = pyotp.TOTP(device.secret)
    code = "".join(code.split())
    if len(code) != totp.digits or not code.isdigit():
        return False
    current = totp.timecode(now or clock.now())
    for step in (current - 1, current, current + 1):
        if device.last_used_step is not None and step <= device.last_used_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            # Conditional update: two requests racing with the same code cannot both succeed.
            fresh = Q(last_used_step__isnull=True) | Q(last_used_step__lt=step)
            if SecondFactorDevice.objects.filter(fresh, pk=device.pk).update(last_used_step=step):
                device.last_used_step = step
                return True
            return False
    return False


def confirm_enrolment(device: SecondFactorDevice, code: str) -> list[str] | None:
    """Confirm the device with a first valid code; returns the new recovery codes (shown once), or None."""
    if not verify_code(device, code):
        return None
    with transaction.atomic():
        device.confirmed_at = clock.now()
        device.save(update_fields=["confirmed_at"])
        codes = replace_recovery_codes(device.account)
        record_event(
            "auth.second_factor.enrol",
            actor=device.account,
            org_scope=device.account.org_scope,
            target=device.account.login,
        )
        transaction.on_commit(lambda: send_second_factor_notice(device.account, enrolled=True))
    return codes


def remove_second_factor(account: Account) -> None:
    with transaction.atomic():
        SecondFactorDevice.objects.filter(account=account).delete()
        RecoveryCode.objects.filter(account=account).delete()
        record_event(
            "auth.second_factor.remove", actor=account, org_scope=account.org_scope, target=account.login
        )
        transaction.on_commit(lambda: send_second_factor_notice(account, enrolled=False))


def _normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _digest(code: str, salt: str | None = None) -> str:
    """``salt$hmac``: a keyed SHA-256 of the code with a random 32-bit salt of its own (OWASP ASVS 2.6.2)."""
    salt = secrets.token_hex(4) if salt is None else salt
    mac = salted_hmac(_DIGEST_SALT + salt, _normalise(code), algorithm="sha256").hexdigest()
    return f"{salt}${mac}"


def _matches(code: str, digest: str) -> bool:
    salt, _, _ = digest.partition("$")
    return hmac.compare_digest(_digest(code, salt), digest)


def replace_recovery_codes(account: Account) -> list[str]:
    """Fresh single-use recovery codes (``xxxxx-xxxxx``); the former ones stop working."""
    codes = [f"{secrets.token_hex(5)[:5]}-{secrets.token_hex(5)[:5]}" for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.filter(account=account).delete()
    RecoveryCode.objects.bulk_create(
        RecoveryCode(account=account, code_digest=_digest(code)) for code in codes
    )
    return codes


def use_recovery_code(account: Account, code: str) -> bool:
    """Spend one unused recovery code of ``account``; journalled, since it means the authenticator is lost."""
    unused = RecoveryCode.objects.filter(account=account, used_at__isnull=True)
    match = next((row for row in unused if _matches(code, row.code_digest)), None)
    # Conditional update: the same code submitted twice at once is spent once.
    if match is None or not unused.filter(pk=match.pk).update(used_at=clock.now()):
        return False
    record_event(
        "auth.second_factor.recovery_code",
        actor=account,
        org_scope=account.org_scope,
        target=account.login,
        data={"remaining": unused.count()},
    )
    return True
