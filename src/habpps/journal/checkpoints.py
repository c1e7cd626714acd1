"""Signed purge checkpoints: the only legitimate explanation of a hole in the chain.

The signature covers the checkpoint's summary (range, count, last purged hash, retention policy applied) and
every purged run with the hashes on both of its sides, so a checkpoint cannot be forged, widened or moved to
cover entries deleted by someone else.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .chain import PurgedRun, utc_timestamp
from .models import PurgeCheckpoint
from .models import PurgedRun as PurgedRunRow
from .signing import CHECKPOINT_PURPOSE, is_valid, sign


def checkpoint_payload(
    checkpoint: PurgeCheckpoint, runs: Sequence[PurgedRun | PurgedRunRow]
) -> dict[str, Any]:
    """The mapping a checkpoint's signature covers."""
    return {
        "created_at": utc_timestamp(checkpoint.created_at),
        "purged_count": checkpoint.purged_count,
        "first_sequence": checkpoint.first_sequence,
        "last_sequence": checkpoint.last_sequence,
        "last_purged_hash": checkpoint.last_purged_hash,
        "policy": checkpoint.policy,
        "runs": [
            [run.first_sequence, run.last_sequence, run.entering_hash, run.last_hash]
            for run in sorted(runs, key=lambda run: run.first_sequence)
        ],
    }


def sign_checkpoint(checkpoint: PurgeCheckpoint, runs: Sequence[PurgedRun | PurgedRunRow]) -> str:
    return sign(CHECKPOINT_PURPOSE, checkpoint_payload(checkpoint, runs))


def checkpoint_is_authentic(checkpoint: PurgeCheckpoint, runs: Sequence[PurgedRunRow]) -> bool:
    """Whether the stored signature matches the checkpoint and its runs as they are stored now."""
    return is_valid(CHECKPOINT_PURPOSE, checkpoint_payload(checkpoint, runs), checkpoint.signature)


def runs_of(checkpoint: PurgeCheckpoint, rows: Sequence[PurgedRunRow]) -> list[PurgedRun]:
    """The chain-level view of a checkpoint's stored runs."""
    return [
        PurgedRun(row.first_sequence, row.last_sequence, row.entering_hash, row.last_hash, checkpoint.pk)
        for row in rows
    ]
