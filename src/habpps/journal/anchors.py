"""Anchors of the chain head outside the database (AUD-2, red-team finding 1).

The signed head (``signing``) stops someone *without* the journal key from cutting the tail of the chain, but not
someone who once copied a genuine signed head (from the database or a backup) and later, with write access,
deletes every newer entry and puts that old head back: the shortened chain is then intact and correctly signed.
What defeats that replay is a record the database cannot rewrite: an *anchor* ``(sequence, hash, signature,
time)`` written to a store outside the database. ``habpps journal verify`` then refuses a chain that is shorter
than the latest anchor, or whose entry at the anchored sequence has another hash.

The store is a directory, ``HABPPS_JOURNAL_ANCHOR_DIR`` (setting, else environment variable; default
``<var>/journal-anchors``). Each anchor is a new file created with ``O_EXCL`` (never overwritten) and made read
only; in production the directory is a separate write-once (WORM / append-only) mount the database account cannot
reach. Anchors are written by ``habpps journal anchor`` and automatically after every
``HABPPS_JOURNAL_ANCHOR_EVERY_ENTRIES`` appends or ``HABPPS_JOURNAL_ANCHOR_EVERY_MINUTES`` minutes (after the
append's transaction commits, never inside it). Each anchor is itself signed with the journal key, so a forged
anchor file is reported too.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings

from .signing import is_valid, sign

logger = logging.getLogger(__name__)

ANCHOR_PURPOSE = "habpps-journal-anchor"
DIR_SETTING = "HABPPS_JOURNAL_ANCHOR_DIR"
FILE_PREFIX = "ancre-"


@dataclass(frozen=True)
class Anchor:
    """One anchored head: ``signature`` is the head's, ``seal`` the anchor's own (both with the journal key)."""

    sequence: int
    hash: str
    signature: str
    anchored_at: str
    seal: str = ""
    path: Path | None = None

    def payload(self) -> dict:
        return {
            "sequence": self.sequence,
            "hash": self.hash,
            "signature": self.signature,
            "anchored_at": self.anchored_at,
        }

    @property
    def authentic(self) -> bool:
        return bool(self.seal) and is_valid(ANCHOR_PURPOSE, self.payload(), self.seal)


class AnchorStoreError(Exception):
    """The anchor store cannot be read or written (missing mount, permissions, unreadable file)."""


def anchor_dir() -> Path:
    """Where anchors go: setting or environment variable ``HABPPS_JOURNAL_ANCHOR_DIR``, else under ``var/``."""
    configured = getattr(settings, DIR_SETTING, None) or os.environ.get(DIR_SETTING, "").strip()
    if configured:
        return Path(configured)
    return Path(settings.VAR_DIR) / "journal-anchors"


def write_anchor(sequence: int, entry_hash: str, signature: str, directory: Path | None = None) -> Anchor:
    """Write one anchor file (never overwriting one) and return it."""
    directory = directory or anchor_dir()
    now = datetime.now(UTC)
    anchor = Anchor(sequence, entry_hash, signature, now.isoformat(timespec="microseconds"))
    anchor = Anchor(**{**anchor.payload(), "seal": sign(ANCHOR_PURPOSE, anchor.payload())})
    body = json.dumps({**anchor.payload(), "seal": anchor.seal}, ensure_ascii=False, indent=1) + "\n"
    name = f"{FILE_PREFIX}{sequence:015d}-{now.strftime('%Y%m%dT%H%M%S%f')}.json"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(directory / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
        with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
            stream.write(body)
            stream.flush()
            os.fsync(stream.fileno())
    except FileExistsError:
        return read_anchor(directory / name)
    except OSError as error:
        raise AnchorStoreError(f"impossible d'écrire l'ancre dans {directory} : {error}") from error
    _last_anchor.note(sequence)
    return Anchor(**{**anchor.payload(), "seal": anchor.seal, "path": directory / name})


def read_anchor(path: Path) -> Anchor:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return Anchor(
            sequence=int(raw["sequence"]),
            hash=str(raw["hash"]),
            signature=str(raw["signature"]),
            anchored_at=str(raw["anchored_at"]),
            seal=str(raw.get("seal", "")),
            path=path,
        )
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise AnchorStoreError(f"ancre illisible : {path.name} ({error})") from error


def anchors(directory: Path | None = None) -> list[Anchor]:
    """Every anchor of the store, oldest sequence first (an unreadable file raises ``AnchorStoreError``)."""
    directory = directory or anchor_dir()
    if not directory.exists():
        return []
    try:
        paths = sorted(directory.glob(f"{FILE_PREFIX}*.json"))
    except OSError as error:
        raise AnchorStoreError(f"magasin d'ancres illisible : {directory} ({error})") from error
    return sorted((read_anchor(path) for path in paths), key=lambda a: (a.sequence, a.anchored_at))


def latest_anchor(directory: Path | None = None) -> Anchor | None:
    found = anchors(directory)
    return found[-1] if found else None


def anchor_current_head() -> Anchor | None:
    """Anchor the head as committed now; None while the journal is empty."""
    from .models import HEAD_PK, JournalHead

    head = JournalHead.objects.filter(pk=HEAD_PK).first()
    if head is None or head.sequence == 0:
        return None
    return write_anchor(head.sequence, head.hash, head.signature)


class _LastAnchor:
    """This process's idea of the last anchor, so that the automatic anchoring costs nothing per append."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.sequence: int | None = None
        self.at = 0.0

    def note(self, sequence: int) -> None:
        with self._lock:
            self.sequence, self.at = sequence, time.monotonic()

    def due(self, sequence: int) -> bool:
        every_entries = int(getattr(settings, "HABPPS_JOURNAL_ANCHOR_EVERY_ENTRIES", 0) or 0)
        every_minutes = float(getattr(settings, "HABPPS_JOURNAL_ANCHOR_EVERY_MINUTES", 0) or 0)
        if every_entries <= 0 and every_minutes <= 0:
            return False
        with self._lock:
            if self.sequence is None or sequence <= self.sequence:
                # First append of this process (or a new database): count from now, without reading the store.
                self.sequence, self.at = sequence - 1, time.monotonic()
            if every_entries > 0 and sequence - self.sequence >= every_entries:
                return True
            return every_minutes > 0 and time.monotonic() - self.at >= every_minutes * 60


_last_anchor = _LastAnchor()


def anchoring_due(sequence: int) -> bool:
    """Whether the append of ``sequence`` should be followed by an anchor (no I/O: a per-append check)."""
    return _last_anchor.due(sequence)


def anchor_if_due(sequence: int) -> None:
    """Called by every append, after its commit: anchor when the entry count or the delay says so."""
    if not _last_anchor.due(sequence):
        return
    _last_anchor.note(sequence)  # one anchor per period even if this write fails; the failure is logged
    try:
        anchor_current_head()
    except AnchorStoreError:
        logger.exception("Ancrage automatique du journal impossible")
    except Exception:  # never let the anchor store break the request that appended
        logger.exception("Ancrage automatique du journal en échec")
