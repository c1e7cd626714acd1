"""Red-team finding 1 (tail cut with an older genuine signed head) and 9 (development key), issue 18.

The attacker copied the ``journal_journalhead`` row once; later, with write access, deletes every newer entry and
puts the old head back. The shortened chain is intact and genuinely signed: only the anchor written outside the
database (``habpps journal anchor``) tells the journal was cut.
"""

from __future__ import annotations

import os

import pytest

from habpps.cli import main
from habpps.journal.anchors import anchor_dir, anchors, latest_anchor
from habpps.journal.models import JournalHead
from habpps.journal.verification import verify_journal

pytestmark = pytest.mark.django_db


def cut_tail_and_restore(tamper, old_head: tuple[int, str, str]) -> None:
    sequence, entry_hash, signature = old_head
    tamper("DELETE FROM journal_journalentry WHERE sequence > %s", [sequence])
    tamper(
        "UPDATE journal_journalhead SET sequence = %s, hash = %s, signature = %s WHERE id = 1",
        [sequence, entry_hash, signature],
    )


def test_a_tail_cut_with_an_old_genuine_head_put_back_fails_verify_after_an_anchor(events, tamper, capsys):
    events(3)
    head = JournalHead.objects.get()
    stolen = (head.sequence, head.hash, head.signature)  # a copy of the row, from a backup say
    events(4)
    assert main(["journal", "anchor"]) == 0
    assert "ancre écrite : séquence 7" in capsys.readouterr().out
    cut_tail_and_restore(tamper, stolen)
    # Without the anchor the chain proves itself: the attack of the red team.
    report = verify_journal()
    assert report.first_break is not None and report.first_break.code == "anchor_ahead"
    assert main(["journal", "verify"]) == 1
    err = capsys.readouterr().err
    assert "chaîne ROMPUE" in err and "séquence 7" in err


def test_without_any_anchor_the_cut_is_invisible_which_is_why_anchors_exist(events, tamper):
    events(3)
    head = JournalHead.objects.get()
    stolen = (head.sequence, head.hash, head.signature)
    events(2)
    cut_tail_and_restore(tamper, stolen)
    assert verify_journal().intact


def test_a_chain_that_disagrees_with_the_anchor_fails(events, tamper):
    events(3)
    assert main(["journal", "anchor"]) == 0
    anchored = latest_anchor()
    tamper("UPDATE journal_journalentry SET hash = %s WHERE sequence = 3", ["f" * 64])
    tamper("UPDATE journal_journalhead SET hash = %s WHERE id = 1", ["f" * 64])
    report = verify_journal()
    assert not report.intact
    assert anchored.sequence == 3


def test_a_forged_anchor_file_is_reported(events, settings):
    events(2)
    assert main(["journal", "anchor"]) == 0
    path = anchors()[-1].path
    os.chmod(path, 0o644)
    path.write_text(path.read_text().replace('"sequence": 2', '"sequence": 9'))
    report = verify_journal()
    assert report.first_break.code == "anchor_forged"


def test_anchor_files_are_never_overwritten_and_read_only(events):
    events(1)
    assert main(["journal", "anchor"]) == 0
    assert main(["journal", "anchor"]) == 0
    written = anchors()
    assert len(written) == 2
    assert all(not os.access(a.path, os.W_OK) or os.geteuid() == 0 for a in written)
    assert all(oct(a.path.stat().st_mode)[-3:] == "444" for a in written)
    assert written[0].path.parent == anchor_dir()


def test_an_append_past_the_anchor_still_verifies(events):
    events(2)
    assert main(["journal", "anchor"]) == 0
    events(3)
    assert verify_journal().intact


@pytest.mark.django_db(transaction=True)
def test_anchoring_is_automatic_every_n_entries(settings):
    from habpps.journal.services import record_event

    settings.HABPPS_JOURNAL_ANCHOR_EVERY_ENTRIES = 5
    for index in range(12):
        record_event("admin.partner.update", target=f"partner:{index}")
    sequences = [a.sequence for a in anchors()]
    assert sequences and max(sequences) >= 10
    assert verify_journal().intact


def test_verify_warns_loudly_when_the_head_is_signed_with_the_development_key(events, settings, capsys):
    from habpps.development import DEVELOPMENT_SECRET_KEY

    settings.HABPPS_JOURNAL_KEY = None
    settings.SECRET_KEY = DEVELOPMENT_SECRET_KEY
    events(2)
    assert main(["journal", "verify"]) == 0
    err = capsys.readouterr().err
    assert "AVERTISSEMENT" in err and "clé de DÉVELOPPEMENT" in err


def test_no_warning_with_a_key_of_ones_own(events, capsys):
    events(2)
    assert main(["journal", "verify"]) == 0
    assert "AVERTISSEMENT" not in capsys.readouterr().err
