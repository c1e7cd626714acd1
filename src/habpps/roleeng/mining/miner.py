"""The role miner: minimum number of roles whose composition equals a user–permission assignment (RE-5).

The basic role-mining problem is minimum biclique cover of the bipartite user–permission graph (NP-hard). The
method follows Ene et al. (SACMAT 2008) with an exact solver on top:

1. exact reductions (:mod:`.reductions`) shrink the graph to a small core, then split it into components;
2. per component, a fast pass: maximal bicliques as candidates (:mod:`.concepts`), a greedy cover
   (:mod:`.cover`) and a lower bound from pairwise incompatible edges (:mod:`.bounds`) — when both meet, the
   component is solved;
3. the components left get the remaining time with CP-SAT set cover (:mod:`.exact`), which proves optimality
   when the candidates are all the maximal bicliques;
4. the core roles are carried back through the reductions and each user keeps an irredundant set of roles.

Every stage watches one :class:`Deadline`: when it runs out, the best cover found so far is returned, which is
always exact in composition, and ``optimal`` says whether its minimality was proven.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from habpps.roleeng.mining.anytime import AnytimeSearch, Role, SearchState
from habpps.roleeng.mining.bounds import disjoint_edges_bound
from habpps.roleeng.mining.components import Component, connected_components
from habpps.roleeng.mining.concepts import (
    DEFAULT_CONCEPT_LIMIT,
    Candidates,
    maximal_bicliques,
)
from habpps.roleeng.mining.cover import CoverProblem, greedy_cover
from habpps.roleeng.mining.cover_reductions import CoverPiece, ReducedCover, reduce_cover
from habpps.roleeng.mining.deadline import Deadline
from habpps.roleeng.mining.exact import available_workers
from habpps.roleeng.mining.reductions import Biclique, reduce_assignment, reinstate
from habpps.roleeng.mining.result import MinedRole, MiningResult, composition_errors
from habpps.roleeng.mining.upa import UserPermissionAssignment

Progress = Callable[[str], None]

#: Share of the remaining time a component may spend enumerating its candidates before the greedy pass.
_ENUMERATION_SHARE = 0.25
#: Beyond this many (candidate, edge) incidences the set-cover machinery is too heavy for a component, which
#: then keeps one role per distinct permission set.
_MAX_COVER_AREA = 3_000_000
#: Set-cover reductions run on components with at most this many edges (their bitset passes are quadratic).
_MAX_REDUCIBLE_EDGES = 20_000
#: CP-SAT models are built in Python: beyond this many incidences building one would eat the time limit.
_MAX_EXACT_AREA = 1_000_000
#: Share of the remaining time the graph reductions may take.
_REDUCTION_SHARE = 0.3
#: Enumeration of maximal bicliques is given at most this long per component: beyond it the anytime search is
#: a better use of the time.
_ENUMERATION_SECONDS = 2.5
#: Share of the remaining time for the exact pass (what it leaves unproven goes on to the anytime search).
_EXACT_SHARE = 0.5
#: Beyond this many maximal bicliques the set-cover machinery of the fast pass is slower than the anytime search
#: (the HP Labs cores have at most about 1,200).
_FAST_CONCEPT_LIMIT = 5_000
#: Set-cover reductions are given at most this long per component.
_COVER_REDUCTION_SECONDS = 5.0
#: Least interval between two progress lines of the anytime search.
_PROGRESS_SECONDS = 1.0
_PATIENCE = 12
_INTERRUPTED = "interrompu avant la fin du temps imparti"
#: Loading OR-Tools takes about a second; not worth starting with less time than this left.
_EXACT_SOLVER_MODULE = "ortools.sat.python.cp_model"
_EXACT_SOLVER_IMPORT_SECONDS = 1.5
#: Components and pieces at most this large are not worth a progress line of their own.
_QUIET_EDGES = 200
#: The helper process holds a copy of its component (and works on a few more): not beyond this many cells.
_MAX_HELPER_CELLS = 100_000_000
#: Starting the helper (a Python process importing numpy) takes about a second: not worth it with less time left.
_MIN_HELPER_SECONDS = 5.0
_HELPER_SEED = 7_919


class MiningError(RuntimeError):
    """An internal inconsistency: the roles found do not compose into the assignment (a bug, never data)."""


@dataclass(frozen=True)
class MinerSettings:
    """Knobs of the miner; the defaults are what the command uses."""

    concept_limit: int = DEFAULT_CONCEPT_LIMIT
    use_exact_solver: bool = True
    workers: int | None = None
    #: a second process grows covers of the largest component on the other core (:mod:`.helper`) when it has at
    #: least this many pairs and the run has a time limit
    helper_process: bool = True
    helper_min_edges: int = 50_000


@dataclass
class _PieceState:
    """A piece of a component's reduced cover, its best cover so far and a lower bound on that cover."""

    piece: CoverPiece
    chosen: list[int]
    lower_bound: int

    @property
    def solved(self) -> bool:
        return len(self.chosen) == self.lower_bound


