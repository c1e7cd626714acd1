"""Lower bounds on the number of roles from pairwise incompatible edges.

Two edges ``(u, p)`` and ``(v, q)`` fit in one role only if ``(u, q)`` and ``(v, p)`` are edges too. A set of
edges no two of which fit together needs one role each, so its size bounds the minimum number of roles from
below (a clique of the incompatibility graph; Ene et al. 2008 use the same bound). Edges whose neighbourhood is a
complete biclique lie in a single maximal biclique; they are the most constrained, hence tried first.
On a set cover over candidate bicliques the same bound reads "pairs no two of which share a candidate", which is
cheap to compute once the cover has been reduced (:func:`disjoint_edges_bound`).
"""

from __future__ import annotations

import numpy as np

from habpps.roleeng.mining.cover import CoverProblem
from habpps.roleeng.mining.deadline import Deadline


def compatible_counts(matrix: np.ndarray) -> np.ndarray:
    """For every edge in row-major order, how many edges can share a role with it (itself included).

    Edge ``(u, p)`` is compatible with ``(v, q)`` iff ``v`` holds ``p`` and ``u`` holds ``q``: their number is the
    number of edges inside the neighbourhood ``users(p) × permissions(u)``, i.e. ``(Mᵀ M Mᵀ)[p, u]``.
    """
    dense = matrix.astype(np.float32)
    paths = dense.T @ (dense @ dense.T)
    rows, columns = np.nonzero(matrix)
    return paths[columns, rows].astype(np.int64)


def incompatible_edges_bound(
    matrix: np.ndarray,
    deadline: Deadline | None = None,
    restarts: int = 32,
    seed: int = 0,
    counts: np.ndarray | None = None,
) -> list[int]:
    """A large set of pairwise incompatible edges (indices in row-major edge order), found greedily.

    The first pass takes edges by increasing number of compatible edges; later passes perturb that order at
    random and keep the largest set found. Each step filters the candidates with one vectorised test, so a pass
    costs O(bound × edges). ``counts`` replaces the exact compatible counts (three matrix products, too slow on
    large graphs) by any other order key, smaller first.
    """
    deadline = deadline or Deadline.unlimited()
    rows, columns = np.nonzero(matrix)
    if len(rows) == 0:
        return []
    counts = (compatible_counts(matrix) if counts is None else counts).astype(np.float64)
    generator = np.random.default_rng(seed)
    best: list[int] = []
    for attempt in range(restarts):
        if attempt and deadline.expired():
            break
        noise = generator.random(len(counts)) * (0.0 if attempt == 0 else 0.5 * attempt / restarts)
        order = np.argsort(counts * (1.0 + noise), kind="stable")
        chosen = _greedy_pass(matrix, rows, columns, order, deadline)
        if len(chosen) > len(best):
            best = chosen
    return best


def _greedy_pass(
    matrix: np.ndarray, rows: np.ndarray, columns: np.ndarray, order: np.ndarray, deadline: Deadline
) -> list[int]:
    """One greedy clique; cut short by the deadline it is smaller but still pairwise incompatible."""
    candidate = np.ones(len(rows), dtype=bool)
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    chosen: list[int] = []
    while candidate.any() and not (len(chosen) % 16 == 15 and deadline.expired()):
        pool = np.flatnonzero(candidate)
        edge = int(pool[np.argmin(rank[pool])])
        chosen.append(edge)
        u, p = rows[edge], columns[edge]
        fits = matrix[u, columns] & matrix[rows, p]
        candidate &= ~fits
    return chosen


def is_incompatible_set(matrix: np.ndarray, edges: list[tuple[int, int]]) -> bool:
    """Whether no two of these (row, column) edges can share a role (a certificate anyone can re-check)."""
    for i, (u, p) in enumerate(edges):
        for v, q in edges[i + 1 :]:
            if matrix[u, q] and matrix[v, p]:
                return False
    return True


def disjoint_edges_bound(problem: CoverProblem, restarts: int = 16, seed: int = 0) -> list[int]:
    """A large set of edges no two of which share a candidate: a lower bound on that set cover's minimum.

    On a complete family of maximal bicliques this is the incompatible-edge bound again (two edges share a
    maximal biclique iff they are compatible), but it is much cheaper to compute on a reduced cover.
    """
    owners = problem.covering_sets()
    if not owners:
        return []
    masks = []
    for candidates in owners:
        mask = 0
        for k in candidates.tolist():
            mask |= 1 << k
        masks.append(mask)
    sizes = np.array([len(c) for c in owners], dtype=np.float64)
    generator = np.random.default_rng(seed)
    best: list[int] = []
    for attempt in range(restarts):
        noise = generator.random(len(sizes)) * (0.0 if attempt == 0 else attempt / restarts)
        used, chosen = 0, []
        for e in np.argsort(sizes * (1.0 + noise), kind="stable").tolist():
            if not masks[e] & used:
                used |= masks[e]
                chosen.append(e)
        if len(chosen) > len(best):
            best = chosen
    return best
