"""The PDF document of a section over a period — the payment certificate of CDP-6.

Written with fpdf2's core Helvetica in the Windows-1252 encoding (which has « € » and French accents), so the
PDF needs no font file on the server and its text can be read back (tests do, with pypdf).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

from fpdf import FPDF
from fpdf.fonts import FontFace

from habpps.cdap.content import SectionContent
from habpps.cdap.formatting import NARROW_SPACE, NO_BREAK_SPACE, day, euros
from habpps.cdap.periods import Period


@dataclass(frozen=True)
class DocumentHeading:
    title: str
    fund_name: str
    beneficiary_number: str
    period: Period
    issued_on: date
    issued_by: str


ENCODING = "windows-1252"
# Letters Unicode does not decompose into a base letter and an accent.
_STROKED = str.maketrans({"Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h", "ı": "i"})


def _encodable(char: str) -> bool:
    try:
        char.encode(ENCODING)
    except UnicodeEncodeError:
        return False
    return True


def _fallback(char: str) -> str:
    """The closest the core font can show: the base letter of an accented one (« ő » → « o »), else « ? »."""
    base = "".join(
        c for c in unicodedata.normalize("NFKD", char.translate(_STROKED)) if not unicodedata.combining(c)
    )
    return base if base and all(_encodable(c) for c in base) else "?"


def _text(value: str) -> str:
    """What the core font can show: the narrow no-break space of French amounts becomes a no-break space, and
    any character outside Windows-1252 (a partner's name in Polish, an emoji) its closest form — stored names
    are free Unicode, and a document must never fail because of one."""
    value = value.replace(NARROW_SPACE, NO_BREAK_SPACE)
    return "".join(char if _encodable(char) else _fallback(char) for char in value)


def section_document(heading: DocumentHeading, content: SectionContent) -> bytes:
    """The PDF of ``content`` restricted to the heading's period."""
    shown = content.within(heading.period)
    pdf = FPDF(format="A4")
    pdf.core_fonts_encoding = ENCODING
    pdf.set_title(_text(f"{heading.title} — {heading.beneficiary_number}"))
    pdf.set_author(_text(heading.fund_name))
    pdf.set_creator("Mon Compte Partenaire — CDAP")
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_page()

    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(text=_text(heading.fund_name), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=9)
    pdf.cell(text="Caisse d'allocations familiales", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(text=_text(heading.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    pdf.cell(
        text=f"Période du {day(heading.period.start)} au {day(heading.period.end)}",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(4)

    for fact in shown.facts:
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(55, 6, _text(fact.label))
        pdf.set_font("Helvetica", size=10)
        pdf.multi_cell(0, 6, _text(fact.value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)

    for table in shown.tables:
        pdf.set_font("Helvetica", "B", 11)
        pdf.cell(text=_text(table.title), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
        pdf.set_font("Helvetica", size=9)
        if not table.rows:
            pdf.cell(text="Aucune ligne sur la période.", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(4)
            continue
        with pdf.table(headings_style=FontFace(emphasis="BOLD"), text_align="LEFT") as grid:
            grid.row([_text(column) for column in table.columns])
            for row in table.rows:
                grid.row([_text(cell) for cell in row.cells])
        if table.has_amounts:
            pdf.ln(1)
            pdf.set_font("Helvetica", "B", 10)
            pdf.cell(
                text=_text(f"Total de la période : {euros(table.total())}"), new_x="LMARGIN", new_y="NEXT"
            )
        pdf.ln(4)

    pdf.ln(6)
    pdf.set_font("Helvetica", "I", 8)
    pdf.multi_cell(
        0,
        4,
        _text(
            f"Document établi le {day(heading.issued_on)} par {heading.issued_by} au moyen du service CDAP de "
            "Mon Compte Partenaire, à partir des données du dossier allocataire. Sa consultation est tracée."
        ),
    )
    return bytes(pdf.output())
