"""CSV export (AUD-4): what a French spreadsheet opens correctly and can never execute."""

from __future__ import annotations

import csv
import io

import pytest

from habpps.journal.csv_export import BOM, csv_lines, neutralise, write_csv
from habpps.journal.models import JournalEntry
from habpps.journal.services import record_event


@pytest.mark.parametrize(
    ("cell", "exported"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+33 1 23", "'+33 1 23"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("partner:42", "partner:42"),
        ("", ""),
    ],
)
def test_formula_cells_are_neutralised(cell, exported):
    assert neutralise(cell) == exported


def read_back(text: str) -> list[list[str]]:
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text[len(BOM) :]), delimiter=";"))


@pytest.mark.django_db
def test_export_has_bom_semicolons_french_header_and_one_row_per_entry():
    record_event(
        "admin.partner.update",
        org_scope="national/fund:7/partner:42",
        target="=cmd|' /C calc'!A0",
        before={"nom": "Mairie d'Évry"},
        after={"nom": "Ville d'Évry; centre"},
        request_id="req-1",
    )
    record_event("auth.login.failure", target="dupont")
    stream = io.StringIO()
    count = write_csv(JournalEntry.objects.order_by("sequence"), stream)
    rows = read_back(stream.getvalue())
    assert count == 2
    assert rows[0][:4] == ["Séquence", "Horodatage (UTC)", "Type d'événement", "Acteur"]
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["Cible"] == "'=cmd|' /C calc'!A0"
    assert first["Après"] == '{"nom": "Ville d\'Évry; centre"}'
    assert first["Périmètre"] == "national/fund:7/partner:42"
    assert first["Horodatage (UTC)"].endswith("Z")
    assert rows[2][2] == "auth.login.failure"


@pytest.mark.django_db
def test_streamed_lines_equal_the_file_export():
    record_event("auth.login.success", target="martin")
    entries = JournalEntry.objects.order_by("sequence")
    stream = io.StringIO()
    write_csv(entries, stream)
    assert "".join(csv_lines(entries)) == stream.getvalue()