@dataclass
class _ComponentState:
    """Where a connected component stands: candidates, forced roles, pieces left, and its own lower bound.

    With every maximal biclique enumerated, the set cover *is* the role problem and the bound adds up from the
    forced candidates and the pieces; otherwise only the incompatible-edge bound on the graph holds.
    """

    component: Component
    candidates: Candidates
    forced: list[int]
    pieces: list[_PieceState]
    graph_bound: int
    search: SearchState | None = None

    @property
    def chosen(self) -> list[int]:
        return self.forced + [k for p in self.pieces for k in p.piece.original(p.chosen)]

    def roles(self) -> list[Role]:
        """The best cover of the component so far, as (row mask, column mask) bicliques."""
        chosen = self.chosen
        if self.search is not None and len(self.search.roles) < len(chosen):
            return list(self.search.roles)
        return [(self.candidates.extents[k], self.candidates.intents[k]) for k in chosen]

    @property
    def role_count(self) -> int:
        count = len(self.chosen)
        return min(count, len(self.search.roles)) if self.search is not None else count

    @property
    def lower_bound(self) -> int:
        bound = self.graph_bound
        if self.candidates.complete:
            bound = max(bound, len(self.forced) + sum(p.lower_bound for p in self.pieces))
        if self.search is not None:
            bound = max(bound, self.search.bound)
        return bound

    @property
    def optimal(self) -> bool:
        return self.role_count == self.lower_bound


def mine(
    upa: UserPermissionAssignment,
    deadline: Deadline | None = None,
    progress: Progress | None = None,
    settings: MinerSettings | None = None,
) -> MiningResult:
    """Mine as few roles as possible for ``upa`` before ``deadline``; the result's composition is always exact.

    A ``KeyboardInterrupt`` (Ctrl-C, or SIGTERM turned into one by the command) stops the search early: the best
    cover found so far is returned, with the notes saying so.
    """
    deadline = deadline or Deadline.unlimited()
    settings = settings or MinerSettings()
    report = progress or (lambda message: None)
    started = time.monotonic()
    if not upa.users:
        return MiningResult((), optimal=True, lower_bound=0, seconds=time.monotonic() - started)

    try:
        reduced = reduce_assignment(upa, Deadline(deadline.remaining() * _REDUCTION_SHARE))
    except KeyboardInterrupt:
        report("Interrompu pendant les réductions : un rôle par ensemble de permissions distinct.")
        roles = _one_role_per_permission_set(upa)
        return _finish(upa, roles, 1, len(roles) == 1, started, notes=(_INTERRUPTED,))
    if reduced.matrix is None:
        report("Graphe trop grand pour les réductions : un rôle par ensemble de permissions distinct.")
        roles = _one_role_per_permission_set(upa)
        return _finish(upa, roles, lower_bound=1, optimal=len(roles) == 1, started=started)

    components = sorted(connected_components(reduced.matrix), key=lambda c: c.edge_count)
    report(
        f"Réductions : noyau de {reduced.matrix.shape[0]} utilisateurs × {reduced.matrix.shape[1]} permissions, "
        f"{reduced.edge_count} couples, {len(components)} composante(s) connexe(s)."
    )
    states: list[_ComponentState] = [_one_role_per_row(c) for c in components]
    notes: tuple[str, ...] = ()
    try:
        _fast_pass(states, deadline, settings, report)
        open_pieces = [p for s in states if s.candidates.complete for p in s.pieces if not p.solved]
        searching = [s for s in states if not s.candidates.complete]
        report(
            f"Passe rapide : {sum(s.role_count for s in states)} rôles, borne inférieure "
            f"{sum(s.lower_bound for s in states)}, {len(open_pieces)} sous-problème(s) à résoudre exactement, "
            f"{len(searching)} composante(s) pour la recherche continue."
        )
        if settings.use_exact_solver and open_pieces:
            exact_deadline = Deadline(deadline.remaining() * _EXACT_SHARE) if deadline.bounded else deadline
            _exact_pass(open_pieces, exact_deadline, settings, report)
        _anytime_pass(states, deadline, settings, report)
    except KeyboardInterrupt:
        report("Interrompu : la meilleure couverture trouvée jusqu'ici est gardée.")
        notes = (_INTERRUPTED,)

    core_roles = [
        Biclique(
            users=set(reduced.user_ids[s.component.rows[extent]].tolist()),
            permissions=set(reduced.permission_ids[s.component.columns[intent]].tolist()),
        )
        for s in states
        for extent, intent in s.roles()
    ]
    roles = reinstate(core_roles, reduced.steps)
    lower_bound = sum(s.lower_bound for s in states)
    trivial = _one_role_per_permission_set(upa)
    if len(trivial) < len(roles):  # a safety net: never worse than one role per distinct permission set
        roles = trivial
    return _finish(upa, roles, lower_bound, all(s.optimal for s in states), started, notes=notes)


