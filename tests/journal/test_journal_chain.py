"""The hash chain itself (AUD-2), without a database: hashing, canonical form, and the walk over links."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from habpps.journal.canonical import canonical_bytes, normalise_json
from habpps.journal.chain import (
    GENESIS_HASH,
    ChainHead,
    ChainLink,
    ChainWalker,
    PurgedRun,
    compute_hash,
    hashed_content,
)

START = datetime(2026, 1, 5, 8, 30, tzinfo=UTC)


def make_chain(length: int) -> list[ChainLink]:
    links, previous = [], GENESIS_HASH
    for sequence in range(1, length + 1):
        content = hashed_content(
            sequence=sequence,
            occurred_at=START + timedelta(seconds=sequence),
            kind="cdap.consultation",
            actor_pk=str(sequence % 3),
            actor_identifier=f"agent{sequence % 3}",
            org_scope="national/fund:1/partner:2",
            target=f"beneficiary:{sequence}",
            data={"section": "Droits"},
            before=None,
            after=None,
            request_id=f"req{sequence}",
            previous_hash=previous,
        )
        link = ChainLink(sequence, previous, compute_hash(content), content)
        links.append(link)
        previous = link.hash
    return links


def walk(links, runs=(), head=...):  # type: ignore[no-untyped-def]
    walker = ChainWalker(list(runs))
    for link in links:
        if not walker.feed(link):
            break
    if head is ...:
        head = ChainHead(links[-1].sequence, links[-1].hash) if links else None
    return walker.finish(head)


def run_over(links: list[ChainLink], first: int, last: int) -> PurgedRun:
    """The purged run a checkpoint would record for sequences first..last of ``links``."""
    return PurgedRun(first, last, links[first - 1].previous_hash, links[last - 1].hash, checkpoint_id=1)


def test_intact_chain_verifies_and_counts_every_entry():
    report = walk(make_chain(5))
    assert report.intact
    assert (report.entries_checked, report.first_sequence, report.last_sequence) == (5, 1, 5)


def test_first_entry_points_to_genesis():
    assert make_chain(1)[0].previous_hash == GENESIS_HASH


def test_edited_content_is_reported_with_recomputed_and_stored_hash():
    links = make_chain(5)
    edited = dict(links[2].content, target="beneficiary:999")
    links[2] = replace(links[2], content=edited)
    report = walk(links)
    assert report.first_break.code == "content_altered"
    assert report.first_break.sequence == 3
    assert report.first_break.found == links[2].hash
    assert report.first_break.expected == compute_hash(edited)


def test_entry_rehashed_by_the_attacker_breaks_the_next_link():
    links = make_chain(5)
    edited = dict(links[2].content, target="beneficiary:999")
    links[2] = replace(links[2], content=edited, hash=compute_hash(edited))
    report = walk(links, head=ChainHead(5, links[4].hash))
    assert (report.first_break.code, report.first_break.sequence) == ("link_broken", 4)
    assert report.first_break.expected == links[2].hash


def test_missing_entry_without_checkpoint_is_an_unexplained_gap():
    links = make_chain(6)
    report = walk(links[:2] + links[4:])
    assert report.first_break.code == "unexplained_gap"
    assert report.first_break.sequence == 3
    assert "3 à 4" in report.first_break.message


def test_purged_runs_bridge_the_holes_they_explain():
    links = make_chain(10)
    kept = [links[0], links[4], links[5], links[9]]
    runs = [run_over(links, 2, 4), run_over(links, 7, 9)]
    report = walk(kept, runs, head=ChainHead(10, links[9].hash))
    assert report.intact
    assert (report.entries_checked, report.purged_sequences) == (4, 6)


def test_purged_run_with_a_wrong_entering_hash_breaks_the_chain():
    links = make_chain(6)
    forged = replace(run_over(links, 2, 3), entering_hash="f" * 64)
    report = walk([links[0]] + links[3:], [forged])
    assert (report.first_break.code, report.first_break.sequence) == ("link_broken", 2)


def test_purged_run_covering_a_present_entry_is_refused():
    links = make_chain(5)
    report = walk(links, [run_over(links, 2, 3)])
    assert report.first_break.code == "purge_overlap"


def test_purge_at_the_tail_is_consumed_before_comparing_the_head():
    links = make_chain(5)
    report = walk(links[:3], [run_over(links, 4, 5)], head=ChainHead(5, links[4].hash))
    assert report.intact and report.purged_sequences == 2


def test_truncated_tail_is_detected_against_the_head():
    links = make_chain(5)
    report = walk(links[:3], head=ChainHead(5, links[4].hash))
    assert report.first_break.code == "head_mismatch"


def test_entries_but_no_head_is_reported():
    report = walk(make_chain(2), head=None)
    assert report.first_break.code == "head_mismatch"


def test_empty_journal_verifies():
    assert walk([], head=None).intact


def test_hash_does_not_depend_on_key_order():
    content = make_chain(1)[0].content
    assert compute_hash(dict(reversed(list(content.items())))) == compute_hash(content)


def test_normalised_json_turns_python_values_into_stable_json():
    value = {"when": datetime(2026, 1, 1, tzinfo=UTC), "amount": Decimal("12.50"), "big": 1e20, "one": 1.0}
    assert normalise_json(value) == {
        "when": "2026-01-01T00:00:00Z",
        "amount": "12.50",
        "big": 100000000000000000000,
        "one": 1,
    }


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@given(json_values)
def test_canonical_form_is_stable_through_a_json_round_trip(value):
    import json

    normalised = normalise_json(value)
    assert canonical_bytes(json.loads(json.dumps(normalised))) == canonical_bytes(normalised)


@given(st.integers(min_value=1, max_value=8), st.data())
def test_any_single_field_edit_is_caught_at_its_sequence(length, data):
    links = make_chain(length)
    index = data.draw(st.integers(min_value=0, max_value=length - 1))
    field = data.draw(
        st.sampled_from(["kind", "actor_identifier", "org_scope", "target", "data", "request_id"])
    )
    edited = dict(links[index].content, **{field: "falsifié"})
    links[index] = replace(links[index], content=edited)
    report = walk(links)
    assert report.first_break.sequence == index + 1
