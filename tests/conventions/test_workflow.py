"""The state machine of a convention version (CNV-2, CNV-4): every allowed transition and only those."""

import pytest

from habpps.conventions.workflow import (
    TRANSITIONS,
    Event,
    VersionState,
    WorkflowError,
    events_from,
    next_state,
)


def test_the_slides_path_draft_submitted_validated():
    assert next_state(VersionState.DRAFT, Event.SUBMIT).after == VersionState.SUBMITTED
    assert next_state(VersionState.SUBMITTED, Event.VALIDATE).after == VersionState.VALIDATED


def test_a_rejected_entry_goes_back_to_the_fund_administrator():
    assert next_state(VersionState.SUBMITTED, Event.REJECT).after == VersionState.REJECTED
    assert set(events_from(VersionState.REJECTED)) == {Event.RESUME, Event.REQUEST_DOCUMENTS, Event.CANCEL}


def test_missing_documents_hold_the_entry_until_received():
    assert next_state(VersionState.DRAFT, Event.REQUEST_DOCUMENTS).after == VersionState.DOCUMENTS_REQUESTED
    assert set(events_from(VersionState.DOCUMENTS_REQUESTED)) == {Event.DOCUMENTS_RECEIVED, Event.CANCEL}


def test_an_amendment_is_given_up_or_withdrawn_never_once_validated():
    assert next_state(VersionState.DRAFT, Event.CANCEL).after == VersionState.CANCELLED
    assert next_state(VersionState.SUBMITTED, Event.WITHDRAW).after == VersionState.DRAFT
    assert events_from(VersionState.CANCELLED) == []
    for state in (VersionState.VALIDATED, VersionState.SUPERSEDED):
        assert Event.CANCEL not in events_from(state) and Event.WITHDRAW not in events_from(state)


def test_only_a_validated_version_can_be_superseded():
    assert next_state(VersionState.VALIDATED, Event.SUPERSEDE).after == VersionState.SUPERSEDED
    assert events_from(VersionState.SUPERSEDED) == []


@pytest.mark.parametrize("state", list(VersionState))
@pytest.mark.parametrize("event", list(Event))
def test_every_pair_outside_the_table_is_refused_in_french(state, event):
    if (state, event) in TRANSITIONS:
        assert next_state(state, event).after == TRANSITIONS[(state, event)]
        return
    with pytest.raises(WorkflowError, match="impossible pour une version"):
        next_state(state, event)
