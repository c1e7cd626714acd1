"""Errors of the journal, each with a stable code and a French message."""

from __future__ import annotations


class JournalError(Exception):
    """Base class: ``code`` is stable for programs, the message is for people."""

    code = "journal_error"


class AppendOnlyViolation(JournalError):
    """Raised when code tries to modify or delete a journal entry outside the controlled purge."""

    code = "append_only"

    def __init__(self, operation: str) -> None:
        super().__init__(f"Le journal est en ajout seul : {operation} interdit.")


class InvalidEvent(JournalError, ValueError):
    """Raised by ``record_event`` when an event's fields cannot be journaled as given."""

    code = "invalid_event"


class BrokenChain(JournalError):
    """Raised when an operation that needs an intact chain (the purge) finds it broken."""

    code = "broken_chain"
