"""The hash chain: how an entry's hash is computed and how a sequence of entries is checked link by link.

Entry *n* stores ``previous_hash`` = hash of entry *n-1* (:data:`GENESIS_HASH` for entry 1) and ``hash`` =
SHA-256 of the canonical form of its own fields, ``previous_hash`` included. Editing an entry changes its
recomputed hash; removing or inserting one breaks the next link. The only legitimate holes are the runs of
sequences removed by a retention purge, each recorded in a signed checkpoint with the hash that entered the
run and the hash that left it, so the walk can step over the hole and still prove the chain continuous.

This module is pure: it knows nothing of the database. :mod:`habpps.journal.verification` feeds it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .canonical import canonical_bytes

GENESIS_HASH = "0" * 64
"""The ``previous_hash`` of the very first entry."""

HASH_FORMAT = "habpps-journal/1"
"""Domain-separation tag hashed with every entry; bump it if the hashed fields ever change."""


def utc_timestamp(moment: datetime) -> str:
    """Spell a moment the way it is hashed: ISO 8601 in UTC with microseconds (naive means UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def hashed_content(
    *,
    sequence: int,
    occurred_at: datetime,
    kind: str,
    actor_pk: str,
    actor_identifier: str,
    org_scope: str,
    target: str,
    data: Any,
    before: Any,
    after: Any,
    request_id: str,
    previous_hash: str,
) -> dict[str, Any]:
    """The exact mapping an entry's hash covers: every field of the entry except the hash itself."""
    return {
        "format": HASH_FORMAT,
        "sequence": sequence,
        "occurred_at": utc_timestamp(occurred_at),
        "kind": kind,
        "actor_pk": actor_pk,
        "actor_identifier": actor_identifier,
        "org_scope": org_scope,
        "target": target,
        "data": data,
        "before": before,
        "after": after,
        "request_id": request_id,
        "previous_hash": previous_hash,
    }


def compute_hash(content: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the canonical serialisation of ``content``."""
    return hashlib.sha256(canonical_bytes(dict(content))).hexdigest()


@dataclass(frozen=True)
class ChainLink:
    """One stored entry as the verifier sees it: its position, its two stored hashes and what they cover."""

    sequence: int
    previous_hash: str
    hash: str
    content: Mapping[str, Any]


@dataclass(frozen=True)
class PurgedRun:
    """Consecutive sequences removed by one purge, as its signed checkpoint records them."""

    first_sequence: int
    last_sequence: int
    entering_hash: str
    """``previous_hash`` of the first removed entry: the hash of the entry just before the run."""
    last_hash: str
    """``hash`` of the last removed entry: what the entry just after the run points to."""
    checkpoint_id: int


@dataclass(frozen=True)
class ChainHead:
    """The last appended position as the chain-head row records it."""

    sequence: int
    hash: str


@dataclass(frozen=True)
class ChainBreak:
    """The first place where the journal stops proving itself, with what was expected and what was found."""

    code: str
    """Stable code: ``content_altered``, ``link_broken``, ``unexplained_gap``, ``purge_overlap``,
    ``checkpoint_forged``, ``head_mismatch``, ``head_forged``, ``sequence_disorder``, ``anchor_ahead`` (the chain
    is shorter than the latest anchor), ``anchor_mismatch`` (it disagrees with it), ``anchor_forged``,
    ``anchor_store``."""
    message: str
    sequence: int | None = None
    expected: str = ""
    found: str = ""


@dataclass
class VerificationReport:
    """Outcome of a verification: counts of what was checked and the first break, if any."""

    entries_checked: int = 0
    purged_sequences: int = 0
    checkpoints_checked: int = 0
    first_sequence: int | None = None
    last_sequence: int | None = None
    head: ChainHead | None = None
    first_break: ChainBreak | None = None
    partial_from: int | None = None
    """Set when only the entries from this sequence on were walked (checkpoints are always all checked)."""
    anchor: ChainHead | None = None
    """The latest anchor outside the database the chain was compared with (``anchors``), if any."""
    warnings: list[str] = field(default_factory=list)
    """Things an operator must know that do not break the chain (head signed with the development key…)."""

    @property
    def intact(self) -> bool:
        return self.first_break is None


@dataclass
class ChainWalker:
    """Walks entries in sequence order, stepping over purged runs, and stops at the first break.

    Feed entries with :meth:`feed` (streaming: nothing is kept but the last hash), then call :meth:`finish`
    with the recorded chain head. The report is complete after :meth:`finish`.
    """

    purged_runs: Iterable[PurgedRun]
    report: VerificationReport = field(default_factory=VerificationReport)
    start_sequence: int = 1
    """Where the walk starts; a partial walk trusts ``start_hash`` as the hash of the entry before it."""
    start_hash: str = GENESIS_HASH

    def __post_init__(self) -> None:
        runs = (run for run in self.purged_runs if run.first_sequence >= self.start_sequence)
        self._runs = sorted(runs, key=lambda run: run.first_sequence)
        self._next_run = 0
        self._expected_sequence = self.start_sequence
        self._last_hash = self.start_hash

    @property
    def broken(self) -> bool:
        return self.report.first_break is not None

    def feed(self, link: ChainLink) -> bool:
        """Check one entry; return ``False`` once the chain is broken (the caller may stop feeding)."""
        if self.broken:
            return False
        if link.sequence < self._expected_sequence:
            return self._break(
                "sequence_disorder",
                f"séquence {link.sequence} reçue après la séquence {self._expected_sequence - 1}",
                link.sequence,
            )
        if not self._step_over_purged_runs(up_to=link.sequence):
            return False
        if link.previous_hash != self._last_hash:
            return self._break(
                "link_broken",
                f"maillon rompu à la séquence {link.sequence} : l'empreinte précédente ne correspond pas",
                link.sequence,
                expected=self._last_hash,
                found=link.previous_hash,
            )
        recomputed = compute_hash(link.content)
        if recomputed != link.hash:
            return self._break(
                "content_altered",
                f"contenu altéré à la séquence {link.sequence} : l'empreinte recalculée diffère de l'empreinte enregistrée",
                link.sequence,
                expected=recomputed,
                found=link.hash,
            )
        self._last_hash = link.hash
        self._expected_sequence = link.sequence + 1
        self.report.entries_checked += 1
        if self.report.first_sequence is None:
            self.report.first_sequence = link.sequence
        self.report.last_sequence = link.sequence
        return True

    def finish(self, head: ChainHead | None) -> VerificationReport:
        """Consume purged runs at the tail and compare the end of the chain with the recorded head."""
        self.report.head = head
        if self.broken:
            return self.report
        if not self._step_over_purged_runs(up_to=None):
            return self.report
        last_sequence = self._expected_sequence - 1
        if head is None:
            if last_sequence:
                self._break(
                    "head_mismatch",
                    f"tête de chaîne absente alors que le journal va jusqu'à la séquence {last_sequence}",
                    last_sequence,
                )
            return self.report
        if (head.sequence, head.hash) != (last_sequence, self._last_hash):
            self._break(
                "head_mismatch",
                f"la tête de chaîne annonce la séquence {head.sequence} mais le journal s'arrête à la séquence "
                f"{last_sequence} : entrées finales supprimées ou ajoutées hors du journal",
                head.sequence,
                expected=f"{head.sequence}:{head.hash}",
                found=f"{last_sequence}:{self._last_hash}",
            )
        return self.report

    def _step_over_purged_runs(self, up_to: int | None) -> bool:
        """Consume the purged runs that fill the hole before sequence ``up_to`` (all remaining runs if None)."""
        while True:
            run = self._runs[self._next_run] if self._next_run < len(self._runs) else None
            hole = up_to is None or self._expected_sequence < up_to
            if run is not None and run.first_sequence < self._expected_sequence:
                return self._break(
                    "purge_overlap",
                    f"le point de contrôle n° {run.checkpoint_id} déclare purgées les séquences "
                    f"{run.first_sequence} à {run.last_sequence}, qui chevauchent des entrées présentes",
                    run.first_sequence,
                )
            if not hole:
                return True
            if run is None and up_to is None:
                return True
            if run is None or run.first_sequence != self._expected_sequence:
                next_present = [s for s in (up_to, run.first_sequence if run else None) if s is not None]
                hole_end = min(next_present) - 1
                return self._break(
                    "unexplained_gap",
                    f"séquences {self._expected_sequence} à {hole_end} absentes sans point de contrôle de purge",
                    self._expected_sequence,
                )
            if up_to is not None and run.last_sequence >= up_to:
                return self._break(
                    "purge_overlap",
                    f"le point de contrôle n° {run.checkpoint_id} déclare purgée la séquence {up_to}, "
                    "pourtant présente",
                    up_to,
                )
            if run.entering_hash != self._last_hash:
                return self._break(
                    "link_broken",
                    f"maillon rompu à l'entrée de la purge des séquences {run.first_sequence} à "
                    f"{run.last_sequence} (point de contrôle n° {run.checkpoint_id})",
                    run.first_sequence,
                    expected=self._last_hash,
                    found=run.entering_hash,
                )
            self._last_hash = run.last_hash
            self._expected_sequence = run.last_sequence + 1
            self.report.purged_sequences += run.last_sequence - run.first_sequence + 1
            self._next_run += 1

    def _break(
        self, code: str, message: str, sequence: int | None, *, expected: str = "", found: str = ""
    ) -> bool:
        self.report.first_break = ChainBreak(code, message, sequence, expected, found)
        return False
