"""Choosing roles among candidate bicliques: a set-cover problem over the edges of the graph.

Every edge must lie in a chosen biclique; the fewest bicliques wins. The greedy cover (largest number of edges
still uncovered first, then redundant sets dropped) is fast and good; :mod:`habpps.roleeng.mining.exact` solves
the same problem to optimality with CP-SAT.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np

from habpps.roleeng.mining.concepts import Candidates


@dataclass(frozen=True)
class CoverProblem:
    """``sets[k]``: the indices (row-major) of the edges that candidate ``k`` covers; ``edge_count`` edges."""

    sets: list[np.ndarray]
    edge_count: int

    @classmethod
    def from_candidates(cls, matrix: np.ndarray, candidates: Candidates) -> CoverProblem:
        edge_index = np.full(matrix.shape, -1, dtype=np.int64)
        edge_index[matrix] = np.arange(int(matrix.sum()))
        sets = []
        for extent, intent in zip(candidates.extents, candidates.intents, strict=True):
            covered = edge_index[np.ix_(extent, intent)].ravel()
            if (covered < 0).any():
                raise ValueError("a candidate is not a biclique of the graph")
            sets.append(covered)
        return cls(sets, int(matrix.sum()))

    def covering_sets(self) -> list[np.ndarray]:
        """For each edge, the candidates that cover it."""
        if not self.sets:
            return [np.empty(0, dtype=np.int64) for _ in range(self.edge_count)]
        sizes = np.array([len(s) for s in self.sets])
        owners = np.repeat(np.arange(len(self.sets)), sizes)
        edges = np.concatenate(self.sets)
        order = np.argsort(edges, kind="stable")
        bounds = np.searchsorted(edges[order], np.arange(self.edge_count + 1))
        owners = owners[order]
        return [owners[bounds[e] : bounds[e + 1]] for e in range(self.edge_count)]

    def is_cover(self, chosen: list[int]) -> bool:
        covered = np.zeros(self.edge_count, dtype=bool)
        for k in chosen:
            covered[self.sets[k]] = True
        return bool(covered.all())


def greedy_cover(problem: CoverProblem, forced: list[int] | None = None) -> list[int]:
    """A cover taking ``forced`` sets first, then repeatedly the set covering most uncovered edges (lazy heap).

    Raises ``ValueError`` if the candidates cannot cover every edge.
    """
    uncovered = np.ones(problem.edge_count, dtype=bool)
    chosen: list[int] = []
    for k in forced or []:
        chosen.append(k)
        uncovered[problem.sets[k]] = False
    heap = [(-len(s), k) for k, s in enumerate(problem.sets)]
    heapq.heapify(heap)
    remaining = int(uncovered.sum())
    while remaining and heap:
        _, k = heapq.heappop(heap)
        gain = int(uncovered[problem.sets[k]].sum())
        if gain == 0:
            continue
        if heap and gain < -heap[0][0]:  # its stored gain was stale: another set may now do better
            heapq.heappush(heap, (-gain, k))
            continue
        chosen.append(k)
        uncovered[problem.sets[k]] = False
        remaining -= gain
    if remaining:
        raise ValueError("the candidates do not cover the graph")
    return drop_redundant(problem, chosen)


def drop_redundant(problem: CoverProblem, chosen: list[int]) -> list[int]:
    """Remove sets whose edges all stay covered by the others, smallest sets first."""
    multiplicity = np.zeros(problem.edge_count, dtype=np.int64)
    for k in chosen:
        multiplicity[problem.sets[k]] += 1
    kept = set(chosen)
    for k in sorted(chosen, key=lambda k: len(problem.sets[k])):
        if (multiplicity[problem.sets[k]] > 1).all():
            multiplicity[problem.sets[k]] -= 1
            kept.discard(k)
    return [k for k in chosen if k in kept]
