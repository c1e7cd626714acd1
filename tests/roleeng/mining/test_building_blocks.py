"""Each stage of the miner against a naive computation on random small graphs (RE-5)."""

from __future__ import annotations

from itertools import combinations

import numpy as np
from hypothesis import given, settings

from habpps.roleeng.mining.bounds import disjoint_edges_bound, incompatible_edges_bound, is_incompatible_set
from habpps.roleeng.mining.components import connected_components
from habpps.roleeng.mining.concepts import maximal_bicliques, vertex_concepts
from habpps.roleeng.mining.cover import CoverProblem, greedy_cover
from habpps.roleeng.mining.cover_reductions import reduce_cover
from habpps.roleeng.mining.exact import solve_cover
from habpps.roleeng.mining.reductions import Biclique, dominated_rows, reduce_assignment, reinstate

from . import reference
from .strategies import as_assignment, pair_sets

_SETTINGS = settings(max_examples=60, deadline=None)


def matrix_of(pairs) -> np.ndarray:
    users = sorted({u for u, _ in pairs})
    permissions = sorted({p for _, p in pairs})
    matrix = np.zeros((len(users), len(permissions)), dtype=bool)
    for u, p in pairs:
        matrix[users.index(u), permissions.index(p)] = True
    return matrix


def pairs_of(matrix: np.ndarray) -> frozenset[tuple[int, int]]:
    return frozenset(zip(*(x.tolist() for x in np.nonzero(matrix)), strict=True))


def minimum_cover_size(problem: CoverProblem) -> int:
    for count in range(problem.edge_count + 1):
        for combination in combinations(range(len(problem.sets)), count):
            if problem.is_cover(list(combination)):
                return count
    raise AssertionError("uncoverable")


@_SETTINGS
@given(pair_sets(6, 6))
def test_maximal_bicliques_are_exactly_the_brute_force_ones(pairs):
    matrix = matrix_of(pairs)
    candidates = maximal_bicliques(matrix)
    found = {
        (frozenset(np.flatnonzero(e).tolist()), frozenset(np.flatnonzero(i).tolist()))
        for e, i in zip(candidates.extents, candidates.intents, strict=True)
    }
    assert candidates.complete
    assert len(found) == len(candidates)
    assert found == reference.maximal_bicliques(pairs_of(matrix))


@_SETTINGS
@given(pair_sets(8, 8))
def test_a_cut_short_enumeration_says_so_and_vertex_concepts_still_cover(pairs):
    matrix = matrix_of(pairs)
    candidates = maximal_bicliques(matrix, limit=1)
    total = len(reference.maximal_bicliques(pairs_of(matrix)))
    # Cut short, it may have found them all without knowing it; it must never claim completeness wrongly.
    assert len(candidates) == total if candidates.complete else len(candidates) <= total
    problem = CoverProblem.from_candidates(matrix, vertex_concepts(matrix))
    assert problem.is_cover(greedy_cover(problem))


@_SETTINGS
@given(pair_sets(8, 8))
def test_dominated_rows_are_unions_of_their_strict_subsets(pairs):
    matrix = np.unique(matrix_of(pairs), axis=0)
    rows = [frozenset(np.flatnonzero(r).tolist()) for r in matrix]
    expected = [
        frozenset().union(*(other for other in rows if other < row)) == row for row in rows
    ]
    assert dominated_rows(matrix).tolist() == expected
    # the same rows in a matrix 50 times wider than they are long: tested on adjacency lists instead
    wide = np.zeros((matrix.shape[0], 400), dtype=bool)
    wide[:, : matrix.shape[1]] = matrix
    assert dominated_rows(wide).tolist() == expected


@_SETTINGS
@given(pair_sets(8, 8))
def test_reductions_keep_the_minimum_and_reinstated_roles_cover_exactly(pairs):
    upa = as_assignment(pairs)
    reduced = reduce_assignment(upa)
    core = pairs_of(reduced.matrix)
    assert reference.minimum_role_count(core) == reference.minimum_role_count(pairs)
    # One role per core user (its permissions, and every core user holding them) covers the core...
    roles = [
        Biclique(
            {int(reduced.user_ids[v]) for v in np.flatnonzero((reduced.matrix[:, row]).all(axis=1))},
            {int(reduced.permission_ids[p]) for p in np.flatnonzero(row)},
        )
        for row in reduced.matrix
    ]
    # ...and once reinstated it covers the original assignment exactly.
    granted = set()
    for role in reinstate(roles, reduced.steps):
        pairs_granted = {(u, p) for u in role.users for p in role.permissions}
        assert pairs_granted <= {(u, p) for u, row in enumerate(upa.user_permissions) for p in row}
        granted |= pairs_granted
    assert granted == {(u, p) for u, row in enumerate(upa.user_permissions) for p in row}


@_SETTINGS
@given(pair_sets(10, 10))
def test_components_partition_the_edges(pairs):
    matrix = matrix_of(pairs)
    components = connected_components(matrix)
    assert sum(c.edge_count for c in components) == int(matrix.sum())
    for c in components:
        assert (matrix[np.ix_(c.rows, c.columns)] == c.matrix).all()


@_SETTINGS
@given(pair_sets(5, 5))
def test_set_cover_reductions_keep_the_minimum(pairs):
    matrix = matrix_of(pairs)
    problem = CoverProblem.from_candidates(matrix, maximal_bicliques(matrix))
    reduced = reduce_cover(problem)
    assert reduced.exhaustive
    residual = sum(minimum_cover_size(piece.problem) for piece in reduced.pieces)
    assert len(reduced.forced) + residual == minimum_cover_size(problem)
    chosen = list(reduced.forced)
    for piece in reduced.pieces:
        chosen += piece.original(greedy_cover(piece.problem))
    assert problem.is_cover(chosen)


@_SETTINGS
@given(pair_sets(5, 5))
def test_lower_bounds_are_certified_and_never_above_the_minimum(pairs):
    matrix = matrix_of(pairs)
    minimum = reference.minimum_role_count(pairs_of(matrix))
    rows, columns = np.nonzero(matrix)
    chosen = incompatible_edges_bound(matrix)
    assert is_incompatible_set(matrix, [(int(rows[e]), int(columns[e])) for e in chosen])
    assert 1 <= len(chosen) <= minimum
    problem = CoverProblem.from_candidates(matrix, maximal_bicliques(matrix))
    assert len(disjoint_edges_bound(problem)) <= minimum


@settings(max_examples=25, deadline=None)
@given(pair_sets(5, 5))
def test_cp_sat_cover_is_minimum_and_proven(pairs):
    matrix = matrix_of(pairs)
    problem = CoverProblem.from_candidates(matrix, maximal_bicliques(matrix))
    outcome = solve_cover(problem, greedy_cover(problem), seconds=10)
    assert outcome.proven_optimal
    assert problem.is_cover(outcome.chosen)
    assert len(outcome.chosen) == outcome.bound == minimum_cover_size(problem)
