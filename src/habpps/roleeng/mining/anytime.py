"""Anytime search for the components the exact pipeline cannot close: better covers and bounds until time is up.

Planted role structures (RMPlib) have far too many maximal bicliques to enumerate, but a good cover is found by
*growing* large bicliques towards the pairs still uncovered, and an optimal one by *merging* several such covers:

1. **Grown greedy cover** (:func:`grow`, :meth:`AnytimeSearch.greedy_cover`): repeatedly, from a seed
   permission (or user) drawn among those with uncovered pairs, add the permission (user) that keeps the most
   uncovered pairs inside the biclique, remember the best biclique along that path, close it into a maximal
   biclique and take it. Seeds are drawn at random, so every run gives a different cover.
2. **Pair merging** (:mod:`.pair_merge`): two roles of a greedy cover whose private pairs fit in one biclique
   are replaced by it, while possible; this takes a greedy cover of a planted structure most of the way to the
   optimum.
3. **Cover merging** (:meth:`AnytimeSearch.merge`): the roles of all covers found so far form a small pool;
   CP-SAT picks the fewest of them that cover every pair (hinted with the best cover). Roles that are right in
   different runs combine into a cover better than any single run.
4. **Lower bounds** (:func:`incompatible_edges_bound`): a set of pairs no two of which fit in one role; greedy
   with restarts, pairs with few compatible pairs first, or (every other time) pairs covered by few roles of the
   pool first (they are the "private" pairs of planted roles).

Every improvement is stored at once in the :class:`SearchState`, so stopping at any moment (time limit, Ctrl-C,
SIGTERM) leaves the best cover and the best bound found so far; the CP-SAT call is stopped on interruption.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from habpps.roleeng.mining.bounds import compatible_counts, incompatible_edges_bound
from habpps.roleeng.mining.deadline import Deadline
from habpps.roleeng.mining.pair_merge import _Cells, drop_redundant, merge_role_pairs

if TYPE_CHECKING:
    from habpps.roleeng.mining.helper import CoverHelper

#: A role of a component: (user rows, permission columns), boolean masks.
Role = tuple[np.ndarray, np.ndarray]

#: Seeds tried per greedy step: more seeds give better single covers but slower ones; merging makes up.
_SEEDS = 1
#: Beyond this many operations the bound's compatible-pair counts (two dense matrix products) are replaced by a
#: cheaper order (COMP_02.1's core would need about 10¹¹).
_MAX_COUNT_FLOPS = 1e10
#: Neighbourhoods (rows × columns with uncovered pairs) beyond this many cells are not grown (hubs: users holding
#: hundreds of permissions); the seed's own maximal biclique stands in.
_MAX_NEIGHBOURHOOD = 200_000
#: Share of each merge's budget in the remaining time.
_MERGE_SHARE = 0.3
#: A cover merge is not started with less time left than this (the model alone takes a while to build).
_MIN_MERGE_SECONDS = 0.5


@dataclass
class SearchState:
    """The best cover and bound of one component so far; read by the miner at any time, even mid-search."""

    roles: list[Role]
    bound: int
    runs: int = 0
    merges: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def solved(self) -> bool:
        return len(self.roles) <= self.bound


def grow(matrix: np.ndarray, transposed: np.ndarray, uncovered: np.ndarray, seed: int) -> np.ndarray:
    """Columns of a biclique containing column ``seed`` that holds many uncovered pairs (greedy path, best kept).

    Starting from the users of ``seed``, each step adds the column that leaves the most uncovered pairs in
    (users holding every chosen column) × (chosen columns); the path ends when no column adds any. Everything
    happens inside the seed's neighbourhood (its users × their columns), cut out once. ``transposed`` is
    ``matrix.T`` stored by rows, so that the seed's column is read contiguously.
    """
    rows = np.flatnonzero(transposed[seed])
    # only columns with uncovered pairs among these users can raise the score; the closure adds the others back
    near = uncovered[rows]
    reach = np.flatnonzero(near.any(axis=0))
    if not len(reach) or reach[np.searchsorted(reach, seed) % len(reach)] != seed:
        reach = np.union1d(reach, [seed])
    if len(rows) * len(reach) > _MAX_NEIGHBOURHOOD:  # a hub: its own maximal biclique is the cheap answer
        result = np.zeros(matrix.shape[1], dtype=bool)
        result[seed] = True
        return result
    local = matrix[rows][:, reach].astype(np.float32)
    local_uncovered = near[:, reach].astype(np.float32)
    start = int(np.searchsorted(reach, seed))
    users = np.ones(len(rows), dtype=bool)
    columns = np.zeros(len(reach), dtype=bool)
    columns[start] = True
    inside = local_uncovered[:, start].copy()  # uncovered pairs of each user within the chosen columns
    best_score, best = float(inside.sum()), columns.copy()
    while True:
        alive = np.flatnonzero(users)
        block = local[alive]
        shared = (block.min(axis=0) > 0) & ~columns
        if shared.any():  # columns every user left holds: taking them all at once loses nobody
            columns |= shared
            inside += local_uncovered[:, shared].sum(axis=1)
            score = float(inside[alive].sum())
            if score > best_score:
                best_score, best = score, columns.copy()
        scores = inside[alive] @ block + (block * local_uncovered[alive]).sum(axis=0)
        scores[columns] = -1
        q = int(np.argmax(scores))
        if scores[q] <= 0 or 2 * scores[q] < best_score:  # the path no longer leads anywhere better
            break
        users &= local[:, q] > 0
        columns[q] = True
        inside += local_uncovered[:, q]
        if scores[q] > best_score:
            best_score, best = float(scores[q]), columns.copy()
    result = np.zeros(matrix.shape[1], dtype=bool)
    result[reach[best]] = True
    return result


class AnytimeSearch:
    """Improve the cover and the bound of one component (a boolean matrix with no empty row or column)."""

    def __init__(
        self,
        matrix: np.ndarray,
        state: SearchState,
        on_improve: Callable[[], None] | None = None,
        seed: int = 0,
        workers: int = 1,
        use_solver: bool = True,
    ) -> None:
        self.matrix = matrix
        self.transposed = matrix.T.copy()
        self.column_degrees = matrix.sum(axis=0)
        self.state = state
        self.on_improve = on_improve or (lambda: None)
        self.random = np.random.default_rng(seed)
        self.workers = workers
        self.use_solver = use_solver
        self.grown = True  # False: only the seeds' own maximal bicliques (to measure what growing brings)
        self.exact_counts = True  # False: the bound always uses the cheap order (to measure the counts)
        self.pair_merging = True  # False: greedy covers are not improved by merging pairs of roles
        self._compatible: np.ndarray | None = None
        self._bound_calls = 0
        self.pool: dict[bytes, Role] = {}
        self._edge_index: np.ndarray | None = None  # built at the first merge (large on large graphs)
        self._edge_count: int | None = None
        #: a second process growing covers of the same matrix (:mod:`.helper`), started by the miner on large
        #: components; its covers are offered like the search's own
        self.helper: CoverHelper | None = None
        self.helper_covers = 0  # greedy covers received from it

    # ----------------------------------------------------------------------------------------------- driver
    def run(self, deadline: Deadline, patience: int | None = None) -> None:
        """Greedy runs, merges and bound restarts until the deadline or a proof — or, when ``patience`` is given
        (an unlimited deadline), until that many greedy runs in a row improved neither cover nor bound."""
        # the first bound comes after the first cover: on large planted structures that cover (and pair merging)
        # is most of the result, and under load the bound's seconds delayed it
        merged_at = 0
        quiet = covers_quiet = 0
        while not deadline.expired() and not self.state.solved:
            if patience is not None and quiet >= patience:
                return
            before = (len(self.state.roles), self.state.bound)
            started = time.monotonic()
            helped = self.take_helper_covers()
            cover = self.greedy_cover(deadline)
            if cover is None:
                if helped or self.take_helper_covers():
                    self.on_improve()
                break
            self.state.runs += 1
            self._offer(cover)
            self.take_helper_covers()
            if self.pair_merging and not deadline.expired():
                self._offer(merge_role_pairs(self.matrix, self.transposed, cover, deadline))
            run_seconds = time.monotonic() - started
            # merge when the pool grew, and not more often than the greedy runs cost
            # (never once the deadline has passed: building the model and loading OR-Tools take seconds on large
            # pools, which overran the limit when a cut greedy run was followed by a "last chance" merge)
            # (and only once two covers exist: with one, the pool is that cover and its pair-merged version, little
            # for CP-SAT to combine, and on COMP_02.1 under load its seconds delayed the second cover past the limit)
            if self.use_solver and len(self.pool) > merged_at and deadline.remaining() > _MIN_MERGE_SECONDS and (
                self.state.runs >= 3 or self.state.runs >= 2 and deadline.remaining() < 4 * run_seconds
            ):
                merged_at = len(self.pool)
                budget = max(0.5, min(deadline.remaining() * _MERGE_SHARE, 20 * run_seconds + 1))
                budget = min(budget, deadline.remaining())
                merged_from = len(self.state.roles)
                self.merge(Deadline(budget if patience is None else min(budget, 5.0)))
                if self.pair_merging and len(self.state.roles) < merged_from and not deadline.expired():
                    self._offer(merge_role_pairs(self.matrix, self.transposed, self.state.roles, deadline))
            stalled = len(self.state.roles) == before[0]
            covers_quiet = covers_quiet + 1 if stalled else 0
            # bounds every other run; every run, and harder, once the covers stopped improving
            if not self.state.solved and (self.state.runs % 2 == 1 or covers_quiet >= 3):
                self._bound(deadline, restarts=4 if self.state.runs == 1 else 2 if covers_quiet < 3 else 6)
            quiet = 0 if (len(self.state.roles), self.state.bound) != before else quiet + 1
            self.on_improve()

    def take_helper_covers(self) -> int:
        """Offer the covers the helper process sent since the last call; how many there were."""
        if self.helper is None:
            return 0
        covers = self.helper.covers()
        for greedy, cover in covers:
            self.state.runs += greedy
            self.helper_covers += greedy
            if cover:
                self._offer(cover)
        return len(covers)

    def _offer(self, cover: list[Role]) -> None:
        if len(cover) < len(self.state.roles) and not self._exact(cover):
            # a safety net: a cover that lost a pair would make the whole run fail at the end; it is dropped
            self.state.notes.append(f"couverture inexacte de {len(cover)} rôles écartée")
            return
        for role in cover:
            self.pool.setdefault(_key(role), role)
        if len(cover) < len(self.state.roles):
            self.state.roles = cover
            self.on_improve()

    def _exact(self, cover: list[Role]) -> bool:
        """Whether the roles lie inside the matrix and cover every one of its pairs (one pass over their cells)."""
        if self._edge_count is None:
            self._edge_count = int(np.count_nonzero(self.matrix))
        cells = _Cells(self.matrix.shape, cover)
        return bool(self.matrix[cells.user, cells.permission].all()) and len(cells.multiplicity) == self._edge_count

    # ---------------------------------------------------------------------------------------------- covers
    def greedy_cover(self, deadline: Deadline) -> list[Role] | None:
        """One randomised grown greedy cover, redundant roles dropped; cut short by the deadline, it is completed
        with one role per user still having uncovered pairs (kept as is, the run would be lost), or None when
        even that cannot beat the best cover so far."""
        matrix, transposed = self.matrix, self.transposed
        uncovered = matrix.copy()
        uncovered_transposed = transposed.copy()  # kept equal to uncovered.T, stored by rows for fast reads
        degrees = self.column_degrees
        columns_left = uncovered.sum(axis=0)
        rows_left = uncovered.sum(axis=1)
        cover: list[Role] = []
        while columns_left.any():
            if deadline.expired():  # finish with each user's own permissions: still better than nothing
                if len(cover) + int(np.count_nonzero(rows_left)) >= len(self.state.roles):
                    return None  # ... unless it cannot beat the best cover: finishing it would only cost time
                for u in np.flatnonzero(rows_left).tolist():
                    permissions = matrix[u]
                    cover.append((_holders(matrix, transposed, degrees, permissions), permissions))
                return cover
            options = []
            for _ in range(_SEEDS):
                # (rows of ``matrix`` and of ``transposed`` are contiguous: closures read rows only)
                p = _draw(self.random, columns_left)
                if self.grown:
                    intent = grow(matrix, transposed, uncovered, p)
                    users = _holders(matrix, transposed, degrees, intent)
                    options.append((users, matrix[users].all(axis=0)))
                users = transposed[p]  # the seed's own maximal biclique, all its users
                options.append((users, matrix[users].all(axis=0)))
                u = _draw(self.random, rows_left)
                if self.grown:
                    extent = grow(transposed, matrix, uncovered_transposed, u)
                    permissions = matrix[extent].all(axis=0)
                    options.append((_holders(matrix, transposed, degrees, permissions), permissions))
                permissions = matrix[u]  # the seed user's own maximal biclique, all their permissions
                options.append((_holders(matrix, transposed, degrees, permissions), permissions))
            gains = [int(uncovered[np.ix_(*option)].sum()) for option in options]
            users, permissions = options[int(np.argmax(gains))]
            cover.append((users, permissions))
            block = np.ix_(users, permissions)
            newly = uncovered[block]
            columns_left[permissions] -= newly.sum(axis=0)
            rows_left[users] -= newly.sum(axis=1)
            uncovered[block] = False
            uncovered_transposed[np.ix_(permissions, users)] = False
        return self.drop_redundant(cover)

    def drop_redundant(self, cover: list[Role]) -> list[Role]:
        """Drop roles whose pairs the others all cover, smallest first."""
        return drop_redundant(self.matrix.shape, cover)

    def merge(self, deadline: Deadline) -> None:
        """CP-SAT over the pool of every role found so far: the fewest of them covering every pair."""
        from habpps.roleeng.mining.cover import CoverProblem
        from habpps.roleeng.mining.exact import solve_cover

        best_keys = [_key(role) for role in self.state.roles]
        for key, role in zip(best_keys, self.state.roles, strict=True):
            self.pool.setdefault(key, role)
        keys = list(self.pool)
        if self._edge_index is None:
            self._edge_index = np.full(self.matrix.shape, -1, dtype=np.int32)
            self._edge_index[self.matrix] = np.arange(int(self.matrix.sum()), dtype=np.int32)
        sets = [self._edge_index[np.ix_(*self.pool[k])].ravel() for k in keys]
        position = {k: i for i, k in enumerate(keys)}
        hint = [position[k] for k in best_keys]
        outcome = solve_cover(CoverProblem(sets, len(self._edge_index[self.matrix])), hint,
                              deadline.remaining(), self.state.bound, self.workers)
        self.state.merges += 1
        if len(outcome.chosen) < len(self.state.roles):
            self._offer([self.pool[keys[k]] for k in outcome.chosen])

    # ---------------------------------------------------------------------------------------------- bounds
    def _pool_multiplicity(self) -> np.ndarray:
        """For each pair (row-major order), how many roles of the pool cover it."""
        counts = np.zeros(self.matrix.shape, dtype=np.int16)
        for users, permissions in self.pool.values():
            counts[np.ix_(users, permissions)] += 1
        return counts[self.matrix].astype(np.float64)

    def _bound(self, deadline: Deadline, restarts: int) -> None:
        if deadline.expired():
            return
        budget = Deadline(min(deadline.remaining() * 0.2, 10.0, 2.0 + 0.02 * deadline.remaining()))
        if self._compatible is None:
            n, m = self.matrix.shape
            affordable = self.exact_counts and n * m * (n + m) <= _MAX_COUNT_FLOPS
            counts = compatible_counts(self.matrix) if affordable else _neighbourhood_sizes(self.matrix)
            self._compatible = counts.astype(np.float64) / (1.0 + float(counts.max()))
        order = self._compatible
        self._bound_calls += 1
        if self.pool and self._bound_calls % 2 == 0:
            # pairs covered by few roles of the covers found so far are the likely "private" pairs of planted
            # roles: they go first, the compatible counts breaking ties
            order = self._pool_multiplicity() + self._compatible
        if self._bound_calls > 2:  # the first pass of each call follows ``order`` exactly: vary it between calls
            order = order * (1.0 + 0.3 * self.random.random(len(order)))
        found = incompatible_edges_bound(
            self.matrix, budget, restarts=restarts, seed=int(self.random.integers(1 << 30)), counts=order
        )
        if len(found) > self.state.bound:
            self.state.bound = len(found)
            self.on_improve()


def _holders(matrix: np.ndarray, transposed: np.ndarray, degrees: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """Rows holding every column of the (non-empty) mask: only the holders of its rarest column are checked."""
    chosen = np.flatnonzero(columns)
    rarest = chosen[int(np.argmin(degrees[chosen]))]
    candidates = np.flatnonzero(transposed[rarest])
    result = np.zeros(matrix.shape[0], dtype=bool)
    result[candidates[matrix[candidates][:, chosen].all(axis=1)]] = True
    return result


def _key(role: Role) -> bytes:
    return np.packbits(np.concatenate(role)).tobytes()


def _draw(generator: np.random.Generator, weights: np.ndarray) -> int:
    """An index drawn with probability proportional to ``weights`` (non-negative, not all zero)."""
    cumulative = np.cumsum(weights, dtype=np.float64)
    return int(np.searchsorted(cumulative, generator.random() * cumulative[-1], side="right"))


def _neighbourhood_sizes(matrix: np.ndarray) -> np.ndarray:
    """A cheap stand-in for compatible-pair counts: |users(p)| × |permissions(u)| for each pair, row-major."""
    rows, columns = np.nonzero(matrix)
    return matrix.sum(axis=0)[columns].astype(np.float64) * matrix.sum(axis=1)[rows]
