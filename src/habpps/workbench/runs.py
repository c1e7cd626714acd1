"""Mining runs (RE-5): start one on a file, the policy or the journal, execute it in the background, record it.

A request never waits for the miner: :func:`start_run` stores the run with its input and, once the transaction
has committed, hands it to a daemon thread of the serving process. The thread writes each progress line the
miner reports and a heartbeat to the run's row, then the result — the page showing the run refreshes itself
with ``<meta http-equiv="refresh">`` until then, no JavaScript needed. One run at a time per platform: the miner
uses the processor fully, and a second request is refused with an explanation rather than queued silently.

``HABPPS_WORKBENCH_INLINE_RUNS = True`` executes the run in the request instead (single-threaded servers and
tests that need the result in the same transaction).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import OperationalError, close_old_connections, connection, transaction
from django.utils import timezone

from habpps.authorization.policy_cache import current_policy
from habpps.journal.services import record_event
from habpps.roleeng.mining import Deadline, MiningResult, UserPermissionAssignment, mine, parse_upa
from habpps.roleeng.sources import upa_from_accesses, upa_from_policy
from habpps.workbench.models import MiningRun
from habpps.workbench.usage import observed_accesses

logger = logging.getLogger(__name__)

#: Bounds of the time limit an analyst may ask for, in seconds.
MIN_TIME_LIMIT, MAX_TIME_LIMIT = 1.0, 600.0
#: Progress lines kept on the run (the first ones and the last ones matter; the middle is repetitive).
MAX_PROGRESS_LINES = 200
#: Largest assignment accepted from the web, in (user, permission) pairs.
MAX_PAIRS = 2_000_000
JOURNAL_SCOPE = "national"


def upa_text(upa: UserPermissionAssignment) -> str:
    """The assignment in the UPA file format (one ``user permission`` pair per line)."""
    return "".join(f"{user} {permission}\n" for user, permission in upa.pairs())


def start_run(
    actor,
    source: str,
    upa: UserPermissionAssignment,
    *,
    label: str,
    time_limit: float,
    period: tuple[date, date] | None = None,
) -> MiningRun:
    """Store a run and launch it once committed; refused while another run is under way."""
    if not upa.users:
        raise ValidationError("L'affectation est vide : aucun couple utilisateur–permission à fouiller.")
    if upa.edge_count > MAX_PAIRS:
        raise ValidationError(f"L'affectation dépasse {MAX_PAIRS:,} couples : lancez « habpps roles mine ».")
    if not MIN_TIME_LIMIT <= time_limit <= MAX_TIME_LIMIT:
        raise ValidationError(f"Durée maximale entre {MIN_TIME_LIMIT:g} et {MAX_TIME_LIMIT:g} secondes.")
    with transaction.atomic():
        busy = [
            run for run in MiningRun.objects.select_for_update().filter(state__in=_ACTIVE) if run.is_active
        ]
        if busy:
            raise ValidationError(
                f"La fouille n° {busy[0].pk} est en cours : attendez sa fin avant d'en lancer une autre."
            )
        run = MiningRun.objects.create(
            source=source,
            label=label[:200],
            period_start=period[0] if period else None,
            period_end=period[1] if period else None,
            time_limit=time_limit,
            upa=upa_text(upa),
            user_count=len(upa.users),
            permission_count=len(upa.permissions),
            pair_count=upa.edge_count,
            created_by=actor,
        )
        record_event(
            "workbench.mining.start",
            actor=actor,
            org_scope=JOURNAL_SCOPE,
            target=f"fouille:{run.pk}",
            data={"source": source, "label": run.label, "pairs": run.pair_count, "time_limit": time_limit},
        )
        if not _inline():
            transaction.on_commit(lambda: launch_in_background(run.pk))
    if _inline():
        execute_run(run.pk)
    run.refresh_from_db()
    return run


_ACTIVE = (MiningRun.State.QUEUED, MiningRun.State.RUNNING)


def _inline() -> bool:
    return bool(getattr(settings, "HABPPS_WORKBENCH_INLINE_RUNS", False))


def launch_in_background(run_id: int) -> threading.Thread:
    """Execute the run in a daemon thread of this process; returns the thread (tests join it)."""
    thread = threading.Thread(
        target=_execute_in_thread, args=(run_id,), name=f"fouille-{run_id}", daemon=True
    )
    thread.start()
    return thread


def _execute_in_thread(run_id: int) -> None:
    close_old_connections()
    try:
        execute_run(run_id)
    finally:
        connection.close()  # the thread's own connection, never reused


WRITE_ATTEMPTS = 20


def _retrying(write: Callable[[], int]) -> int:
    """Run one of the run's row writes, waiting while the database is busy.

    The thread writes beside the requests of its process: SQLite answers « database table is locked » at once
    to a second writer (shared-cache test databases) or after its busy timeout, and a lost write would leave the
    run queued for ever, its page refreshing with nothing to show. A few seconds of retries ride out any request.
    """
    for attempt in range(WRITE_ATTEMPTS):
        try:
            return write()
        except OperationalError:
            if attempt == WRITE_ATTEMPTS - 1:
                raise
            time.sleep(min(0.05 * 2**attempt, 1.0))
    return 0


def execute_run(run_id: int) -> None:
    """Mine the run's assignment within its time limit, recording progress, heartbeat and the outcome."""
    updated = _retrying(lambda: MiningRun.objects.filter(pk=run_id, state=MiningRun.State.QUEUED).update(
        state=MiningRun.State.RUNNING, started_at=timezone.now(), heartbeat_at=timezone.now()
    ))
    if not updated:
        return  # already taken (two launches of the same run cannot both execute it)
    run = MiningRun.objects.get(pk=run_id)
    progress = _ProgressRecorder(run_id)
    try:
        upa = parse_upa(run.upa.split("\n"), source=f"fouille {run_id}")
        result = mine(upa, Deadline(run.time_limit), progress=progress)
    except Exception as error:  # the miner's own bugs included: the run must end, and say why
        logger.exception("Fouille n° %s en échec", run_id)
        reason = str(error) or type(error).__name__
        progress.flush()
        _retrying(lambda: MiningRun.objects.filter(pk=run_id).update(
            state=MiningRun.State.FAILED, error=reason, finished_at=timezone.now()
        ))
        return
    progress.flush()
    _retrying(lambda: MiningRun.objects.filter(pk=run_id).update(
        state=MiningRun.State.DONE,
        result=result_document(result),
        finished_at=timezone.now(),
        heartbeat_at=timezone.now(),
    ))


