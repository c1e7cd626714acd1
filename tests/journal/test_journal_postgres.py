"""What only a real PostgreSQL server can show: the append-only trigger and concurrent appenders.

Skipped on SQLite; the test script runs the suite a second time on PostgreSQL.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from habpps.journal.models import JournalEntry
from habpps.journal.purge import purge_expired
from habpps.journal.services import record_event
from habpps.journal.verification import verify_journal

pytestmark = pytest.mark.postgres


def run_sql(sql: str, params: list | None = None) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params or [])


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE journal_journalentry SET target = 'falsifié' WHERE sequence = 1",
        "DELETE FROM journal_journalentry WHERE sequence = 1",
    ],
)
def test_trigger_refuses_update_and_delete_of_entries(sql):
    record_event("auth.login.success")
    with pytest.raises(DatabaseError, match="ajout seul"):
        run_sql(sql)
    assert JournalEntry.objects.get().target == ""


@pytest.mark.django_db
def test_purge_flag_never_allows_updates():
    record_event("auth.login.success")
    with (
        pytest.raises(DatabaseError, match="ajout seul"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SELECT set_config('habpps.journal_purge', 'on', true)")
        cursor.execute("UPDATE journal_journalentry SET target = 'x'")


@pytest.mark.django_db
@pytest.mark.parametrize("table", ["journal_purgecheckpoint", "journal_purgedrun"])
def test_trigger_protects_the_purge_checkpoints(table):
    for _ in range(2):
        record_event("auth.login.success")
    purge_expired(now=timezone.now() + timedelta(days=400))
    with pytest.raises(DatabaseError, match="ajout seul"):
        run_sql(f"DELETE FROM {table}")


@pytest.mark.django_db
def test_purge_is_the_one_path_allowed_to_delete():
    for kind in ("auth.login.success", "admin.partner.update", "auth.logout"):
        record_event(kind)
    result = purge_expired(now=timezone.now() + timedelta(days=400))
    assert result.purged_count == 2
    assert list(JournalEntry.objects.values_list("kind", flat=True)) == ["admin.partner.update"]
    assert verify_journal().intact


@pytest.mark.django_db(transaction=True)
def test_concurrent_appenders_never_fork_the_chain():
    writers, per_writer = 6, 25
    barrier = threading.Barrier(writers)
    failures: list[BaseException] = []

    def write(writer: int) -> None:
        try:
            barrier.wait()
            for index in range(per_writer):
                with transaction.atomic():
                    record_event("cdap.consultation", target=f"beneficiary:{writer}-{index}")
        except BaseException as error:  # reported by the main thread
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(writer,)) for writer in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    sequences = list(JournalEntry.objects.order_by("sequence").values_list("sequence", flat=True))
    assert sequences == list(range(1, writers * per_writer + 1))
    report = verify_journal()
    assert report.intact, report.first_break
    assert report.entries_checked == writers * per_writer


@pytest.mark.django_db(transaction=True)
def test_verification_outside_a_transaction_reads_one_snapshot():
    for _ in range(3):
        record_event("auth.login.success")
    report = verify_journal()
    assert report.intact and report.entries_checked == 3
