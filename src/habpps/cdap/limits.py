"""CDP-9 abuse limits on the engine's ENG-8 action limits: a per-user daily ceiling of file lookups, and the
count at which administrators are told.

The ceiling is the engine's ``max_per_day`` for the action ``cdap.consulter-dossier`` when the viewer's profiles
set one (the most permissive of them, ENG-8); otherwise the national figure of ``AbuseLimits``. Counting goes
through the engine's ``ActionCounter`` port (``habpps.engine.consume_daily``), here adapted to the database: one
conditional ``UPDATE … SET count = count + n WHERE count + n <= limit``, so concurrent requests of one user can
never pass the ceiling together, and exactly one request sees the count reach the alert threshold.
"""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import F

from habpps.authorization.policy_cache import current_policy
from habpps.cdap import clock
from habpps.cdap.models import AbuseLimits, DailyActionCount
from habpps.engine import ActionLimits, consume_daily
from habpps.engine.limits import DailyDecision

LOOKUP_ACTION = "cdap.consulter-dossier"


class DatabaseActionCounter:
    """The engine's ``ActionCounter`` port over ``DailyActionCount`` rows (one per user, action and day)."""

    def consume(self, user: str, action: str, day: date, amount: int, limit: int | None) -> int | None:
        rows = DailyActionCount.objects.filter(login=user, action=action, day=day)
        fits = rows if limit is None else rows.filter(count__lte=limit - amount)
        with transaction.atomic():
            if fits.update(count=F("count") + amount):
                return rows.values_list("count", flat=True).get()
            if rows.exists() or (limit is not None and amount > limit):
                return None
            try:
                with transaction.atomic():
                    DailyActionCount.objects.create(login=user, action=action, day=day, count=amount)
                return amount
            except IntegrityError:
                # Another request of the same user created the row first: count on it.
                if fits.update(count=F("count") + amount):
                    return rows.values_list("count", flat=True).get()
                return None

    def count(self, user: str, action: str, day: date) -> int:
        row = DailyActionCount.objects.filter(login=user, action=action, day=day).values_list(
            "count", flat=True
        )
        return row.first() or 0


counter = DatabaseActionCounter()


def effective_limits(profile_limits: ActionLimits | None, national_ceiling: int) -> ActionLimits:
    """The profiles' ENG-8 limits when they set a daily maximum, else the national ceiling."""
    if profile_limits is not None and profile_limits.max_per_day is not None:
        return profile_limits
    return ActionLimits(max_per_day=national_ceiling)


def lookup_limits(account) -> ActionLimits:
    """The viewer's daily ceiling of lookups, decided by the engine's snapshot and the national figure."""
    return effective_limits(
        current_policy().snapshot.action_limits(account.login, LOOKUP_ACTION),
        AbuseLimits.current().daily_ceiling,
    )


def consume_lookup(account) -> DailyDecision:
    """Count one lookup by ``account`` today, or refuse it (counting nothing) beyond the ceiling."""
    return consume_daily(lookup_limits(account), counter, account.login, LOOKUP_ACTION, clock.now())


def reaches_alert(decision: DailyDecision) -> bool:
    """Whether this lookup is the one that reaches today's alert threshold (exactly one request sees it)."""
    return decision.allowed and decision.count == AbuseLimits.current().alert_threshold
