"""The purge (AUD-3): remove the entries past their retention without breaking the chain.

The purge first verifies the chain (it never signs over a broken one), then, in one transaction, removes the
expired entries, which may lie anywhere in the chain since kinds interleave, and records every run of removed
sequences with the hashes on both sides in a signed :class:`~habpps.journal.models.PurgeCheckpoint`. On
PostgreSQL it is the one transaction the append-only trigger lets delete, and an advisory lock keeps two purges
from overlapping.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from .chain import PurgedRun, VerificationReport
from .checkpoints import sign_checkpoint
from .exceptions import BrokenChain
from .models import JournalEntry, PurgeCheckpoint
from .models import PurgedRun as PurgedRunRow
from .retention import RetentionPolicy
from .verification import verify_journal

PURGE_SESSION_SETTING = "habpps.journal_purge"
"""PostgreSQL setting that the append-only trigger checks; set for the purge transaction only."""

_PURGE_LOCK_ID = 0x4A4F55524E414C  # "JOURNAL": one purge at a time across processes (PostgreSQL)


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
