"""The outbox's background sender when the database is busy (a demo being seeded holds SQLite's write lock)."""

from __future__ import annotations

import logging
import time

from django.db import OperationalError

from habpps.accounts import mail_sender, outbox


def test_a_busy_database_is_retried_within_seconds_and_reported_in_one_line(monkeypatch, settings, caplog):
    settings.HABPPS_MAIL_SENDER_SECONDS = 30
    calls: list[float] = []

    def busy_then_sent() -> None:
        calls.append(time.monotonic())
        if len(calls) == 1:
            raise OperationalError("database is locked")

    monkeypatch.setattr(outbox, "retry_due", busy_then_sent)
    with caplog.at_level(logging.WARNING, logger=mail_sender.__name__):
        sender = mail_sender.BackgroundSender()
        try:
            sender.wake()
            deadline = time.monotonic() + 10
            while len(calls) < 2 and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            sender.stop()
    assert len(calls) == 2, "the queued mail waited for the 30 s period instead of a retry"
    assert 1.5 <= calls[1] - calls[0] < 5
    busy = [record for record in caplog.records if "indisponible" in record.getMessage()]
    assert len(busy) == 1 and busy[0].levelno == logging.WARNING and busy[0].exc_info is None
