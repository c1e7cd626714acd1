"""The policy change log in the database (ENG-11): write a version's calls, read those after a version, notify.

Each committed version N has one `PolicyChange` row, written in the transaction that bumped the version to N. A
process at version M reads the rows after M in one query; when one is missing (pruned, or written by a version
of Habpps before the log existed) it rebuilds instead. On PostgreSQL the writing transaction also sends a
notification on ``NOTIFY_CHANNEL``, which the server delivers at commit — never for a rolled-back change.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction

from habpps.authorization.stored import PolicyChange, PolicyVersion

NOTIFY_CHANNEL = "habpps_policy"


def record_change(number: int, token: str, calls: Sequence[Sequence[Any]], *, rebuild: bool = False) -> None:
    """Append version ``number``'s calls to the log and, on PostgreSQL, announce it on commit."""
    PolicyChange.objects.create(number=number, token=token, calls=[list(call) for call in calls], rebuild=rebuild)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_notify(%s, %s)", [NOTIFY_CHANNEL, str(number)])


def changes_after(number: int) -> list[PolicyChange] | None:
    """The log rows after version ``number``, in order; None when one is missing (the caller rebuilds)."""
    changes = list(PolicyChange.objects.filter(number__gt=number).order_by("number"))
    for expected, change in enumerate(changes, start=number + 1):
        if change.number != expected:
            return None
    return changes


def prune_changes(keep: int) -> int:
    """Delete all but the last ``keep`` rows of the log; returns how many were deleted. A process that is more
    than ``keep`` versions behind then rebuilds in full, which is always correct."""
    current = PolicyVersion.objects.filter(pk=PolicyVersion.SINGLETON_ID).values_list("number", flat=True).first()
    if current is None:
        return 0
    deleted, _ = PolicyChange.objects.filter(number__lte=current - keep).delete()
    return deleted


@contextmanager
def consistent_read() -> Iterator[None]:
    """One consistent view of the directory for a full build: every query sees the same committed state, so
    the version read first is exactly the version the rows belong to (REPEATABLE READ on PostgreSQL; a read
    transaction on SQLite). Inside a caller's transaction, that transaction's view is used as it is."""
    if connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield
