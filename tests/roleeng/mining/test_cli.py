"""`habpps roles mine UPA_FILE --time-limit SECONDS --out RESULT.json` (RE-5, CLI-1)."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from habpps.roleeng.mining.cli import EXIT_FAILURE, EXIT_OK, register_mine

# The shared HP Labs datasets sit next to the working tree (../shared), as in the benchmark.
DATASETS = Path(__file__).resolve().parents[3].parent / "shared" / "datasets" / "role-mining"


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="habpps roles")
    register_mine(parser.add_subparsers())
    args = parser.parse_args(["mine", *argv])
    return args.handler(args)


def composition(document: dict) -> set[tuple[str, str]]:
    return {(u, p) for role in document["roles"] for u in role["users"] for p in role["permissions"]}


def test_writes_roles_whose_composition_is_the_file(tmp_path, capsys):
    upa = tmp_path / "upa.txt"
    upa.write_text("# exemple\nalice lire\nalice ecrire\n\nbob lire\n  carole ecrire\ncarole valider\n")
    out = tmp_path / "result.json"
    assert run(str(upa), "--time-limit", "20", "--out", str(out)) == EXIT_OK
    document = json.loads(out.read_text(encoding="utf-8"))
    assert set(document) >= {"roles", "optimal", "lower_bound", "seconds"}
    assert composition(document) == {
        ("alice", "lire"), ("alice", "ecrire"), ("bob", "lire"), ("carole", "ecrire"), ("carole", "valider"),
    }
    assert (len(document["roles"]), document["optimal"], document["lower_bound"]) == (3, True, 3)
    assert all(isinstance(r["id"], str) for r in document["roles"])
    assert 0 < document["seconds"] < 20
    assert "3 rôles (minimum prouvé)" in capsys.readouterr().err


def test_a_malformed_line_is_reported_with_its_number_and_nothing_is_written(tmp_path, capsys):
    upa = tmp_path / "upa.txt"
    upa.write_text("alice lire\nbob\ncarole ecrire\n")
    out = tmp_path / "result.json"
    assert run(str(upa), "--time-limit", "5", "--out", str(out)) == EXIT_FAILURE
    assert "ligne 2" in capsys.readouterr().err
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [upa]


def test_a_missing_input_file_fails_cleanly(tmp_path, capsys):
    out = tmp_path / "result.json"
    assert run(str(tmp_path / "absent.txt"), "--time-limit", "5", "--out", str(out)) == EXIT_FAILURE
    assert "lecture impossible" in capsys.readouterr().err
    assert not out.exists()


def test_an_unwritable_output_fails_cleanly(tmp_path, capsys):
    upa = tmp_path / "upa.txt"
    upa.write_text("alice lire\n")
    assert run(str(upa), "--out", str(tmp_path / "absent" / "result.json")) == EXIT_FAILURE
    assert "écriture" in capsys.readouterr().err


@pytest.mark.parametrize("value", ["0", "-3", "abc", "inf"])
def test_the_time_limit_must_be_a_positive_number(tmp_path, value):
    with pytest.raises(SystemExit):
        run(str(tmp_path / "upa.txt"), "--time-limit", value, "--out", str(tmp_path / "r.json"))


@pytest.mark.skipif(not DATASETS.is_dir(), reason="HP Labs datasets not present")
def test_the_installed_command_solves_healthcare_to_its_proven_minimum(tmp_path):
    out = tmp_path / "hc.json"
    completed = subprocess.run(
        [sys.executable, "-m", "habpps", "roles", "mine", str(DATASETS / "hc.txt"), "--time-limit", "30",
         "--out", str(out)],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert completed.returncode == 0, completed.stderr
    document = json.loads(out.read_text(encoding="utf-8"))
    pairs = {tuple(line.split()) for line in (DATASETS / "hc.txt").read_text().splitlines() if line.strip()}
    assert composition(document) == pairs
    assert (len(document["roles"]), document["optimal"], document["lower_bound"]) == (14, True, 14)
