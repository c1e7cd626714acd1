"""Retention per event kind (AUD-3) and the purge that removes expired entries without breaking the chain.

How long an entry is kept depends on its kind. The rules come from the setting
``HABPPS_JOURNAL_RETENTION_DAYS`` (kind prefix → days, ``None`` = keep forever; default below), overridden by
the administrator-editable :class:`~habpps.journal.models.RetentionRule` rows; the most specific prefix wins
and kinds matched by no rule follow ``HABPPS_JOURNAL_DEFAULT_RETENTION_DAYS`` (default: keep forever).

The purge first verifies the chain (it never signs over a broken one), then, in one transaction, removes the
expired entries, which may lie anywhere in the chain since kinds interleave, and records every run of removed
sequences with the hashes on both sides in a signed :class:`~habpps.journal.models.PurgeCheckpoint`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .chain import PurgedRun, VerificationReport, utc_timestamp
from .checkpoints import sign_checkpoint
from .exceptions import BrokenChain
from .kinds import kind_and_ancestors, validate_kind
from .models import JournalEntry, PurgeCheckpoint, RetentionRule
from .models import PurgedRun as PurgedRunRow
from .scoping import NATIONAL_SCOPE
from .services import record_event
from .verification import verify_journal

DEFAULT_RETENTION_DAYS: Mapping[str, int | None] = {
    "auth": 365,
    "access": 365,
    "cdap.consultation": 365,
}
"""Seeded defaults: one year for authentication, access and consultation logs (CNIL practice for access
logs); administrative changes and workflow transitions are kept until a rule says otherwise."""

PURGE_SESSION_SETTING = "habpps.journal_purge"
"""PostgreSQL setting that the append-only trigger checks; set for the purge transaction only."""

_PURGE_LOCK_ID = 0x4A4F55524E414C  # "JOURNAL": one purge at a time across processes (PostgreSQL)


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


@dataclass
class PurgeResult:
    """What a purge removed (or, on a dry run, would remove)."""

    purged_count: int = 0
    runs: list[PurgedRun] = field(default_factory=list)
    checkpoint: PurgeCheckpoint | None = None
    verification: VerificationReport | None = None
    dry_run: bool = False


def purge_expired(
    *, now: datetime | None = None, dry_run: bool = False, policy: RetentionPolicy | None = None
) -> PurgeResult:
    """Remove the entries past their retention and write the signed checkpoint of what was removed.

    Raises :class:`~habpps.journal.exceptions.BrokenChain` if the journal does not verify before the purge.
    """
    now = now or timezone.now()
    policy = policy or RetentionPolicy.current()
    verification = verify_journal()
    if not verification.intact:
        raise BrokenChain(f"Purge refusée, le journal ne se vérifie pas : {verification.first_break.message}")
    result = PurgeResult(verification=verification, dry_run=dry_run)
    if verification.last_sequence is None:
        return result

    with transaction.atomic():
        _enter_purge_mode()
        kinds = list(JournalEntry.objects.values_list("kind", flat=True).distinct())
        condition, cutoffs = policy.expired_filter(kinds, now)
        if condition is None:
            return result
        expired = JournalEntry.objects.filter(condition, sequence__lte=verification.last_sequence)
        result.runs = list(
            _runs(expired.order_by("sequence").values_list("sequence", "previous_hash", "hash"))
        )
        result.purged_count = sum(run.last_sequence - run.first_sequence + 1 for run in result.runs)
        if dry_run or not result.runs:
            return result
        result.checkpoint = _write_checkpoint(result.runs, result.purged_count, now, policy, cutoffs)
        deleted = expired._delete_for_purge()
        if deleted != result.purged_count:  # pragma: no cover - entries cannot change under the purge lock
            raise BrokenChain(
                f"Purge annulée : {deleted} entrées supprimées pour {result.purged_count} prévues."
            )
    return result


def _enter_purge_mode() -> None:
    """On PostgreSQL: one purge at a time, and let the append-only trigger allow this transaction's DELETE."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PURGE_LOCK_ID])
        cursor.execute("SELECT set_config(%s, 'on', true)", [PURGE_SESSION_SETTING])


def _runs(rows: Iterator[tuple[int, str, str]]) -> Iterator[PurgedRun]:
    """Group (sequence, previous hash, hash) rows, in sequence order, into runs of consecutive sequences."""
    run: list | None = None
    for sequence, previous_hash, entry_hash in rows:
        if run is not None and sequence == run[1] + 1:
            run[1], run[3] = sequence, entry_hash
            continue
        if run is not None:
            yield PurgedRun(*run, checkpoint_id=0)
        run = [sequence, sequence, previous_hash, entry_hash]
    if run is not None:
        yield PurgedRun(*run, checkpoint_id=0)


def _write_checkpoint(
    runs: list[PurgedRun], purged_count: int, now: datetime, policy: RetentionPolicy, cutoffs: dict[str, str]
) -> PurgeCheckpoint:
    checkpoint = PurgeCheckpoint(
        created_at=now,
        purged_count=purged_count,
        first_sequence=runs[0].first_sequence,
        last_sequence=runs[-1].last_sequence,
        last_purged_hash=runs[-1].last_hash,
        policy={**policy.as_json(), "cutoffs": dict(sorted(cutoffs.items()))},
    )
    checkpoint.signature = sign_checkpoint(checkpoint, runs)
    checkpoint.save()
    PurgedRunRow.objects.bulk_create(
        [
            PurgedRunRow(
                checkpoint=checkpoint,
                first_sequence=run.first_sequence,
                last_sequence=run.last_sequence,
                entering_hash=run.entering_hash,
                last_hash=run.last_hash,
            )
            for run in runs
        ],
        batch_size=1000,
    )
    return checkpoint


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
