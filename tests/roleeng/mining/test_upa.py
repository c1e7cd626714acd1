"""Reading user–permission assignments in the HP Labs text format (RE-5)."""

from __future__ import annotations

import pytest

from habpps.roleeng.mining.upa import UpaFormatError, UserPermissionAssignment, parse_upa, read_upa


def test_reads_pairs_with_leading_blanks_like_the_hp_datasets():
    upa = parse_upa(["        1          1", "        3          1", "        1          2"])
    assert upa.users == ("1", "3")
    assert upa.permissions == ("1", "2")
    assert upa.user_permissions == (frozenset({0, 1}), frozenset({0}))


def test_blank_lines_comments_and_repeated_pairs_are_ignored():
    upa = parse_upa(["# utilisateur permission", "", "alice lire", "   ", "alice lire", "  # fin", "bob ecrire\r"])
    assert upa.users == ("alice", "bob")
    assert upa.permissions == ("lire", "ecrire")
    assert upa.edge_count == 2


def test_users_and_permissions_are_separate_namespaces():
    upa = parse_upa(["1 1", "2 1"])
    assert upa.users == ("1", "2")
    assert upa.permissions == ("1",)


@pytest.mark.parametrize("line", ["alice", "alice lire écrire", "a b c d"])
def test_a_line_without_exactly_two_tokens_is_reported_with_its_number(line):
    with pytest.raises(UpaFormatError) as caught:
        parse_upa(["alice lire", "", line], source="upa.txt")
    assert caught.value.line == 3
    assert str(caught.value).startswith("upa.txt, ligne 3 : ")
    assert "2 attendus" in str(caught.value)


def test_a_file_that_is_not_utf8_is_reported_with_the_line(tmp_path):
    path = tmp_path / "upa.txt"
    path.write_bytes(b"alice lire\nbob \xe9crire\n")
    with pytest.raises(UpaFormatError) as caught:
        read_upa(path)
    assert caught.value.line == 2
    assert "UTF-8" in str(caught.value)


def test_a_missing_file_is_reported_in_french(tmp_path):
    with pytest.raises(UpaFormatError, match="lecture impossible"):
        read_upa(tmp_path / "absent.txt")


def test_line_numbers_count_only_newlines(tmp_path):
    path = tmp_path / "upa.txt"
    path.write_text("alice\x0blire\nbob\n", encoding="utf-8")  # \x0b is a line break for str.splitlines
    with pytest.raises(UpaFormatError) as caught:
        read_upa(path)
    assert caught.value.line == 2


def test_pairs_round_trip():
    pairs = [("u1", "p2"), ("u1", "p1"), ("u2", "p1")]
    upa = UserPermissionAssignment.from_pairs(pairs)
    assert sorted(upa.pairs()) == sorted(pairs)
    assert upa.permission_users() == (frozenset({0}), frozenset({0, 1}))
