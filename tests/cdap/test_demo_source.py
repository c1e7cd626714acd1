"""CDP-8: the demo adapter gives realistic, deterministic French files, and only the sections asked for."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from cdap.conftest import TODAY
from habpps.cdap.content import Row, SectionContent, Table
from habpps.cdap.periods import Period, default_period
from habpps.cdap.sources import UnknownBeneficiary
from habpps.cdap.sources.demo import SECTION_BUILDERS, DemoBeneficiaryFileSource
from habpps.directory.reference_data import CDAP_SECTIONS

ALL = list(SECTION_BUILDERS)


@pytest.fixture
def source():
    return DemoBeneficiaryFileSource(today=lambda: TODAY)


def test_the_same_number_gives_the_same_file(source):
    assert source.fetch("751", "1234567", ALL) == DemoBeneficiaryFileSource(today=lambda: TODAY).fetch(
        "751", "1234567", ALL
    )


def test_another_fund_or_number_gives_another_household(source):
    holder = source.fetch("751", "1234567", ["dossier"]).section("dossier").facts[1].value
    assert source.fetch("691", "1234567", ["dossier"]).section("dossier").facts[1].value != holder
    assert source.fetch("751", "1234568", ["dossier"]).section("dossier").facts[1].value != holder


def test_only_the_sections_asked_for_are_built(source):
    beneficiary_file = source.fetch("751", "1234567", ["qf", "enfants"])
    assert set(beneficiary_file.sections) == {"qf", "enfants"}
    assert source.fetch("751", "1234567", ()).sections == {}


def test_a_section_the_source_does_not_know_is_absent(source):
    assert source.fetch("751", "1234567", ["rubrique-future"]).sections == {}


@pytest.mark.parametrize("number", ["0000001", "9999999", "9123456"])
def test_numbers_outside_the_demo_range_are_unknown(source, number):
    with pytest.raises(UnknownBeneficiary):
        source.fetch("751", number, ALL)


def test_every_seeded_section_has_a_demo_builder():
    assert {code for code, _ in CDAP_SECTIONS} == set(SECTION_BUILDERS)


def test_files_look_french_and_consistent(source):
    for number in range(1000000, 1000060):
        beneficiary_file = source.fetch("751", str(number), ALL)
        address = beneficiary_file.section("adresse").facts[0].value
        assert ", 75" in address  # the fund's department
        famille = beneficiary_file.section("famille")
        enfants = beneficiary_file.section("enfants")
        dependants = int(famille.facts[1].value)
        assert enfants.summary[0].value == str(dependants)
        payments = beneficiary_file.section("paiement").tables[0]
        assert all(row.amount > 0 and row.cells[3].endswith("€") for row in payments.rows)
        assert [row.start for row in payments.rows] == sorted(
            (row.start for row in payments.rows), reverse=True
        )
        assert all(row.start <= TODAY for row in payments.rows)


def test_ressources_consolidates_annual_and_quarterly_resources(source):
    ressources = source.fetch("751", "1234567", ["ressources"]).section("ressources")
    titles = [table.title for table in ressources.tables]
    assert titles == ["Ressources annuelles (déclaration fiscale)", "Ressources trimestrielles déclarées"]
    assert all(row.cells[0].startswith("T") for row in ressources.tables[1].rows)
    assert len(ressources.tables[1].rows) == 8


def test_a_period_keeps_the_rows_that_touch_it(source):
    paiement = source.fetch("751", "1234567", ["paiement"]).section("paiement")
    period = Period(date(2025, 1, 1), date(2025, 3, 31))
    kept = paiement.within(period).tables[0].rows
    assert kept and all(period.contains(row.start) for row in kept)
    outside = [row for row in paiement.tables[0].rows if not period.contains(row.start)]
    assert len(kept) + len(outside) == len(paiement.tables[0].rows)
    assert paiement.within(period).tables[0].total() == sum((row.amount for row in kept), Decimal(0))


def test_open_ended_rights_stay_in_every_later_period():
    period = Period(date(2025, 1, 1), date(2025, 12, 31))
    assert period.overlaps(date(2020, 5, 1), None)
    assert not period.overlaps(date(2020, 5, 1), date(2024, 12, 31))
    assert not period.overlaps(date(2026, 1, 1), None)


def test_the_default_period_is_the_last_calendar_months():
    assert default_period(date(2026, 3, 15), 12) == Period(date(2025, 4, 1), date(2026, 3, 15))
    assert default_period(date(2026, 1, 31), 1) == Period(date(2026, 1, 1), date(2026, 1, 31))


def test_a_first_visit_moves_the_period_back_only_for_a_table_otherwise_empty():
    period = Period(date(2025, 4, 1), date(2026, 3, 15))
    old = Table("Courriers", ("Date",), (Row(("a",), start=date(2023, 5, 2), end=date(2023, 5, 2)),
                                          Row(("b",), start=date(2024, 1, 9), end=date(2024, 1, 9))))
    recent = Table("Paiements", ("Date",), (Row(("c",), start=date(2026, 2, 5), end=date(2026, 2, 5)),))
    future = Table("Droits", ("Année",), (Row(("d",), start=date(2027, 1, 1), end=date(2027, 12, 31)),))
    assert SectionContent("x", tables=(recent,)).first_view_period(period) == period
    assert SectionContent("x", tables=(future,)).first_view_period(period) == period
    assert SectionContent("x", tables=(recent, old)).first_view_period(period) == Period(date(2024, 1, 9), period.end)


@pytest.mark.parametrize("number", [f"{n:07d}" for n in range(1000000, 1000400, 7)])
def test_the_first_visit_of_ressources_and_courrier_shows_what_the_summary_announces(source, number):
    """The summary sheet's « Revenus … » and « Dernier courrier » lines are on the section's first view."""
    beneficiary_file = source.fetch("751", number, ["ressources", "courrier"])
    default = default_period(TODAY, 12)
    for code in ("ressources", "courrier"):
        content = beneficiary_file.section(code)
        shown = content.within(content.first_view_period(default))
        assert all(table.rows for table in shown.tables if table.is_dated), (code, number)
        cells = [" ".join(row.cells) for table in shown.tables for row in table.rows]
        for fact in content.summary:
            label = fact.label.split(" (")[0]  # « Revenus 2024 (droits 2026) » → the line « Revenus 2024 »
            value = fact.value.split(" — ")[0]  # « 12/01/2026 — Avis de paiement » → its date
            assert any(label in cell or value in cell for cell in cells), (code, number, fact)


def test_annual_resources_apply_to_the_rights_year_and_the_summary_names_the_current_rights(source):
    ressources = source.fetch("751", "1234567", ["ressources"]).section("ressources")
    annual = ressources.tables[0]
    for row in annual.rows:
        income_year = int(row.cells[0].split()[-1])
        assert row.start == date(income_year + 2, 1, 1) and row.cells[1] == f"Droits {income_year + 2}"
    assert ressources.summary[0].label == f"Revenus {TODAY.year - 2} (droits {TODAY.year})"
