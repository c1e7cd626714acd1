"""`habpps journal verify|purge|export|retention` as an operator runs them (CLI-1, AUD-2..4)."""

from __future__ import annotations

import csv

import pytest

from habpps.cli import main
from habpps.journal.models import JournalEntry, PurgeCheckpoint

pytestmark = pytest.mark.django_db


def test_verify_reports_an_intact_chain_with_counts(events, capsys):
    events(3)
    assert main(["journal", "verify"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("chaîne intègre : 3 entrée(s) vérifiée(s) (séquences 1 à 3)")
    assert "tête : séquence 3" in out


def test_verify_names_the_first_broken_link_and_exits_1(events, tamper, capsys):
    entries = events(4)
    tamper("UPDATE journal_journalentry SET actor_identifier = 'intrus' WHERE sequence = 2")
    assert main(["journal", "verify"]) == 1
    err = capsys.readouterr().err
    assert "chaîne ROMPUE" in err and "séquence 2" in err
    assert f"trouvé   : {entries[1].hash}" in err


def test_purge_as_of_a_future_day_removes_expired_entries_and_signs(events, capsys):
    events(4, kinds=("auth.login.success", "admin.partner.update"))
    assert main(["journal", "purge", "--as-of", "2099-01-01"]) == 0
    assert "2 entrée(s) purgée(s)" in capsys.readouterr().out
    assert PurgeCheckpoint.objects.count() == 1
    assert main(["journal", "verify"]) == 0


def test_purge_dry_run_removes_nothing(events, capsys):
    events(2, kinds=("auth.login.success",))
    assert main(["journal", "purge", "--dry-run", "--as-of", "2099-01-01"]) == 0
    assert "seraient purgées" in capsys.readouterr().out
    assert JournalEntry.objects.count() == 2


def test_purge_of_a_broken_chain_exits_1(events, tamper, capsys):
    events(2, kinds=("auth.login.success",))
    tamper("UPDATE journal_journalentry SET target = 'x' WHERE sequence = 1")
    assert main(["journal", "purge", "--as-of", "2099-01-01"]) == 1
    assert "Purge refusée" in capsys.readouterr().err


def test_export_writes_filtered_csv_and_journals_the_export(events, tmp_path):
    events(4, kinds=("auth.login.success", "admin.partner.update"))
    output = tmp_path / "journal.csv"
    assert main(["journal", "export", "--kind", "auth", "-o", str(output)]) == 0
    text = output.read_text(encoding="utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(text[1:].splitlines(), delimiter=";"))
    assert [row[2] for row in rows[1:]] == ["auth.login.success", "auth.login.success"]
    export = JournalEntry.objects.get(kind="journal.export")
    assert export.data == {"filters": {"kind": "auth"}, "format": "csv", "source": "cli", "entries": 2}


def test_retention_lists_the_rules_in_force(capsys):
    assert main(["journal", "retention"]) == 0
    out = capsys.readouterr().out
    assert "auth" in out and "365 jours" in out and "sans limite" in out


def test_retention_rules_are_changed_from_the_command_line(capsys):
    assert main(["journal", "retention", "--set", "cdap.consultation", "180", "--reason", "CNIL"]) == 0
    assert main(["journal", "retention", "--forever", "admin"]) == 0
    out = capsys.readouterr().out
    assert "180 jours" in out
    assert main(["journal", "retention", "--unset", "cdap.consultation"]) == 0
    assert main(["journal", "retention", "--unset", "cdap.consultation"]) == 1
    assert main(["journal", "retention", "--set", "auth", "un an"]) == 2
    assert "durée invalide" in capsys.readouterr().err


def test_verify_since_a_day_says_it_is_partial(events, capsys):
    events(2)
    assert main(["journal", "verify", "--since", "2000-01-01"]) == 0
    assert "vérification partielle depuis la séquence 1" in capsys.readouterr().out
