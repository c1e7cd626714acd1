"""CSV export of journal entries, for spreadsheets used by French auditors.

UTF-8 with a byte-order mark and ``;`` as separator, which is what a French-locale spreadsheet opens correctly
by double-click. Every cell that a spreadsheet would read as a formula (starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return) is prefixed with an apostrophe: journal content comes from users (targets,
logins typed at the login form), and an export must never execute it (CSV injection, OWASP).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from django.utils.translation import gettext as _

from .chain import utc_timestamp
from .models import JournalEntry

BOM = "\ufeff"
DELIMITER = ";"
_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def csv_header() -> list[str]:
    return [
        _("Séquence"),
        _("Horodatage (UTC)"),
        _("Type d'événement"),
        _("Acteur"),
        _("Périmètre"),
        _("Cible"),
        _("Identifiant de requête"),
        _("Données"),
        _("Avant"),
        _("Après"),
        _("Empreinte précédente"),
        _("Empreinte"),
    ]


def neutralise(cell: str) -> str:
    """Make a cell inert for spreadsheets: a leading formula character is escaped with an apostrophe."""
    return f"'{cell}" if cell.startswith(_FORMULA_TRIGGERS) else cell


def entry_row(entry: JournalEntry) -> list[str]:
    """One CSV row, every cell neutralised."""
    cells = [
        str(entry.sequence),
        utc_timestamp(entry.occurred_at).replace("+00:00", "Z"),
        entry.kind,
        entry.actor_identifier,
        entry.org_scope,
        entry.target,
        entry.request_id,
        _json_cell(entry.data),
        _json_cell(entry.before),
        _json_cell(entry.after),
        entry.previous_hash,
        entry.hash,
    ]
    return [neutralise(cell) for cell in cells]


def _json_cell(value: Any) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def write_csv(entries: Iterable[JournalEntry], stream: TextIO) -> int:
    """Write the BOM, the header and one row per entry to ``stream``; return the number of entries."""
    stream.write(BOM)
    writer = csv.writer(stream, delimiter=DELIMITER, lineterminator="\r\n")
    writer.writerow(csv_header())
    count = 0
    for entry in entries:
        writer.writerow(entry_row(entry))
        count += 1
    return count


class _Line:
    """A write-only file whose ``write`` returns what it was given, for streaming csv.writer output."""

    def write(self, value: str) -> str:
        return value


def csv_lines(entries: Iterable[JournalEntry]) -> Iterator[str]:
    """The export as an iterator of text lines (BOM first), for a streaming HTTP response."""
    writer = csv.writer(_Line(), delimiter=DELIMITER, lineterminator="\r\n")
    yield BOM + writer.writerow(csv_header())
    for entry in entries:
        yield writer.writerow(entry_row(entry))
