"""Retention per event kind (AUD-3): how long entries of each kind are kept, and who changes it.

How long an entry is kept depends on its kind. The rules come from the setting
``HABPPS_JOURNAL_RETENTION_DAYS`` (kind prefix → days, ``None`` = keep forever; default below), overridden by
the administrator-editable :class:`~habpps.journal.models.RetentionRule` rows; the most specific prefix wins
and kinds matched by no rule follow ``HABPPS_JOURNAL_DEFAULT_RETENTION_DAYS`` (default: keep forever).

Administrators change the rules with :func:`set_retention_rule` and :func:`remove_retention_rule` (each change
journaled); :mod:`habpps.journal.purge` applies them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from .chain import utc_timestamp
from .kinds import kind_and_ancestors, validate_kind
from .models import RetentionRule
from .scoping import NATIONAL_SCOPE
from .services import record_event

DEFAULT_RETENTION_DAYS: Mapping[str, int | None] = {
    "auth": 365,
    "access": 365,
    "cdap.consultation": 365,
}
"""Seeded defaults: one year for authentication, access and consultation logs (CNIL practice for access
logs); administrative changes and workflow transitions are kept until a rule says otherwise."""


@dataclass(frozen=True)
class RetentionPolicy:
    """Retention in days per kind prefix; ``None`` means keep forever."""

    rules: Mapping[str, int | None]
    default_days: int | None = None

    @classmethod
    def current(cls) -> RetentionPolicy:
        """Settings overlaid with the administrator's rules."""
        rules: dict[str, int | None] = dict(
            getattr(settings, "HABPPS_JOURNAL_RETENTION_DAYS", DEFAULT_RETENTION_DAYS)
        )
        rules.update(RetentionRule.objects.values_list("kind_prefix", "retention_days"))
        return cls(rules, getattr(settings, "HABPPS_JOURNAL_DEFAULT_RETENTION_DAYS", None))

    def days_for(self, kind: str) -> int | None:
        """Days entries of ``kind`` are kept: the rule of the longest matching prefix, else the default."""
        for prefix in kind_and_ancestors(kind):
            if prefix in self.rules:
                return self.rules[prefix]
        return self.default_days

    def expired_filter(self, kinds: list[str], now: datetime) -> tuple[models.Q | None, dict[str, str]]:
        """A filter selecting the expired entries among ``kinds``, and the cutoff applied to each kind."""
        by_days: dict[int, list[str]] = {}
        for kind in kinds:
            days = self.days_for(kind)
            if days is not None:
                by_days.setdefault(days, []).append(kind)
        condition: models.Q | None = None
        cutoffs: dict[str, str] = {}
        for days, group in sorted(by_days.items()):
            cutoff = now - timedelta(days=days)
            cutoffs.update((kind, utc_timestamp(cutoff)) for kind in group)
            term = models.Q(kind__in=group, occurred_at__lt=cutoff)
            condition = term if condition is None else condition | term
        return condition, cutoffs

    def as_json(self) -> dict:
        return {"rules": dict(sorted(self.rules.items())), "default_days": self.default_days}


def set_retention_rule(
    kind_prefix: str, days: int | None, *, actor=None, description: str = ""
) -> RetentionRule:  # type: ignore[no-untyped-def]
    """Create or change the administrator's rule for ``kind_prefix`` (``None`` days: keep forever), journaled."""
    validate_kind(kind_prefix)
    if days is not None and days < 1:
        raise ValidationError(_("La durée de conservation est d'au moins un jour."), code="retention_days")
    with transaction.atomic():
        rule = RetentionRule.objects.select_for_update().filter(kind_prefix=kind_prefix).first()
        before = None if rule is None else _rule_record(rule)
        rule = rule or RetentionRule(kind_prefix=kind_prefix)
        rule.retention_days, rule.description = days, description
        rule.full_clean(validate_unique=False)
        rule.save()
        record_event(
            "admin.journal.retention.update",
            actor=actor,
            org_scope=NATIONAL_SCOPE,
            target=f"retention:{kind_prefix}",
            before=before,
            after=_rule_record(rule),
        )
    return rule


def remove_retention_rule(kind_prefix: str, *, actor=None) -> bool:  # type: ignore[no-untyped-def]
    """Remove the administrator's rule for ``kind_prefix`` (the settings apply again), journaled."""
    with transaction.atomic():
        rule = RetentionRule.objects.select_for_update().filter(kind_prefix=kind_prefix).first()
        if rule is None:
            return False
        record_event(
            "admin.journal.retention.remove",
            actor=actor,
            org_scope=NATIONAL_SCOPE,
            target=f"retention:{kind_prefix}",
            before=_rule_record(rule),
        )
        rule.delete()
    return True


def _rule_record(rule: RetentionRule) -> dict:
    return {
        "kind_prefix": rule.kind_prefix,
        "retention_days": rule.retention_days,
        "description": rule.description,
    }