def _fast_pass(states: list[_ComponentState], deadline: Deadline, settings: MinerSettings, report: Progress) -> None:
    """Solve each component exactly when its maximal bicliques can all be enumerated; ``states`` is updated in
    place, so that an interruption leaves the components not reached yet with their one-role-per-user cover."""
    remaining_edges = sum(s.component.edge_count for s in states)
    for index, previous in enumerate(states):
        component = previous.component
        share = component.edge_count / max(1, remaining_edges)
        remaining_edges -= component.edge_count
        state = _solve_fast(component, deadline, share, settings)
        states[index] = state
        if component.edge_count > _QUIET_EDGES:
            if state.candidates.complete:
                detail = (
                    f"{len(state.candidates)} bicliques maximales (toutes énumérées), {len(state.forced)} rôles "
                    f"imposés, {len(state.pieces)} sous-problème(s) ; {state.role_count} rôles, borne "
                    f"inférieure {state.lower_bound}."
                )
            else:
                detail = "trop de bicliques maximales pour les énumérer : recherche continue."
            report(f"Composante de {component.edge_count} couples : {detail}")


def _solve_fast(component: Component, deadline: Deadline, share: float, settings: MinerSettings) -> _ComponentState:
    matrix = component.matrix
    if matrix.all():
        whole = Candidates(np.ones((1, matrix.shape[0]), bool), np.ones((1, matrix.shape[1]), bool), True)
        return _ComponentState(component, whole, forced=[0], pieces=[], graph_bound=1)
    if deadline.expired():
        return _one_role_per_row(component)
    enumeration_deadline = Deadline(min(deadline.remaining() * _ENUMERATION_SHARE * share, _ENUMERATION_SECONDS))
    limit = min(settings.concept_limit, _FAST_CONCEPT_LIMIT)
    candidates = maximal_bicliques(matrix, limit, enumeration_deadline, keep_partial=False)
    if not candidates.complete:
        return _one_role_per_row(component)  # left to the anytime search
    area = int(candidates.extents.sum(axis=1) @ candidates.intents.sum(axis=1))
    if area > _MAX_COVER_AREA or deadline.expired():
        return _one_role_per_row(component)  # left to the anytime search
    problem = CoverProblem.from_candidates(matrix, candidates)
    if problem.edge_count <= _MAX_REDUCIBLE_EDGES:
        reduced = reduce_cover(problem, Deadline(min(deadline.remaining() * share * 0.5, _COVER_REDUCTION_SECONDS)))
    else:  # the bitset reductions are quadratic in the edges: solve the cover as one piece
        whole = CoverPiece(np.arange(len(problem.sets)), problem)
        reduced = ReducedCover(forced=[], pieces=[whole], exhaustive=False)
    pieces = []
    for piece in reduced.pieces:
        chosen = greedy_cover(piece.problem)
        bound = len(disjoint_edges_bound(piece.problem)) if not deadline.expired() else 1
        pieces.append(_PieceState(piece, chosen, max(1, bound)))
    return _ComponentState(component, candidates, reduced.forced, pieces, graph_bound=1)


