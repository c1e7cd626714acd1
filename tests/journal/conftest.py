"""Fixtures of the journal tests: raw-SQL tampering that works on both databases, and a known journal key."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.db import connection


@pytest.fixture(autouse=True)
def journal_key(settings) -> str:  # type: ignore[no-untyped-def]
    settings.HABPPS_JOURNAL_KEY = "clé-de-test-du-journal"
    return settings.HABPPS_JOURNAL_KEY


@pytest.fixture
def tamper(db) -> Callable[[str, list | None], None]:  # type: ignore[no-untyped-def]
    """Run SQL behind the ORM's back, as an attacker with database access would.

    On PostgreSQL the table owner first disables the append-only triggers (what such an attacker would do);
    the test's transaction rolls the change back, triggers included.
    """

    def run(sql: str, params: list | None = None) -> None:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # Deferred foreign-key checks pending in the test transaction would forbid ALTER TABLE.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                for table in ("journal_journalentry", "journal_purgecheckpoint", "journal_purgedrun"):
                    cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            cursor.execute(sql, params or [])
            if connection.vendor == "postgresql":
                for table in ("journal_journalentry", "journal_purgecheckpoint", "journal_purgedrun"):
                    cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")

    return run


@pytest.fixture
def events(db) -> Iterator[Callable[..., list]]:  # type: ignore[no-untyped-def]
    """Append ``count`` events of the given kinds in turn; returns the stored entries."""
    from habpps.journal.services import record_event

    def append(count: int, kinds: tuple[str, ...] = ("admin.partner.update",), **fields) -> list:  # type: ignore[no-untyped-def]
        return [
            record_event(
                kinds[index % len(kinds)], target=f"partner:{index}", data={"index": index}, **fields
            )
            for index in range(count)
        ]

    yield append
