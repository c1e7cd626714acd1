"""Each process's compiled policy and how it stays fresh (ENG-11).

Decisions are served from an immutable engine ``Snapshot`` held in memory; the decision path never queries the
database. Freshness comes from a version probe: at most once per ``HABPPS_POLICY_PROBE_SECONDS`` a process reads
the one-row ``PolicyVersion`` and, when its token changed, rebuilds the snapshot from the directory. A process
that makes a change itself installs the new snapshot as soon as its transaction commits, so its own next request
already sees it; other processes see it within one probe period plus the time to compile.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from habpps.directory.models import PolicyVersion
from habpps.directory.policy_build import build_rbac
from habpps.engine import RBAC


@dataclass(frozen=True)
class CompiledPolicy:
    """A snapshot together with the version it was built from and the store it was compiled from.

    The store is kept for the review functions of the « Pourquoi ? » pages; it is never modified after compile.
    """

    number: int
    token: str
    rbac: RBAC
    snapshot: object


def read_version() -> tuple[int, str]:
    """The one tiny query of the probe."""
    row = PolicyVersion.objects.filter(pk=PolicyVersion.SINGLETON_ID).values_list("number", "token").first()
    return row if row is not None else (0, "initial")


def compile_policy(number: int, token: str) -> CompiledPolicy:
    """Build the engine from the directory and compile it."""
    rbac = build_rbac()
    return CompiledPolicy(number=number, token=token, rbac=rbac, snapshot=rbac.compile())


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
        self._lock = threading.Lock()
        self._private = threading.local()
        self._current: CompiledPolicy | None = None
        self._next_probe = 0.0

    def current(self) -> CompiledPolicy:
        """The compiled policy to decide with; probes the version when the probe period has elapsed."""
        current = self._current
        if current is not None and time.monotonic() < self._next_probe:
            return current
        with self._lock:
            current = self._current
            if current is not None and time.monotonic() < self._next_probe:
                return current
            number, token = read_version()
            if current is not None and current.token == token:
                self._schedule_next_probe()
                return current
            if connection.in_atomic_block:
                # Data this transaction may still roll back: build from it for this thread only, never share it.
                private = getattr(self._private, "compiled", None)
                if private is None or private.token != token:
                    private = self._private.compiled = compile_policy(number, token)
                return private
            compiled = compile_policy(number, token)
            self._current = compiled
            self._schedule_next_probe()
            return compiled

    def install(self, compiled: CompiledPolicy) -> None:
        """Adopt a policy compiled by a transaction that has just committed, unless a newer one is in place."""
        with self._lock:
            if self._current is not None and self._current.number >= compiled.number:
                return
            self._current = compiled
            self._schedule_next_probe()

    def invalidate(self) -> None:
        """Forget the current policy: the next decision rebuilds it."""
        with self._lock:
            self._current = None
            self._next_probe = 0.0
            self._private = threading.local()

    def _schedule_next_probe(self) -> None:
        self._next_probe = time.monotonic() + settings.HABPPS_POLICY_PROBE_SECONDS


policy_cache = PolicyCache()


def current_policy() -> CompiledPolicy:
    return policy_cache.current()


class policy_change:  # noqa: N801 — used as a context manager, named like `transaction.atomic`
    """One administrative action: one transaction, a version bump, and an engine check of the result.

    ``with policy_change():`` opens a transaction and bumps the policy version first (serialising concurrent
    changes), runs the caller's changes, then rebuilds the engine from the changed directory: an engine refusal
    (``RBACError``, e.g. a cardinality or separation-of-duty constraint) rolls everything back. After the commit
    this process adopts the policy it has just compiled.
    """

    def __enter__(self) -> policy_change:
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        try:
            self.number, self.token = bump_version()
        except BaseException as error:
            self._atomic.__exit__(type(error), error, error.__traceback__)
            raise
        return self

    def __exit__(self, exc_type, exc, tb) -> bool | None:
        if exc_type is None:
            try:
                compiled = compile_policy(self.number, self.token)
            except BaseException as error:
                self._atomic.__exit__(type(error), error, error.__traceback__)
                raise
            transaction.on_commit(lambda: policy_cache.install(compiled))
        return self._atomic.__exit__(exc_type, exc, tb)
