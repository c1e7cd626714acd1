"""``habpps roles mine UPA_FILE --time-limit SECONDS --out RESULT.json``: role mining on the command line (RE-5).

The time limit bounds the whole run, from the start of the process to the written file: the miner gets what is
left after start-up and parsing, minus a reserve for carrying the roles back and writing them. Progress goes to
stderr; the result is written atomically (temporary file then rename), and not at all if the input is malformed.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from habpps.roleeng.mining.deadline import Deadline

EXIT_OK = 0
EXIT_FAILURE = 1

#: Reserve kept out of the miner's budget for the final stages, per edge of the assignment, plus a constant.
#: (Finishing took 12 s on COMP_02.1 under load until reinstating indexed the roles, 5.7 s since at load 12;
#: 7 s on 1.1 M pairs; since the irredundant assignments stopped being quadratic per user, 0.9 s of processor
#: on COMP_02.1 and 4 s of wall time at load 10.)
_RESERVE_PER_EDGE = 1.5e-5
_RESERVE_BASE = 0.8
_RESERVE_MAX_SHARE = 0.25
_RESERVE_READING_FACTOR = 2.5


def register_mine(roles_sub: argparse._SubParsersAction) -> None:
    """Add the ``mine`` action to ``habpps roles``."""
    parser = roles_sub.add_parser(
        "mine",
        help="fouille de rôles : le moins de rôles possible pour une affectation utilisateur–permission",
        description=(
            "Trouve des rôles (ensembles de permissions) et leurs affectations aux utilisateurs dont la "
            "composition reproduit exactement le fichier, avec le moins de rôles possible, et dit si ce nombre "
            "est prouvé minimal. Format : un couple « utilisateur permission » par ligne, séparés par des "
            "blancs ; lignes vides et lignes commençant par # ignorées."
        ),
    )
    parser.add_argument("upa_file", metavar="UPA_FILE", help="affectation utilisateur–permission à fouiller")
    parser.add_argument(
        "--time-limit",
        type=_positive_seconds,
        default=60.0,
        metavar="SECONDES",
        help="durée maximale de toute l'exécution, écriture comprise (défaut : 60)",
    )
    parser.add_argument("--out", required=True, metavar="RESULT.json", help="fichier JSON du résultat")
    parser.set_defaults(handler=run_mine)


def run_mine(args: argparse.Namespace) -> int:
    """Parse, mine within the time limit, write the result; return the process exit code."""
    from habpps.roleeng.mining import Deadline, UpaFormatError, mine, read_upa
    from habpps.roleeng.mining.deadline import stop_requested

    run = Deadline(args.time_limit, started=time.monotonic() - _seconds_since_process_start())
    say = _Progress(run)
    reading = time.monotonic()
    try:
        upa = read_upa(args.upa_file)
    except UpaFormatError as error:
        print(f"habpps roles mine : erreur : {error}", file=sys.stderr)
        return EXIT_FAILURE
    say(
        f"Lecture de {args.upa_file} : {len(upa.users)} utilisateurs, {len(upa.permissions)} permissions, "
        f"{upa.edge_count} couples."
    )
    # finishing walks every pair in Python, as reading did: on a loaded machine it slows down alike, so the
    # reserve is at least 2.5 times the reading time (COMP_02.1 at load 14: reading 6 s, finishing 12.5 s before
    # finishing got faster; about 1 processor second of finishing for 0.45 of reading now)
    read_seconds = time.monotonic() - reading
    reserve = min(
        args.time_limit * _RESERVE_MAX_SHARE,
        max(_RESERVE_BASE + _RESERVE_PER_EDGE * upa.edge_count, _RESERVE_READING_FACTOR * read_seconds),
    )
    with _stop_on_signal():
        result = mine(upa, run.sooner(reserve), progress=say)
        if stop_requested():
            say("Arrêt demandé : écriture de la meilleure couverture trouvée jusqu'ici.")
        result = dataclasses.replace(result, seconds=run.elapsed())
        try:
            _write_atomically(Path(args.out), result.as_json())
        except OSError as error:
            print(f"habpps roles mine : erreur : écriture de {args.out} impossible ({error})", file=sys.stderr)
            return EXIT_FAILURE
    verdict = "minimum prouvé" if result.optimal else f"non prouvé, borne inférieure {result.lower_bound}"
    say(
        f"{len(result.roles)} rôles ({verdict}), complexité structurelle pondérée "
        f"{result.complexity.value}, écrit dans {args.out}."
    )
    return EXIT_OK


@contextlib.contextmanager
def _stop_on_signal() -> Iterator[None]:
    """While mining and writing, Ctrl-C and SIGTERM make every deadline expire: the miner returns its best cover so
    far and the command writes it, as on reaching the time limit."""
    from habpps.roleeng.mining.deadline import clear_stop, request_stop

    clear_stop()
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be installed from the main thread
        return

    def stop(signum: int, frame: object) -> None:
        request_stop()  # nothing printed here: a handler must not write to a stream the main thread may be using

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        clear_stop()


class _Progress:
    """Progress lines on stderr, stamped with the time since the run started."""

    def __init__(self, run: Deadline) -> None:
        self.run = run

    def __call__(self, message: str) -> None:
        print(f"[{self.run.elapsed():7.2f} s] {message}", file=sys.stderr, flush=True)


def _positive_seconds(text: str) -> float:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        raise argparse.ArgumentTypeError(f"nombre de secondes attendu : {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"durée strictement positive attendue : {text!r}")
    return value


_START_UP_MAX = 5.0
"""A process younger than this when the command runs was started for it: its start-up counts."""


def _seconds_since_process_start() -> float:
    """Time already spent on this command: the process's whole life when it was started to run it (interpreter
    start-up and imports count against the limit), else nothing — a long-lived process (a test runner, a worker)
    calling the command in-process starts the clock at the call."""
    try:
        import psutil

        age = max(0.0, time.time() - psutil.Process().create_time())
    except Exception:  # pragma: no cover - psutil missing or unable to read the process: start at the command
        return 0.0
    return age if age <= _START_UP_MAX else 0.0


def _write_atomically(path: Path, document: dict) -> None:
    """Write JSON next to ``path`` then rename, so that a reader never sees half a file."""
    directory = path.resolve().parent
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(document, handle, ensure_ascii=False, indent=1)
            handle.write("\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
