"""Verify the journal as stored: checkpoint signatures, every link of the chain, and the signed head.

``habpps journal verify`` and the purge (which refuses to sign over a broken chain) call
:func:`verify_journal`. Entries are streamed in sequence order, so memory stays flat whatever the size of the
journal. On PostgreSQL the whole verification reads one REPEATABLE READ snapshot, so appends and purges that
commit meanwhile are invisible to it; elsewhere the walk stops at the head read first.
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection, transaction

from .anchors import AnchorStoreError, latest_anchor
from .chain import (
    GENESIS_HASH,
    ChainBreak,
    ChainHead,
    ChainLink,
    ChainWalker,
    VerificationReport,
    hashed_content,
)
from .checkpoints import checkpoint_is_authentic, runs_of
from .models import HEAD_PK, JournalEntry, JournalHead, PurgeCheckpoint
from .signing import head_is_authentic, signed_with_development_key

_ENTRY_FIELDS = (
    "sequence",
    "occurred_at",
    "kind",
    "actor_pk",
    "actor_identifier",
    "org_scope",
    "target",
    "data",
    "before",
    "after",
    "request_id",
    "previous_hash",
    "hash",
)


def verify_journal(*, since: datetime | None = None, chunk_size: int = 2000) -> VerificationReport:
    """Check the journal and return a report naming the first broken link, if any.

    With ``since``, only the entries appended from that moment on are walked, starting from the hash their first
    one names: a quick check of recent history between two full verifications (edits of older entries are only
    found by a full one). Checkpoint signatures and the signed head are always checked.
    """
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            return _verify(since, chunk_size, snapshot=True)
    return _verify(since, chunk_size, snapshot=False)


def _verify(since: datetime | None, chunk_size: int, *, snapshot: bool) -> VerificationReport:
    head_row = JournalHead.objects.filter(pk=HEAD_PK).first()
    report = VerificationReport()
    runs = []
    for checkpoint in PurgeCheckpoint.objects.prefetch_related("runs").order_by("pk"):
        rows = list(checkpoint.runs.order_by("first_sequence"))
        report.checkpoints_checked += 1
        if not checkpoint_is_authentic(checkpoint, rows):
            report.first_break = ChainBreak(
                "checkpoint_forged",
                f"point de contrôle de purge n° {checkpoint.pk} : signature invalide (falsifié ou clé changée)",
                checkpoint.first_sequence,
            )
            return report
        runs.extend(runs_of(checkpoint, rows))

    entries = JournalEntry.objects.order_by("sequence").values(*_ENTRY_FIELDS)
    if not snapshot and head_row is not None:
        # Without a snapshot, appends committed during the walk would look like entries beyond the head.
        entries = entries.filter(sequence__lte=head_row.sequence)
    start_sequence, start_hash = 1, GENESIS_HASH
    if since is not None:
        start_sequence, start_hash = _first_entry_since(since, head_row)
        report.partial_from = start_sequence
        entries = entries.filter(sequence__gte=start_sequence)
    walker = ChainWalker(runs, report, start_sequence=start_sequence, start_hash=start_hash)
    for row in entries.iterator(chunk_size=chunk_size):
        entry_hash = row.pop("hash")
        if not walker.feed(
            ChainLink(row["sequence"], row["previous_hash"], entry_hash, hashed_content(**row))
        ):
            return walker.finish(_head(head_row))
    report = walker.finish(_head(head_row))
    if report.intact and head_row is not None:
        report.first_break = _head_signature_break(head_row) or (
            None if snapshot else _entries_beyond_unmoved_head(head_row)
        )
    if report.intact:
        report.first_break = _anchor_break(report, head_row, runs)
    if head_row is not None and head_row.sequence and signed_with_development_key(
        head_row.sequence, head_row.hash, head_row.signature
    ):
        report.warnings.append(
            "la tête de chaîne est signée avec la clé de DÉVELOPPEMENT publiée : n'importe qui peut "
            "re-signer ce journal. Définir HABPPS_JOURNAL_KEY (ou SECRET_KEY) secret en production."
        )
    return report


def _anchor_break(report: VerificationReport, head: JournalHead | None, runs: list) -> ChainBreak | None:
    """Compare the chain with the latest anchor written outside the database (``anchors``).

    A chain that ends before the anchored sequence was cut (even if its head is genuinely signed: an old head
    put back); an entry at the anchored sequence with another hash means the chain was rewritten.
    """
    try:
        anchor = latest_anchor()
    except AnchorStoreError as error:
        return ChainBreak("anchor_store", f"magasin d'ancres illisible : {error}")
    if anchor is None:
        return None
    report.anchor = ChainHead(anchor.sequence, anchor.hash)
    if not anchor.authentic:
        return ChainBreak(
            "anchor_forged",
            f"ancre de la séquence {anchor.sequence} ({anchor.path.name if anchor.path else '?'}) : "
            "signature invalide (falsifiée ou clé changée)",
            anchor.sequence,
        )
    head_sequence = head.sequence if head is not None else 0
    if head_sequence < anchor.sequence:
        return ChainBreak(
            "anchor_ahead",
            f"la chaîne s'arrête à la séquence {head_sequence} mais une ancre du {anchor.anchored_at} "
            f"atteste la séquence {anchor.sequence} : fin du journal supprimée (tête ancienne remise en place ?)",
            anchor.sequence,
            expected=f"{anchor.sequence}:{anchor.hash}",
            found=f"{head_sequence}:{head.hash if head is not None else GENESIS_HASH}",
        )
    stored = JournalEntry.objects.filter(sequence=anchor.sequence).values_list("hash", flat=True).first()
    if stored is None:
        # Purged since: the checkpoint's run records the hash of its last entry only.
        run = next((r for r in runs if r.first_sequence <= anchor.sequence <= r.last_sequence), None)
        if run is None:
            return ChainBreak(
                "anchor_mismatch",
                f"l'entrée de séquence {anchor.sequence} attestée par l'ancre est absente sans purge signée",
                anchor.sequence,
            )
        stored = run.last_hash if run.last_sequence == anchor.sequence else anchor.hash
    if stored != anchor.hash:
        return ChainBreak(
            "anchor_mismatch",
            f"l'entrée de séquence {anchor.sequence} ne correspond pas à l'ancre du {anchor.anchored_at} : "
            "chaîne réécrite",
            anchor.sequence,
            expected=anchor.hash,
            found=stored,
        )
    return None


def _first_entry_since(since: datetime, head: JournalHead | None) -> tuple[int, str]:
    """Where a partial walk starts: the first entry from ``since`` and the hash it names as its predecessor.

    Without any such entry the walk starts past the head, so only the head itself is compared.
    """
    first = (
        JournalEntry.objects.filter(occurred_at__gte=since)
        .order_by("sequence")
        .values_list("sequence", "previous_hash")
        .first()
    )
    if first is not None:
        return first
    return (head.sequence + 1, head.hash) if head is not None else (1, GENESIS_HASH)


def _head(row: JournalHead | None) -> ChainHead | None:
    return None if row is None else ChainHead(row.sequence, row.hash)


def _head_signature_break(head: JournalHead) -> ChainBreak | None:
    if head.sequence == 0 and head.hash == GENESIS_HASH:
        return None  # the head as the migration created it, before any append
    if head_is_authentic(head.sequence, head.hash, head.signature):
        return None
    return ChainBreak(
        "head_forged",
        f"tête de chaîne (séquence {head.sequence}) : signature invalide (réécrite ou clé changée)",
        head.sequence,
    )


def _entries_beyond_unmoved_head(head: JournalHead) -> ChainBreak | None:
    """Entries past a head that did not move during the walk were not appended by ``record_event``."""
    current = JournalHead.objects.filter(pk=HEAD_PK).values_list("sequence", flat=True).first()
    if current != head.sequence:
        return None
    beyond = JournalEntry.objects.filter(sequence__gt=head.sequence).order_by("sequence").first()
    if beyond is None:
        return None
    return ChainBreak(
        "head_mismatch",
        f"entrée de séquence {beyond.sequence} au-delà de la tête de chaîne (séquence {head.sequence}) : "
        "ajoutée hors du journal",
        beyond.sequence,
        expected=f"{head.sequence}:{head.hash}",
        found=f"{beyond.sequence}:{beyond.hash}",
    )
