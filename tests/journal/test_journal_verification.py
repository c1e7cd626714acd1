"""Tamper evidence (AUD-2): edits made behind the application's back are found by the verification.

The ``tamper`` fixture writes with raw SQL, as someone with database access would; on PostgreSQL it first
disables the append-only triggers, as the table owner can. The chain must catch what the trigger did not stop.
"""

from __future__ import annotations

import pytest

from habpps.journal.models import JournalHead
from habpps.journal.signing import sign_head
from habpps.journal.verification import verify_journal

pytestmark = pytest.mark.django_db


def test_untouched_journal_verifies(events):
    events(5)
    report = verify_journal()
    assert report.intact
    assert (report.entries_checked, report.head.sequence) == (5, 5)


def test_edited_row_is_reported_at_its_sequence(events, tamper):
    entries = events(5)
    tamper("UPDATE journal_journalentry SET target = %s WHERE sequence = 3", ["partner:999"])
    broken = verify_journal().first_break
    assert (broken.code, broken.sequence) == ("content_altered", 3)
    assert broken.found == entries[2].hash
    assert broken.expected != entries[2].hash


def test_edited_json_data_is_reported(events, tamper):
    events(3)
    tamper("UPDATE journal_journalentry SET data = %s WHERE sequence = 2", ['{"index": 42}'])
    assert verify_journal().first_break.sequence == 2


def test_deleted_row_is_an_unexplained_gap(events, tamper):
    events(5)
    tamper("DELETE FROM journal_journalentry WHERE sequence = 2")
    broken = verify_journal().first_break
    assert (broken.code, broken.sequence) == ("unexplained_gap", 2)


def test_row_replaced_with_recomputed_hash_breaks_the_following_link(events, tamper):
    from habpps.journal.chain import compute_hash
    from habpps.journal.models import JournalEntry

    events(4)
    forged = JournalEntry.objects.get(sequence=2)
    forged.target = "partner:999"
    new_hash = compute_hash(forged.hashed_content())
    tamper(
        "UPDATE journal_journalentry SET target = %s, hash = %s WHERE sequence = 2", ["partner:999", new_hash]
    )
    broken = verify_journal().first_break
    assert (broken.code, broken.sequence, broken.found) == (
        "link_broken",
        3,
        JournalEntry.objects.get(sequence=3).previous_hash,
    )


def test_cut_tail_is_detected_by_the_head(events, tamper):
    events(5)
    tamper("DELETE FROM journal_journalentry WHERE sequence >= 4")
    assert verify_journal().first_break.code == "head_mismatch"


def test_cut_tail_with_a_rewound_head_is_detected_by_its_signature(events, tamper):
    entries = events(5)
    tamper("DELETE FROM journal_journalentry WHERE sequence >= 4")
    tamper(
        "UPDATE journal_journalhead SET sequence = 3, hash = %s WHERE id = 1",
        [entries[2].hash],
    )
    broken = verify_journal().first_break
    assert (broken.code, broken.sequence) == ("head_forged", 3)


def test_head_signed_with_the_journal_key_is_accepted(events, tamper):
    entries = events(5)
    tamper("DELETE FROM journal_journalentry WHERE sequence >= 4")
    tamper(
        "UPDATE journal_journalhead SET sequence = 3, hash = %s, signature = %s WHERE id = 1",
        [entries[2].hash, sign_head(3, entries[2].hash)],
    )
    # Whoever holds the key can rewrite the tail: the key must live outside the database.
    assert verify_journal().intact


def test_row_appended_behind_the_head_is_reported(events, tamper):
    from habpps.journal.chain import GENESIS_HASH

    entries = events(2)
    tamper(
        "INSERT INTO journal_journalentry (sequence, occurred_at, kind, actor_pk, actor_identifier, org_scope,"
        " target, data, request_id, previous_hash, hash) VALUES (3, %s, 'auth.login.success', '', '', '', '',"
        " '{}', '', %s, %s)",
        [entries[1].occurred_at, entries[1].hash, GENESIS_HASH.replace("0", "a")],
    )
    broken = verify_journal().first_break
    assert broken is not None and broken.sequence == 3


def test_key_change_is_reported_rather_than_silently_accepted(events, settings):
    events(2)
    settings.HABPPS_JOURNAL_KEY = "une-autre-clé"
    assert verify_journal().first_break.code == "head_forged"


def test_empty_journal_with_its_initial_head_verifies(db):
    JournalHead.objects.create()
    assert verify_journal().intact


def test_partial_verification_walks_recent_entries_only(events, tamper):
    from datetime import timedelta

    entries = events(6)
    tamper("UPDATE journal_journalentry SET target = 'ancien' WHERE sequence = 1")
    since = entries[3].occurred_at - timedelta(microseconds=1)
    report = verify_journal(since=since)
    assert report.intact and report.partial_from == entries[3].sequence
    assert report.entries_checked == 3
    assert verify_journal().first_break.sequence == 1  # the full walk still finds the old edit


def test_partial_verification_finds_recent_edits(events, tamper):
    from datetime import timedelta

    entries = events(6)
    tamper("UPDATE journal_journalentry SET target = 'récent' WHERE sequence = 5")
    report = verify_journal(since=entries[3].occurred_at - timedelta(microseconds=1))
    assert (report.first_break.code, report.first_break.sequence) == ("content_altered", 5)


def test_partial_verification_with_nothing_recent_still_checks_the_signed_head(events, tamper):
    from datetime import timedelta

    entries = events(3)
    tamper("UPDATE journal_journalhead SET signature = %s WHERE id = 1", ["0" * 64])
    report = verify_journal(since=entries[2].occurred_at + timedelta(days=1))
    assert report.entries_checked == 0
    assert report.first_break.code == "head_forged"
