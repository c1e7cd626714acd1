"""CSV export of every dashboard (SUP-8): UTF-8 with a byte-order mark, ``;`` separated, as a French-locale
spreadsheet opens it by double-click, every cell neutralised against formula injection.

The encoding rules are the journal's (:mod:`habpps.journal.csv_export`), reused rather than copied: the platform
has one definition of a safe CSV cell.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence

from django.http import StreamingHttpResponse
from django.utils import timezone

from habpps.journal.csv_export import BOM, DELIMITER, neutralise


class _Line:
    def write(self, value: str) -> str:
        return value


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterator[str]:
    """The BOM and header line, then one line per row; ``None`` is an empty cell."""
    writer = csv.writer(_Line(), delimiter=DELIMITER, lineterminator="\r\n")
    yield BOM + writer.writerow([neutralise(str(cell)) for cell in header])
    for row in rows:
        yield writer.writerow([neutralise("" if cell is None else str(cell)) for cell in row])


def csv_response(name: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> StreamingHttpResponse:
    """A streamed attachment ``<name>-<date>.csv``: a national list never has to fit in memory."""
    filename = f"{name}-{timezone.localtime():%Y%m%d-%H%M}.csv"
    return StreamingHttpResponse(
        csv_lines(header, rows),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
