"""Exact minimum set cover over candidate bicliques with OR-Tools CP-SAT.

One Boolean per candidate, one clause per edge (some candidate covering it is chosen), minimise the number
chosen. When the candidates are all the maximal bicliques, the optimum of this model is the minimum number of
roles and the solver's bound is a valid lower bound on it; otherwise the model only improves a heuristic cover.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass

from habpps.roleeng.mining.cover import CoverProblem
from habpps.roleeng.mining.deadline import stop_requested

#: CP-SAT sub-solvers for machines with few cores, strongest first: the full LP relaxation with cuts, the
#: core-based (MaxSAT-style) bound, and the default search that finds solutions.
_SMALL_PORTFOLIO = ("max_lp", "core", "default_lp")


@dataclass(frozen=True)
class ExactOutcome:
    """The best cover found, whether the solver proved it minimal, and its lower bound on the minimum."""

    chosen: list[int]
    proven_optimal: bool
    bound: int


def available_workers() -> int:
    """CPU cores this process may use (CP-SAT runs one search strategy per worker)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def solve_cover(
    problem: CoverProblem,
    hint: list[int],
    seconds: float,
    lower_bound: int = 0,
    workers: int | None = None,
) -> ExactOutcome:
    """Minimise the number of sets covering every edge within ``seconds``, starting from the cover ``hint``.

    ``lower_bound`` (known to hold, e.g. from incompatible edges) is added as a constraint, which lets the
    solver stop as soon as it meets it. If no better solution is found in time, ``hint`` is returned.
    """
    from ortools.sat.python import cp_model  # heavy import, paid only when the exact solver runs

    model = cp_model.CpModel()
    chosen = [model.new_bool_var(f"role_{k}") for k in range(len(problem.sets))]
    clauses: set[tuple[int, ...]] = set()
    for owners in problem.covering_sets():
        clauses.add(tuple(owners.tolist()))
    for clause in clauses:
        model.add_bool_or([chosen[k] for k in clause])
    if lower_bound:
        model.add(sum(chosen) >= lower_bound)
    model.minimize(sum(chosen))
    hinted = set(hint)
    for k, variable in enumerate(chosen):
        model.add_hint(variable, k in hinted)

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.01, seconds)
    workers = workers or available_workers()
    solver.parameters.num_workers = workers
    if workers <= len(_SMALL_PORTFOLIO):
        # With few workers CP-SAT's default portfolio leaves out its strongest LP relaxation, which is what
        # proves set-cover optima: a 57-candidate piece of americas_small took 15 s with 2 default workers and
        # 0.01 s with these.
        solver.parameters.subsolvers.extend(_SMALL_PORTFOLIO[: max(1, workers)])
    outcome: list[int] = []
    run_interruptibly(lambda: outcome.append(solver.solve(model)), solver.stop_search)
    status = outcome[0]
    if status == cp_model.OPTIMAL:
        solution = [k for k, variable in enumerate(chosen) if solver.boolean_value(variable)]
        return ExactOutcome(solution, proven_optimal=True, bound=len(solution))
    bound = max(lower_bound, math.ceil(solver.best_objective_bound - 1e-6)) if status != cp_model.UNKNOWN else 0
    if status == cp_model.FEASIBLE:
        solution = [k for k, variable in enumerate(chosen) if solver.boolean_value(variable)]
        if len(solution) < len(hint):
            return ExactOutcome(solution, proven_optimal=False, bound=max(bound, lower_bound))
    return ExactOutcome(list(hint), proven_optimal=False, bound=max(bound, lower_bound))


def run_interruptibly(target: Callable[[], object], stop: Callable[[], None]) -> None:
    """Run ``target`` (a native call that releases the GIL, like CP-SAT's solve) in a thread while the main thread
    watches for a stop request (:func:`~habpps.roleeng.mining.deadline.request_stop`) or a Ctrl-C; either calls
    ``stop`` at once (a Ctrl-C is then re-raised once the thread has finished)."""
    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(0.05)
            if stop_requested():
                stop()
    except BaseException:
        stop()
        worker.join()
        raise