def _anytime_pass(
    every: list[_ComponentState], deadline: Deadline, settings: MinerSettings, report: Progress
) -> None:
    """Give the unsolved components the time left, in rounds (each keeps its search between rounds); progress
    lines give the whole assignment's best cover and bound so far."""
    states = [s for s in every if not s.optimal]
    if not states:
        return
    workers = settings.workers or available_workers()
    last = [0.0, -1, -1]

    def show(force: bool = False) -> None:
        roles = sum(s.role_count for s in every)
        bound = sum(s.lower_bound for s in every)
        now = time.monotonic()
        if force or (roles, bound) != (last[1], last[2]) and now - last[0] >= _PROGRESS_SECONDS or now - last[0] > 10:
            last[:] = [now, roles, bound]
            report(f"Recherche : meilleure couverture {roles} rôles, meilleure borne {bound}, "
                   f"{deadline.elapsed():.1f} s écoulées.")

    searches = {}
    for state in states:
        state.search = SearchState(state.roles(), state.lower_bound)
        searches[id(state)] = AnytimeSearch(
            state.component.matrix, state.search, show, workers=workers, use_solver=settings.use_exact_solver
        )
    show(force=True)
    # Without a time limit each search stops after this many fruitless greedy runs, and the pass after one round.
    patience = None if deadline.bounded else _PATIENCE
    helped = _start_helper(states, searches, deadline, settings, workers)
    if helped is not None:
        report("Processus auxiliaire démarré : couvertures gloutonnes de la plus grande composante sur l'autre cœur.")
    try:
        while not deadline.expired():
            open_states = [s for s in states if not s.optimal]
            if not open_states:
                break
            weight = sum(s.component.edge_count for s in open_states)
            for state in open_states:
                share = state.component.edge_count / max(1, weight)
                slice_deadline = Deadline(deadline.remaining() * share) if deadline.bounded else deadline
                weight -= state.component.edge_count
                searches[id(state)].run(slice_deadline, patience)
            if patience is not None:
                break
    finally:
        if helped is not None:
            helped.take_helper_covers()  # a cover that arrived while the search was finishing its own
            helped.helper.close()
            helped.helper = None
            report(f"Processus auxiliaire arrêté : {helped.helper_covers} couverture(s) reçue(s).")
    show(force=True)


def _start_helper(
    states: list[_ComponentState],
    searches: dict[int, AnytimeSearch],
    deadline: Deadline,
    settings: MinerSettings,
    workers: int,
) -> AnytimeSearch | None:
    """Start a helper process growing covers of the largest open component on the other core, when there is one
    and the component is large enough for covers to take seconds (see :mod:`.helper`)."""
    if not deadline.bounded or workers < 2 or not settings.helper_process or not sys.executable:
        return None
    largest = max(states, key=lambda s: s.component.edge_count)
    matrix = largest.component.matrix
    if largest.component.edge_count < settings.helper_min_edges or matrix.size > _MAX_HELPER_CELLS:
        return None
    if deadline.remaining() < _MIN_HELPER_SECONDS:
        return None
    from habpps.roleeng.mining.helper import CoverHelper

    search = searches[id(largest)]
    try:
        search.helper = CoverHelper(matrix, seed=_HELPER_SEED, seconds=deadline.remaining())
    except OSError:  # no process could be started: the search goes on alone
        return None
    return search


def _one_role_per_row(component: Component) -> _ComponentState:
    """The fallback when time or memory runs short: each distinct permission set of the core is a role."""
    n = component.matrix.shape[0]
    rows = Candidates(np.eye(n, dtype=bool), component.matrix, complete=False)
    return _ComponentState(component, rows, forced=list(range(n)), pieces=[], graph_bound=1)


def _exact_pass(pieces: list[_PieceState], deadline: Deadline, settings: MinerSettings, report: Progress) -> None:
    """Give each unsolved piece a fair share of the time left, smallest first (their leftovers roll over)."""
    if _EXACT_SOLVER_MODULE not in sys.modules and deadline.remaining() < _EXACT_SOLVER_IMPORT_SECONDS:
        return  # loading OR-Tools alone would overrun the budget
    from habpps.roleeng.mining.exact import solve_cover

    workers = settings.workers or available_workers()
    pieces = sorted(pieces, key=lambda p: len(p.piece.problem.sets) + p.piece.problem.edge_count)
    weights = [len(p.piece.problem.sets) + p.piece.problem.edge_count for p in pieces]
    remaining_weight = sum(weights)
    for state, weight in zip(pieces, weights, strict=True):
        budget = deadline.remaining() * weight / max(1, remaining_weight)
        remaining_weight -= weight
        problem = state.piece.problem
        if budget < 0.05 or sum(len(s) for s in problem.sets) > _MAX_EXACT_AREA:
            continue
        loud = problem.edge_count > _QUIET_EDGES
        if loud:
            report(
                f"Solveur exact (CP-SAT, {workers} cœur(s)) : {len(problem.sets)} candidates, "
                f"{problem.edge_count} couples, {budget:.1f} s au plus."
            )
        outcome = solve_cover(problem, state.chosen, budget, state.lower_bound, workers)
        state.chosen = outcome.chosen
        state.lower_bound = max(state.lower_bound, outcome.bound)
        if loud:
            verdict = "minimum prouvé" if state.solved else "sans preuve"
            report(f"  → {len(state.chosen)} rôles, borne inférieure {state.lower_bound} ({verdict}).")


