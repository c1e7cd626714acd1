"""Retention per kind and the purge (AUD-3): expired entries go, the rest of the chain still verifies."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from habpps.journal.exceptions import BrokenChain
from habpps.journal.models import JournalEntry, PurgeCheckpoint, PurgedRun, RetentionRule
from habpps.journal.purge import purge_expired
from habpps.journal.retention import DEFAULT_RETENTION_DAYS, RetentionPolicy
from habpps.journal.services import record_event
from habpps.journal.verification import verify_journal

pytestmark = pytest.mark.django_db

IN_TWO_YEARS = timezone.now() + timedelta(days=730)


def kinds_left() -> list[str]:
    return list(JournalEntry.objects.order_by("sequence").values_list("kind", flat=True))


def test_default_policy_keeps_access_logs_one_year_and_changes_forever():
    policy = RetentionPolicy(DEFAULT_RETENTION_DAYS)
    assert policy.days_for("auth.login.failure") == 365
    assert policy.days_for("cdap.consultation") == 365
    assert policy.days_for("access.denied") == 365
    assert policy.days_for("admin.partner.update") is None
    assert policy.days_for("workflow.convention.validated") is None


def test_most_specific_prefix_wins():
    policy = RetentionPolicy({"auth": 365, "auth.login.failure": 90, "authority": 1})
    assert policy.days_for("auth.login.failure") == 90
    assert policy.days_for("auth.login.success") == 365
    assert policy.days_for("auth") == 365


def test_administrator_rules_override_the_settings(settings):
    settings.HABPPS_JOURNAL_RETENTION_DAYS = {"auth": 365}
    RetentionRule.objects.create(kind_prefix="auth", retention_days=180)
    RetentionRule.objects.create(kind_prefix="admin", retention_days=None)
    policy = RetentionPolicy.current()
    assert policy.days_for("auth.logout") == 180
    assert policy.days_for("admin.fund.create") is None


def test_default_days_apply_to_kinds_without_a_rule(settings):
    settings.HABPPS_JOURNAL_DEFAULT_RETENTION_DAYS = 3650
    assert RetentionPolicy.current().days_for("workflow.convention.validated") == 3650


def test_nothing_expires_before_its_time(events):
    events(4, kinds=("auth.login.success", "admin.partner.update"))
    result = purge_expired(now=timezone.now() + timedelta(days=364))
    assert result.purged_count == 0 and result.checkpoint is None
    assert len(kinds_left()) == 4


def test_purge_removes_expired_kinds_only_and_the_chain_still_verifies(events):
    events(9, kinds=("auth.login.success", "cdap.consultation", "admin.partner.update"))
    result = purge_expired(now=IN_TWO_YEARS)
    assert result.purged_count == 6
    assert kinds_left() == ["admin.partner.update"] * 3
    report = verify_journal()
    assert report.intact, report.first_break
    assert (report.entries_checked, report.purged_sequences, report.checkpoints_checked) == (3, 6, 1)


def test_checkpoint_records_range_runs_and_last_purged_hash(events):
    entries = events(6, kinds=("auth.login.success", "auth.logout", "admin.partner.update"))
    checkpoint = purge_expired(now=IN_TWO_YEARS).checkpoint
    assert (checkpoint.first_sequence, checkpoint.last_sequence, checkpoint.purged_count) == (1, 5, 4)
    assert checkpoint.last_purged_hash == entries[4].hash
    runs = list(checkpoint.runs.values_list("first_sequence", "last_sequence", "entering_hash", "last_hash"))
    assert runs == [
        (1, 2, entries[0].previous_hash, entries[1].hash),
        (4, 5, entries[3].previous_hash, entries[4].hash),
    ]
    assert checkpoint.policy["cutoffs"].keys() == {"auth.login.success", "auth.logout"}


def test_successive_purges_chain_their_checkpoints(events, settings):
    events(4, kinds=("auth.login.success", "admin.partner.update"))
    purge_expired(now=IN_TWO_YEARS)
    events(2, kinds=("auth.login.success",))
    settings.HABPPS_JOURNAL_RETENTION_DAYS = {"auth": 365, "admin": 30}
    purge_expired(now=IN_TWO_YEARS + timedelta(days=730))
    assert kinds_left() == []
    report = verify_journal()
    assert report.intact, report.first_break
    assert (report.purged_sequences, report.checkpoints_checked, report.head.sequence) == (6, 2, 6)


def test_appends_after_a_purge_of_the_tail_still_verify(events):
    events(3, kinds=("auth.login.success",))
    purge_expired(now=IN_TWO_YEARS)
    record_event("admin.partner.update")
    report = verify_journal()
    assert report.intact, report.first_break
    assert (report.first_sequence, report.purged_sequences) == (4, 3)


def test_dry_run_reports_without_removing(events):
    events(4, kinds=("auth.login.success", "admin.partner.update"))
    result = purge_expired(now=IN_TWO_YEARS, dry_run=True)
    assert result.purged_count == 2 and result.checkpoint is None
    assert len(kinds_left()) == 4 and not PurgeCheckpoint.objects.exists()


def test_forged_checkpoint_is_detected(events, tamper):
    events(6, kinds=("auth.login.success", "admin.partner.update"))
    checkpoint = purge_expired(now=IN_TWO_YEARS).checkpoint
    # Widen the checkpoint to excuse one more deletion: the signature no longer matches.
    tamper("DELETE FROM journal_journalentry WHERE sequence = 6")
    tamper(
        "UPDATE journal_purgedrun SET last_sequence = 6 WHERE checkpoint_id = %s AND first_sequence = 5",
        [checkpoint.pk],
    )
    broken = verify_journal().first_break
    assert broken.code == "checkpoint_forged"
    assert str(checkpoint.pk) in broken.message


def test_checkpoint_invented_without_the_key_is_detected(events, tamper):
    entries = events(4)
    tamper("DELETE FROM journal_journalentry WHERE sequence = 2")
    checkpoint = PurgeCheckpoint.objects.create(
        created_at=timezone.now(),
        purged_count=1,
        first_sequence=2,
        last_sequence=2,
        last_purged_hash=entries[1].hash,
        signature="0" * 64,
    )
    PurgedRun.objects.create(
        checkpoint=checkpoint,
        first_sequence=2,
        last_sequence=2,
        entering_hash=entries[0].hash,
        last_hash=entries[1].hash,
    )
    assert verify_journal().first_break.code == "checkpoint_forged"


def test_deleted_checkpoint_leaves_an_unexplained_gap(events, tamper):
    events(4, kinds=("auth.login.success", "admin.partner.update"))
    purge_expired(now=IN_TWO_YEARS)
    tamper("DELETE FROM journal_purgedrun")
    tamper("DELETE FROM journal_purgecheckpoint")
    assert verify_journal().first_break.code == "unexplained_gap"


def test_purge_refuses_to_sign_over_a_broken_chain(events, tamper):
    events(4, kinds=("auth.login.success", "admin.partner.update"))
    tamper("UPDATE journal_journalentry SET target = 'x' WHERE sequence = 1")
    with pytest.raises(BrokenChain):
        purge_expired(now=IN_TWO_YEARS)
    assert not PurgeCheckpoint.objects.exists()
    assert len(kinds_left()) == 4


def test_changing_a_rule_is_journaled_with_before_and_after():
    from habpps.journal.retention import remove_retention_rule, set_retention_rule

    set_retention_rule("auth", 180, description="Recommandation CNIL")
    set_retention_rule("auth", 90)
    assert RetentionPolicy.current().days_for("auth.logout") == 90
    assert remove_retention_rule("auth")
    assert RetentionPolicy.current().days_for("auth.logout") == 365
    changes = JournalEntry.objects.filter(target="retention:auth").order_by("sequence")
    assert [entry.kind for entry in changes] == [
        "admin.journal.retention.update",
        "admin.journal.retention.update",
        "admin.journal.retention.remove",
    ]
    assert changes[1].before["retention_days"] == 180 and changes[1].after["retention_days"] == 90


def test_malformed_rules_are_refused():
    from django.core.exceptions import ValidationError

    from habpps.journal.retention import set_retention_rule

    with pytest.raises(ValidationError):
        set_retention_rule("Auth Login", 30)
    with pytest.raises(ValidationError):
        set_retention_rule("auth", 0)
    assert not RetentionRule.objects.exists()
