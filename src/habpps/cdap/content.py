"""What a beneficiary file holds, section by section, in a shape every source produces and every page renders.

A section's content is generic — facts (label, value), tables whose rows may be dated, and the few facts that
go on the summary sheet — so that a section an administrator adds and a back end starts to provide is shown
without new code. Dated rows are what the period view filters (CDP-5).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from habpps.cdap.periods import Period


@dataclass(frozen=True)
class Fact:
    label: str
    value: str


@dataclass(frozen=True)
class Row:
    """One line of a table; ``start``/``end`` say when it applies (``end`` None: still running).

    ``amount`` is the line's sum of money, when it has one, so that a total can be made over a period.
    """

    cells: tuple[str, ...]
    start: date | None = None
    end: date | None = None
    amount: Decimal | None = None

    def within(self, period: Period) -> bool:
        return self.start is None or period.overlaps(self.start, self.end)


@dataclass(frozen=True)
class Table:
    title: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...] = ()

    @property
    def is_dated(self) -> bool:
        return any(row.start is not None for row in self.rows)

    @property
    def has_amounts(self) -> bool:
        return any(row.amount is not None for row in self.rows)

    def total(self) -> Decimal:
        return sum((row.amount for row in self.rows if row.amount is not None), Decimal("0"))

    def within(self, period: Period) -> Table:
        return replace(self, rows=tuple(row for row in self.rows if row.within(period)))


@dataclass(frozen=True)
class SectionContent:
    """One section (rubrique) of one file as the source gave it."""

    code: str
    facts: tuple[Fact, ...] = ()
    tables: tuple[Table, ...] = ()
    summary: tuple[Fact, ...] = ()
    note: str = ""

    @property
    def has_history(self) -> bool:
        """Whether a period view makes sense: some table has dated rows."""
        return any(table.is_dated for table in self.tables)

    def within(self, period: Period) -> SectionContent:
        return replace(self, tables=tuple(table.within(period) for table in self.tables))

    def first_view_period(self, period: Period) -> Period:
        """``period`` moved back, when needed, so that no dated table is empty on a first visit.

        A table with nothing in the last months (the last letter was two years ago) starts from its latest
        line instead: the page then shows what the summary sheet announced rather than an empty table. Lines
        that start after the period (rights of next year) are not pulled in.
        """
        start = period.start
        for table in self.tables:
            if not table.is_dated or table.within(period).rows:
                continue
            earlier = [row.start for row in table.rows if row.start is not None and row.start <= period.end]
            if earlier:
                start = min(start, max(earlier))
        return Period(start, period.end)


@dataclass(frozen=True)
class BeneficiaryFile:
    """The sections of one file that were asked for — never more (data minimisation)."""

    fund_code: str
    number: str
    sections: Mapping[str, SectionContent] = field(default_factory=dict)

    def section(self, code: str) -> SectionContent | None:
        return self.sections.get(code)