def result_document(result: MiningResult) -> dict:
    """The command's JSON document (``habpps roles mine``) plus the weighted structural complexity."""
    return {**result.as_json(), "complexity": result.complexity.as_json(), "notes": list(result.notes)}


class _ProgressRecorder:
    """The miner's progress callback: keeps the lines and writes them, with a heartbeat, at most twice a second."""

    def __init__(self, run_id: int) -> None:
        self.run_id = run_id
        self.started = time.monotonic()
        self.lines: list[dict] = []
        self.written = 0.0

    def __call__(self, message: str) -> None:
        self.lines.append({"seconds": round(time.monotonic() - self.started, 2), "message": message})
        if len(self.lines) > MAX_PROGRESS_LINES:
            del self.lines[MAX_PROGRESS_LINES // 2]
        if time.monotonic() - self.written >= 0.5:
            self.flush()

    def flush(self) -> None:
        self.written = time.monotonic()
        _retrying(lambda: MiningRun.objects.filter(pk=self.run_id).update(
            progress=list(self.lines), heartbeat_at=timezone.now()
        ))


# The three sources of an assignment ------------------------------------------------------------------------


def policy_assignment() -> UserPermissionAssignment:
    """The directory's compiled policy: every active user × the (operation, object) pairs they hold."""
    return upa_from_policy(current_policy().rbac)


def journal_assignment(start: date, end: date) -> UserPermissionAssignment:
    """The accesses the journal proves between two days (included)."""
    return upa_from_accesses(observed_accesses(start, end))
