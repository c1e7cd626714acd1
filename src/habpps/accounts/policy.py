"""The authentication policy in force: seeded from the slides, then whatever the national administrator set.

The slides fix the portal's figures (« Politique d'accès »): passwords of 8 to 20 characters of four types,
valid 6 months (24 hours for a temporary one), a history of 3, a 10-minute freeze after 5 failures, no
concurrent sessions and a 30-minute idle limit. They are *seeded* here — each overridable by an ``HABPPS_*``
environment variable when the row is first created — and then live in the ``AuthenticationPolicy`` row that
the national administrator edits: no rule reads a figure from code.
"""

from __future__ import annotations

import calendar
import os
import threading
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models.signals import m2m_changed, post_delete, post_save

from habpps.accounts.models import AuthenticationPolicy, ConcurrentSessionMode
from habpps.accounts.second_factor import SecondFactorScope

# The slides' figures, the environment variable that overrides each at seeding, and how to read it.
SEEDED_FIGURES: dict[str, tuple[str, object]] = {
    "password_min_length": ("HABPPS_PASSWORD_MIN_LENGTH", 8),
    "password_max_length": ("HABPPS_PASSWORD_MAX_LENGTH", 20),
    "require_uppercase": ("HABPPS_PASSWORD_REQUIRE_UPPERCASE", True),
    "require_lowercase": ("HABPPS_PASSWORD_REQUIRE_LOWERCASE", True),
    "require_digit": ("HABPPS_PASSWORD_REQUIRE_DIGIT", True),
    "require_special": ("HABPPS_PASSWORD_REQUIRE_SPECIAL", True),
    "personal_password_validity_months": ("HABPPS_PASSWORD_VALIDITY_MONTHS", 6),
    "temporary_password_validity_hours": ("HABPPS_TEMPORARY_PASSWORD_VALIDITY_HOURS", 24),
    "password_history_depth": ("HABPPS_PASSWORD_HISTORY_DEPTH", 3),
    "freeze_failure_threshold": ("HABPPS_FREEZE_FAILURES", 5),
    "freeze_duration_minutes": ("HABPPS_FREEZE_MINUTES", 10),
    # Not in the slides: a network address may fail this often per window before it is refused (AUT-2).
    "address_failure_threshold": ("HABPPS_ADDRESS_FAILURES", 50),
    "address_window_minutes": ("HABPPS_ADDRESS_WINDOW_MINUTES", 15),
    # Not in the slides: « courte durée » for the reset link, as OWASP recommends.
    "reset_link_validity_minutes": ("HABPPS_RESET_LINK_MINUTES", 30),
    "idle_timeout_minutes": ("HABPPS_IDLE_TIMEOUT_MINUTES", 30),
    "concurrent_sessions": ("HABPPS_CONCURRENT_SESSIONS", ConcurrentSessionMode.REFUSE_NEW.value),
    "second_factor_for_everyone": ("HABPPS_SECOND_FACTOR_FOR_EVERYONE", False),
}


def _read(variable: str, default: object) -> object:
    raw = os.environ.get(variable, "").strip()
    if not raw:
        return default
    if isinstance(default, bool):
        if raw.lower() in {"1", "true", "yes", "on"}:
            return True
        if raw.lower() in {"0", "false", "no", "off"}:
            return False
        raise ImproperlyConfigured(f"{variable} doit valoir true ou false, pas {raw!r}.")
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError:
            raise ImproperlyConfigured(f"{variable} doit être un nombre entier, pas {raw!r}.") from None
    if raw not in ConcurrentSessionMode.values:
        raise ImproperlyConfigured(f"{variable} doit valoir {' ou '.join(ConcurrentSessionMode.values)}.")
    return raw


def seeded_policy_values() -> dict[str, object]:
    """The figures a new policy row starts from: the slides', unless an ``HABPPS_*`` variable overrides one."""
    return {field: _read(variable, default) for field, (variable, default) in SEEDED_FIGURES.items()}


def current_policy() -> AuthenticationPolicy:
    """The policy in force, created from the seeded figures the first time it is asked for."""
    policy = AuthenticationPolicy.objects.filter(pk=AuthenticationPolicy.SINGLETON_PK).first()
    if policy is None:
        policy, _ = AuthenticationPolicy.objects.get_or_create(
            pk=AuthenticationPolicy.SINGLETON_PK, defaults=seeded_policy_values()
        )
    return policy


_in_force: tuple[float, AuthenticationPolicy] | None = None
"""(when it was read, the policy) of this process."""
_in_force_lock = threading.Lock()


def policy_in_force() -> AuthenticationPolicy:
    """The policy for the per-request checks of the middlewares: read at most once per
    ``HABPPS_POLICY_PROBE_SECONDS`` by each process (half the CPU of a CDAP page went to reading this row and
    writing the session's activity on every request), and at once after a change saved in this process.

    The instance is shared by every thread of the process: read it, never modify it (``current_policy`` gives
    a private one). Inside a transaction the row is read as usual, since the transaction may hold a change of
    its own that no other request may see. The shared instance also carries whom its second factor covers
    (``second_factor_scope``), read with it, so that the duty check of every request needs no query."""
    global _in_force
    if connection.in_atomic_block:
        return current_policy()
    cached = _in_force
    now = time.monotonic()
    if cached is not None and now - cached[0] < settings.HABPPS_POLICY_PROBE_SECONDS:
        return cached[1]
    policy = current_policy()
    policy.second_factor_scope = SecondFactorScope.of(policy)
    with _in_force_lock:
        _in_force = (now, policy)
    return policy


def forget_policy_in_force(**_kwargs: object) -> None:
    """Drop this process's copy (a change was saved here: the next request reads the row)."""
    global _in_force
    with _in_force_lock:
        _in_force = None


for _signal in (post_save, post_delete):
    _signal.connect(forget_policy_in_force, sender=AuthenticationPolicy, dispatch_uid=f"policy-in-force-{_signal}")
for _relation in ("second_factor_funds", "second_factor_partners", "second_factor_roles"):
    m2m_changed.connect(forget_policy_in_force, sender=getattr(AuthenticationPolicy, _relation).through,
                        dispatch_uid=f"policy-in-force-{_relation}")


def add_months(moment: datetime, months: int) -> datetime:
    """``moment`` plus calendar months, on the last day of the month when the day does not exist (31 → 30)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def password_expires_at(account, policy: AuthenticationPolicy) -> datetime | None:
    """When the account's current password stops being accepted as is (AUT-1); None without a password date.

    A temporary password (sent at creation) lives hours; a personal one months.
    """
    if account.password_changed_at is None:
        return None
    if account.must_change_password:
        return account.password_changed_at + timedelta(hours=policy.temporary_password_validity_hours)
    return add_months(account.password_changed_at, policy.personal_password_validity_months)
