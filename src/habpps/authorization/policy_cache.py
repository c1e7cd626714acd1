"""Each process's compiled policy and how it stays fresh (ENG-11).

Decisions are served from an immutable engine ``Snapshot`` held in memory; the decision path never queries the
database. Each process keeps one live engine (``RBAC``) and the snapshot compiled from it, at a committed policy
version. The database is the source of truth; a full build from it happens only when a process starts, when the
change log has a gap, or when a change asks for it (``habpps policy rebuild``).

An administrative change (``policy_change``) bumps the version, lets the caller write the directory, then
reconciles only what the change-capture triggers saw it touch (``policy_delta``): the resulting engine calls are
applied to the live engine — a refused call rolls the transaction back — the snapshot is recompiled for the
users concerned only (``habpps.engine.compiled_delta``), and the calls are appended to the change log in the same
transaction. After the commit the acting process publishes the new snapshot: its own next request sees it.

Other processes replay the log rows after their version (one small query) and recompile incrementally. They do
so when PostgreSQL notifies the commit (``policy_listener``: a thread per process that wakes on NOTIFY), and in
any case at most ``HABPPS_POLICY_PROBE_SECONDS`` after, through the version probe (one tiny query), which is the
fallback on SQLite and while the listener is disconnected.

A change made inside a caller's own transaction (tests, a service composed into a larger transaction) cannot be
published before that transaction commits: its thread decides from a private build of what it sees, and the
other threads — and, after the commit, this one — replay it from the log like any other process.

``CompiledPolicy.rbac`` is the live engine, for the review functions of the « Pourquoi ? » pages: it moves with
the versions (it may already show the version being committed), whereas a ``snapshot`` never changes.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from habpps.authorization import policy_rules
from habpps.authorization.policy_build import build_deployment, build_rbac
from habpps.authorization.policy_delta import (
    CALENDAR_CALLS,
    SYSTEM_REQUESTER,
    apply_calls,
    calls_for,
    consume_touches,
    delta_of,
    rule_partners,
    undo_calls,
)
from habpps.authorization.policy_log import changes_after, consistent_read, record_change
from habpps.authorization.stored import PolicyVersion
from habpps.engine import RBAC, Snapshot
from habpps.engine.compiled_delta import former_members, recompile
from habpps.engine.deployment import DeploymentCalendar

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CompiledPolicy:
    """A snapshot together with the version it was built from, the live engine and the deployment calendar."""

    number: int
    token: str
    rbac: RBAC
    snapshot: Snapshot
    deployment: DeploymentCalendar = field(default_factory=DeploymentCalendar)


def read_version() -> tuple[int, str]:
    """The one tiny query of the probe."""
    row = PolicyVersion.objects.filter(pk=PolicyVersion.SINGLETON_ID).values_list("number", "token").first()
    return row if row is not None else (0, "initial")


def compile_policy(number: int, token: str) -> CompiledPolicy:
    """Build the engine and the calendar from the directory (as the caller's transaction sees it) and compile."""
    rbac = build_rbac()
    return CompiledPolicy(number, token, rbac, rbac.compile(), build_deployment())


def build_policy() -> CompiledPolicy:
    """A full build from one consistent view of the directory, labelled with the version of that view."""
    with consistent_read():
        number, token = read_version()
        rbac = build_rbac()
        deployment = build_deployment()
    return CompiledPolicy(number, token, rbac, rbac.compile(), deployment)


FROZEN_FROM_USERS = 20_000
"""From this many users, a full build is frozen out of the cyclic garbage collector's sight."""


def out_of_gc_sight(compiled: CompiledPolicy) -> None:
    """Move a large policy — millions of objects at national scale — out of the cyclic collector's sight.

    Otherwise, now and then, a full collection walks the whole policy and stalls the process for seconds (under
    load, a replayed change was once enforced 6 s after its commit instead of 0.1 s). The engine and its
    snapshots hold no reference cycles: a replaced policy is still freed by reference counting. Small policies
    (tests, the demo) are left alone."""
    if len(compiled.snapshot._grants) >= FROZEN_FROM_USERS:
        gc.collect()
        gc.freeze()


def bump_version() -> tuple[int, str]:
    """Increment the policy version inside the caller's transaction and return the new one.

    The UPDATE takes the row lock, so concurrent administrative transactions are serialised from this point:
    whatever this transaction reads afterwards already includes every change committed before it.
    """
    token = uuid.uuid4().hex
    updated = PolicyVersion.objects.filter(pk=PolicyVersion.SINGLETON_ID).update(
        number=F("number") + 1, token=token, changed_at=timezone.now()
    )
    if not updated:
        PolicyVersion.objects.create(pk=PolicyVersion.SINGLETON_ID, number=1, token=token)
    return read_version()


class PolicyCache:
    """The process-wide current ``CompiledPolicy``, shared by all the threads of the process."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._local = threading.local()
        self._current: CompiledPolicy | None = None
        self._next_probe = 0.0
        self._woken = False
        self.full_builds = 0
        """How many full builds this process made (start-up, gaps, rebuilds): replays should keep it at 1."""
        self.replayed = 0
        """How many log rows this process replayed."""

    # -- reading ------------------------------------------------------------------------------------------------
    def current(self) -> CompiledPolicy:
        """The compiled policy to decide with; probes the version when the probe period has elapsed."""
        local = self._local
        change = getattr(local, "change", None)
        if change is not None:
            return change.working
        if getattr(local, "pending", None):
            if connection.in_atomic_block:
                return self._current_in_transaction()
            local.pending = {}  # that transaction ended: committed, the log replays it; rolled back, forgotten
            self._woken = True
        current = self._current
        if current is not None and not self._woken and time.monotonic() < self._next_probe:
            return current
        return self.refresh()

    def refresh(self) -> CompiledPolicy:
        """Probe the version now and catch up with the log if it moved (the listener's wake-up).

        Inside a transaction, a full build is kept private to the thread: what the transaction sees may include
        its own uncommitted writes, which must never reach the shared policy (a replay of the log is safe: its
        rows are committed, a transaction's own rows make it take the private path of ``current``).
        """
        number, token = read_version()
        current = self._current
        if current is not None and current.token == token:
            self._schedule_next_probe()
            return current
        # While another thread catches up (a long full build, say), keep deciding from the current snapshot.
        if not self._lock.acquire(blocking=current is None):
            return current
        try:
            current = self._current
            if current is not None and current.token == token:
                self._schedule_next_probe()
                return current
            self._woken = False
            compiled = self._replayed(current, number)
            if compiled is None:
                if connection.in_atomic_block:
                    return self._private_build(number, token)
                compiled = self._full_build()
            self._publish(compiled)
            return compiled
        finally:
            self._lock.release()

    def wake(self) -> None:
        """Make the next decision probe at once (a notification arrived, a transaction committed a change)."""
        self._woken = True

    # -- writing -------------------------------------------------------------------------------------------------
    def install(self, compiled: CompiledPolicy) -> None:
        """Adopt a policy compiled from committed data, unless a newer one is in place."""
        with self._lock:
            if self._current is not None and self._current.number >= compiled.number:
                return
            self._publish(compiled)

    def rebuild(self) -> CompiledPolicy:
        """Build this process's policy from the directory now and adopt it."""
        with self._lock:
            compiled = self._full_build()
            self._publish(compiled)
            return compiled

    def invalidate(self) -> None:
        """Forget the current policy: the next decision rebuilds it."""
        with self._lock:
            self._current = None
            self._next_probe = 0.0
            self._local = threading.local()

    # -- internals -----------------------------------------------------------------------------------------------
    def _publish(self, compiled: CompiledPolicy) -> None:
        self._current = compiled
        self._schedule_next_probe()

    def _schedule_next_probe(self) -> None:
        self._next_probe = time.monotonic() + settings.HABPPS_POLICY_PROBE_SECONDS

    def _full_build(self) -> CompiledPolicy:
        self.full_builds += 1
        compiled = build_policy()
        out_of_gc_sight(compiled)
        return compiled

    def _replayed(self, current: CompiledPolicy | None, number: int) -> CompiledPolicy | None:
        """``current`` brought to the last committed version by replaying the log; None when only a full build
        can get there (nothing built yet, a gap in the log, a rebuild asked, the version went back)."""
        if current is None or number < current.number:
            return None
        changes = changes_after(current.number)
        if not changes or any(change.rebuild for change in changes):
            return None
        rbac, calendar, applied = current.rbac, current.deployment, []
        members = former_members(rbac, [call for change in changes for call in change.calls])
        try:
            for change in changes:
                calendar = apply_calls(rbac, calendar, change.calls, replay=True)
                applied.extend(change.calls)
        except Exception:
            logger.exception("Rejeu du journal des changements impossible : reconstruction complète.")
            undo_calls(rbac, applied)
            return None
        self.replayed += len(changes)
        snapshot = recompile(rbac, current.snapshot, delta_of(applied).with_former_members(members))
        last = changes[-1]
        return CompiledPolicy(last.number, last.token, rbac, snapshot, calendar)

    def _shared_base(self, number: int) -> CompiledPolicy:
        """The shared policy at the last committed version (``number`` - 1), for a change that has just bumped
        the version to ``number``. Its own bump is not committed, so the log tells what is; nothing else can
        commit meanwhile (the version row is locked)."""
        with self._lock:
            current = self._current
            if current is not None and current.number == number - 1:
                return current
            compiled = self._replayed(current, current.number if current else 0)
            if compiled is None or compiled.number != number - 1:
                # This transaction sees the committed directory and its own bump, nothing else yet.
                self.full_builds += 1
                rbac = build_rbac()
                compiled = CompiledPolicy(number - 1, "", rbac, rbac.compile(), build_deployment())
            if self._commits_here():
                self._publish(compiled)
            return compiled

    @staticmethod
    def _commits_here() -> bool:
        """Whether the change being made is the outermost transaction (its commit is the block's end)."""
        change = getattr(policy_cache._local, "change", None)
        return change is None or change._commits

    def _private_build(self, number: int, token: str) -> CompiledPolicy:
        private = getattr(self._local, "private", None)
        if private is None or private.token != token:
            self.full_builds += 1
            private = self._local.private = compile_policy(number, token)
        return private

    def _current_in_transaction(self) -> CompiledPolicy:
        """Inside a transaction that made policy changes it has not committed yet: a private policy of what this
        transaction sees, as long as its own last version is the visible one."""
        number, token = read_version()
        pending = self._local.pending
        if token not in pending:
            return self.refresh()
        if pending[token] is None:
            pending[token] = compile_policy(number, token)
        return pending[token]

    def _is_private(self, compiled: CompiledPolicy) -> bool:
        """Whether ``compiled`` is this thread's own view of its uncommitted transaction, not a shared policy."""
        local = self._local
        if compiled is getattr(local, "private", None):
            return True
        return any(compiled is pending for pending in (getattr(local, "pending", None) or {}).values())

    def _remember_pending(self, token: str, compiled: CompiledPolicy) -> None:
        pending = getattr(self._local, "pending", None)
        if pending is None:
            pending = self._local.pending = {}
        pending[token] = compiled


policy_cache = PolicyCache()


def current_policy() -> CompiledPolicy:
    return policy_cache.current()


class policy_change:  # noqa: N801 — used as a context manager, named like `transaction.atomic`
    """One administrative action: one transaction, a version bump, the engine calls it implies, logged.

    ``with policy_change():`` opens a transaction and bumps the policy version first (serialising concurrent
    changes), runs the caller's changes, then reconciles what they touched into engine calls and applies them to
    the engine: a refusal (``RBACError``, e.g. a cardinality or separation-of-duty constraint) rolls everything
    back. The calls are logged with the version; after the commit this process adopts the new snapshot. Decisions
    taken inside the block see the policy as it was when the block began. A ``policy_change`` inside another joins
    it: one version, one log row. ``policy_change(rebuild=True)`` makes every process rebuild in full.
    """

    def __init__(self, *, rebuild: bool = False, approved: tuple[str, ...] = (), requester=None) -> None:
        self.rebuild = rebuild
        self.requester = getattr(requester, "login", None) or SYSTEM_REQUESTER
        """Who asks the change (an account, or None for the system): held changes wait in their name."""
        self.approved = tuple(approved)
        """``require_approval`` exclusions a second administrator approved this change breaking (ENG-7)."""
        self.reported: list = []
        """What ``report`` exclusions let this change through with (persisted by ``approvals``)."""

    def __enter__(self) -> policy_change:
        cache = policy_cache
        self.afterwards: list[Callable[[], None]] = []
        """What to do once the change is over, committed or rolled back (``after_change``)."""
        self._outer = getattr(cache._local, "change", None)
        self._atomic = transaction.atomic()
        if self._outer is not None:
            self._atomic.__enter__()
            self.number, self.token, self.working = self._outer.number, self._outer.token, self._outer.working
            self._outer.rebuild |= self.rebuild
            self._outer.approved += self.approved  # one change: the outer one applies the calls
            if self._outer.requester == SYSTEM_REQUESTER:
                self._outer.requester = self.requester
            return self
        self._commits = not connection.in_atomic_block
        # The policy in force before this change: shared, or private to the caller's transaction.
        before = cache.current()
        self._atomic.__enter__()
        try:
            self.number, self.token = bump_version()
            cache._local.change = self
            self._compiled: CompiledPolicy | None = None
            self._locked = False
            if self._commits:
                # The first commit hook, ahead of any the block registers: they (an SSO sweep, say) decide on
                # the policy this change committed, not on the one it replaced.
                transaction.on_commit(self._publish_committed)
            # Only a policy private to the caller's transaction may be kept: a shared one read before the bump may
            # be stale (another change committed while this one waited for the version row), and a user limit
            # counted on it would be overtaken.
            if cache._is_private(before):
                self.working = before
            else:  # the last committed one: a change that committed meanwhile is published under the lock
                self.working = cache._shared_base(self.number)
        except BaseException as error:
            cache._local.change = None
            self._atomic.__exit__(type(error), error, error.__traceback__)
            raise
        return self

    def __exit__(self, exc_type, exc, tb) -> bool | None:
        if self._outer is not None:
            return self._atomic.__exit__(exc_type, exc, tb)
        try:
            return self._exit(exc_type, exc, tb)
        finally:
            _run_afterwards(self)

    def _exit(self, exc_type, exc, tb) -> bool | None:
        cache = policy_cache
        cache._local.change = None
        if exc_type is not None:
            return self._atomic.__exit__(exc_type, exc, tb)
        try:
            compiled, applied = self._record()
        except BaseException as error:
            self._atomic.__exit__(type(error), error, error.__traceback__)
            raise
        if not self._commits:
            cache._remember_pending(self.token, compiled)
            transaction.on_commit(cache.wake)
            return self._atomic.__exit__(None, None, None)
        self._compiled = compiled
        # The shared engine already holds this change's calls, under the old version number: until the first
        # commit hook publishes it, another thread (the listener woken by this very commit) must not replay the
        # log onto it — it would apply the calls twice, fail, and rebuild in full.
        cache._lock.acquire()
        self._locked = True
        try:
            self._atomic.__exit__(None, None, None)
        except BaseException:
            if self._compiled is not None:  # the commit failed (a hook failing after it leaves it published)
                self._abandon(applied)
            raise
        finally:
            self._release()
        return None

    def _publish_committed(self) -> None:
        compiled, self._compiled = self._compiled, None
        try:
            if compiled is not None:
                with policy_cache._lock:
                    policy_cache._publish(compiled)
        finally:
            self._release()

    def _release(self) -> None:
        """Let the other threads catch up again, once (from the first commit hook, or after a failed commit)."""
        if self._locked:
            self._locked = False
            policy_cache._lock.release()

    def _record(self) -> tuple[CompiledPolicy, list]:
        """Reconcile what the change touched into calls, check them with the engine, log them."""
        cache = policy_cache
        touched = consume_touches()
        base = self.working
        if self.rebuild or touched.rebuild or policy_rules.moved(base.rbac):
            compiled = compile_policy(self.number, self.token)  # RBACError rolls the change back
            cache.full_builds += 1
            record_change(self.number, self.token, [], rebuild=True)
            return compiled, []
        with cache._lock:
            # The derived sections narrow before the directory's calls and widen after them (`policy_rules`).
            derived = policy_rules.derivation(rule_partners(touched))
            narrowing, widening = policy_rules.calls_for(base.rbac, derived)
            calls = narrowing + calls_for(touched, base.rbac, base.deployment) + widening
            reported_before = len(base.rbac.reported_violations())
            if not self._commits:
                # Not committed at the end of this block: the shared engine must not hold it. The engine checks
                # the calls (then they are undone), this thread gets a private build, the others the log once
                # the transaction commits.
                apply_calls(base.rbac, base.deployment, calls, approved=self.approved,
                            requester=self.requester)
                self._keep_reported(base.rbac, reported_before)
                undo_calls(base.rbac, [call for call in calls if call[0] not in CALENDAR_CALLS])
                compiled = compile_policy(self.number, self.token)
                record_change(self.number, self.token, calls)
                return compiled, []
            members = former_members(base.rbac, calls)
            # a refused call is undone, then raised
            calendar = apply_calls(base.rbac, base.deployment, calls, approved=self.approved,
                            requester=self.requester)
            applied = [call for call in calls if call[0] not in CALENDAR_CALLS]
            try:
                self._keep_reported(base.rbac, reported_before)
                snapshot = recompile(base.rbac, base.snapshot, delta_of(calls).with_former_members(members))
                record_change(self.number, self.token, calls)
            except BaseException:
                undo_calls(base.rbac, applied)
                raise
        return CompiledPolicy(self.number, self.token, base.rbac, snapshot, calendar), applied

    def _keep_reported(self, rbac: RBAC, before: int) -> None:
        """Persist, in this change's transaction, the breaches ``report`` exclusions let it through with."""
        from habpps.authorization.approvals import persist_reported  # the app built on this one

        self.reported = rbac.reported_violations()[before:]
        if self.reported:
            persist_reported(self.reported)

    def _abandon(self, applied: list) -> None:
        """The commit failed: take the calls back out of the shared engine."""
        with policy_cache._lock:
            undo_calls(self.working.rbac, applied)


def after_change(action: Callable[[], None]) -> None:
    """Do ``action`` once the administrative change in progress is over — committed or rolled back — or now when
    none is. A refusal journalled from inside a change (the journal of refusals) must outlive its rollback."""
    change = getattr(policy_cache._local, "change", None)
    if change is None:
        action()
    else:
        change.afterwards.append(action)


def _run_afterwards(change: policy_change) -> None:
    actions, change.afterwards = change.afterwards, []
    for action in actions:
        try:
            action()
        except Exception:  # what comes after a change never hides the change's own outcome
            logger.exception("Action après un changement de politique en échec")
