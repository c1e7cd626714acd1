"""Appending events (AUD-1): what ``record_event`` stores, inside whose transaction, and what it refuses."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from habpps.journal.chain import GENESIS_HASH
from habpps.journal.context import request_id_context
from habpps.journal.exceptions import AppendOnlyViolation, InvalidEvent
from habpps.journal.models import JournalEntry, JournalHead
from habpps.journal.services import record_event
from habpps.journal.verification import verify_journal

pytestmark = pytest.mark.django_db


def make_account():
    """An account of whatever user model the settings name, through its own manager."""
    model = get_user_model()
    if hasattr(model.objects, "create_account"):
        return model.objects.create_account(
            first_name="Camille", last_name="Durand", email="camille.durand@example.fr", org_level="national"
        )
    return model.objects.create_user(username="camille.durand")


def test_event_keeps_actor_scope_target_and_before_after():
    account = make_account()
    entry = record_event(
        "admin.partner.update",
        actor=account,
        org_scope="national/fund:7/partner:42",
        target="partner:42",
        before={"name": "Mairie de Lyon"},
        after={"name": "Ville de Lyon"},
        request_id="req-1",
    )
    stored = JournalEntry.objects.get(sequence=entry.sequence)
    assert stored.actor_identifier == account.get_username()
    assert stored.actor_pk == str(account.pk)
    assert (stored.org_scope, stored.target, stored.request_id) == (
        "national/fund:7/partner:42",
        "partner:42",
        "req-1",
    )
    assert (stored.before, stored.after) == ({"name": "Mairie de Lyon"}, {"name": "Ville de Lyon"})


def test_entries_are_numbered_and_chained_from_genesis():
    first = record_event("auth.login.success")
    second = record_event("auth.logout")
    assert (first.sequence, second.sequence) == (1, 2)
    assert first.previous_hash == GENESIS_HASH
    assert second.previous_hash == first.hash
    head = JournalHead.objects.get()
    assert (head.sequence, head.hash) == (2, second.hash)


def test_request_id_defaults_to_the_current_request():
    with request_id_context("abc123"):
        entry = record_event("access.denied", target="/annuaire/")
    assert entry.request_id == "abc123"
    assert record_event("access.denied").request_id == ""


def test_python_values_in_data_are_stored_as_they_were_hashed():
    entry = record_event(
        "workflow.convention.validated", data={"on": date(2026, 3, 1), "amount": Decimal("1.50")}
    )
    assert JournalEntry.objects.get(sequence=entry.sequence).data == {"on": "2026-03-01", "amount": "1.50"}
    assert verify_journal().intact


def test_rolled_back_change_leaves_no_journal_row():
    record_event("auth.login.success")
    with pytest.raises(RuntimeError), transaction.atomic():
        record_event("admin.partner.update", target="partner:1")
        raise RuntimeError("la modification échoue après la journalisation")
    assert list(JournalEntry.objects.values_list("kind", flat=True)) == ["auth.login.success"]
    assert JournalHead.objects.get().sequence == 1
    assert record_event("auth.logout").sequence == 2
    assert verify_journal().intact


def test_anonymous_actor_is_recorded_as_no_actor():
    from django.contrib.auth.models import AnonymousUser

    entry = record_event("auth.login.failure", actor=AnonymousUser(), target="inconnu")
    assert (entry.actor_pk, entry.actor_identifier) == ("", "")


@pytest.mark.parametrize("kind", ["", "Auth.Login", "auth..login", "auth login", "auth.", "a" * 101])
def test_malformed_kind_is_refused(kind):
    with pytest.raises(InvalidEvent):
        record_event(kind)


def test_overlong_target_is_refused_rather_than_truncated():
    with pytest.raises(InvalidEvent):
        record_event("cdap.consultation", target="x" * 256)


def test_data_that_is_not_json_is_refused():
    with pytest.raises(InvalidEvent):
        record_event("cdap.consultation", data={"sections": {"Droits", "Dossier"}})


def test_entries_cannot_be_modified_or_deleted_through_the_orm():
    entry = record_event("auth.login.success")
    entry.target = "falsifié"
    with pytest.raises(AppendOnlyViolation):
        entry.save()
    with pytest.raises(AppendOnlyViolation):
        entry.delete()
    with pytest.raises(AppendOnlyViolation):
        JournalEntry.objects.filter(sequence=entry.sequence).update(target="falsifié")
    with pytest.raises(AppendOnlyViolation):
        JournalEntry.objects.all().delete()
    assert JournalEntry.objects.get().target == ""


def test_nul_characters_are_journaled_as_replacement_characters():
    entry = record_event("auth.login.failure", target="admin\x00", data={"login\x00": "x\x00y"})
    stored = JournalEntry.objects.get(sequence=entry.sequence)
    assert stored.target == "admin\ufffd"
    assert stored.data == {"login\ufffd": "x\ufffdy"}
    assert verify_journal().intact


# Any text a UTF-8 database can hold (surrogates cannot be encoded at all); NUL included, see the test above.
json_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=10)
json_leaves = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False, width=64)
    | json_text
)
json_data = st.dictionaries(
    json_text,
    st.recursive(
        json_leaves,
        lambda c: st.lists(c, max_size=3) | st.dictionaries(json_text, c, max_size=3),
        max_leaves=10,
    ),
    max_size=5,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=json_data)
def test_any_json_data_verifies_after_a_trip_through_the_database(data):
    with transaction.atomic():
        record_event("cdap.consultation", data=data, before=data, after={"wrapped": data})
        report = verify_journal()
        transaction.set_rollback(True)
    assert report.intact, report.first_break


def test_appending_after_the_head_was_deleted_fails_closed(tamper):
    from habpps.journal.exceptions import BrokenChain

    record_event("auth.login.success")
    tamper("DELETE FROM journal_journalhead")
    with pytest.raises(BrokenChain), transaction.atomic():  # the caller's transaction fails with the append
        record_event("auth.logout")
    assert JournalEntry.objects.count() == 1