def _one_role_per_permission_set(upa: UserPermissionAssignment) -> list[Biclique]:
    roles: dict[frozenset[int], Biclique] = {}
    for u, row in enumerate(upa.user_permissions):
        roles.setdefault(row, Biclique(set(), set(row))).users.add(u)
    return list(roles.values())


def _finish(
    upa: UserPermissionAssignment,
    roles: list[Biclique],
    lower_bound: int,
    optimal: bool,
    started: float,
    notes: tuple[str, ...] = (),
) -> MiningResult:
    """Give each user an irredundant set of the roles that fit them, name everything, and check the result."""
    roles = _irredundant_assignments(upa, roles)
    roles.sort(key=lambda r: (-len(r.users), min(r.permissions)))
    permission_name, user_name = upa.permissions.__getitem__, upa.users.__getitem__
    named = tuple(
        MinedRole(
            id=f"R{number}",
            permissions=tuple(map(permission_name, sorted(role.permissions))),
            users=tuple(map(user_name, sorted(role.users))),
        )
        for number, role in enumerate(roles, start=1)
    )
    errors = composition_errors(upa, named)
    if errors:
        raise MiningError("la composition des rôles trouvés ne reproduit pas l'affectation : " + "; ".join(errors))
    if lower_bound > len(named):
        raise MiningError(f"borne inférieure {lower_bound} supérieure au nombre de rôles trouvés {len(named)}")
    return MiningResult(
        named, optimal or lower_bound == len(named), lower_bound, time.monotonic() - started, notes=notes
    )


def _irredundant_assignments(upa: UserPermissionAssignment, roles: list[Biclique]) -> list[Biclique]:
    """Reassign each user to an irredundant set of their roles that still grant all their permissions (largest
    roles first, then any role the others make redundant is dropped).

    Roles that end up with no user are dropped (which can only lower the count). Permission sets are handled as
    integer bitsets: on COMP_02.1 (2,000 roles, users holding up to 900 permissions) set intersections took a
    minute, bit operations take seconds.
    """
    roles_of: list[list[int]] = [[] for _ in upa.users]
    for k, role in enumerate(roles):
        for u in role.users:
            roles_of[u].append(k)
        role.users = set()
    bits = [_bits(role.permissions) for role in roles]
    sizes = [len(role.permissions) for role in roles]
    for u, row in enumerate(upa.user_permissions):
        missing = _bits(row)
        picked: list[int] = []
        for k in sorted(roles_of[u], key=lambda k: -sizes[k]):  # one pass, largest roles first
            if bits[k] & missing:
                picked.append(k)
                missing &= ~bits[k]
                if not missing:
                    break
        if missing:
            raise MiningError(f"les rôles trouvés ne couvrent pas l'utilisateur {upa.users[u]}")
        # a role is redundant when each of its permissions is held twice among the roles picked: "twice" is
        # recounted only after a drop (rare), not for every role tested (quadratic: 9 s on COMP_02.1 profiled)
        twice = _held_twice(bits, picked)
        for k in sorted(picked, key=lambda k: bits[k].bit_count()):
            if bits[k] & ~twice == 0:
                picked = [j for j in picked if j != k]
                twice = _held_twice(bits, picked)
        for k in picked:
            roles[k].users.add(u)
    return [role for role in roles if role.users]


def _held_twice(bits: list[int], picked: list[int]) -> int:
    """The bits set in at least two of ``bits[k]`` for ``k`` in ``picked``."""
    once = twice = 0
    for k in picked:
        twice |= once & bits[k]
        once |= bits[k]
    return twice


def _bits(indices: Iterable[int]) -> int:
    """The set as an integer bitset (bit i set for member i), built in C rather than one shift per member."""
    members = np.fromiter(indices, dtype=np.int64)
    if not len(members):
        return 0
    mask = np.zeros(int(members.max()) + 1, dtype=bool)
    mask[members] = True
    return int.from_bytes(np.packbits(mask, bitorder="little").tobytes(), "little")
