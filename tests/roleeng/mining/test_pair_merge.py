"""Pair merging: two roles whose private pairs fit in one biclique become one, and the cover stays exact."""

from __future__ import annotations

import numpy as np

from habpps.roleeng.mining import Deadline
from habpps.roleeng.mining.pair_merge import merge_role_pairs


def _covers_exactly(matrix: np.ndarray, cover: list[tuple[np.ndarray, np.ndarray]]) -> bool:
    covered = np.zeros_like(matrix)
    for users, permissions in cover:
        if not matrix[np.ix_(users, permissions)].all():
            return False
        covered[np.ix_(users, permissions)] = True
    return bool((covered == matrix).all())


def _role(n: int, m: int, users: list[int], permissions: list[int]) -> tuple[np.ndarray, np.ndarray]:
    return np.isin(np.arange(n), users), np.isin(np.arange(m), permissions)


def test_a_planted_role_split_in_two_is_merged_back() -> None:
    matrix = np.zeros((6, 6), dtype=bool)
    matrix[:4, :4] = True  # the planted role
    matrix[4:, 4:] = True  # another one, untouched
    cover = [_role(6, 6, [0, 1], [0, 1, 2, 3]), _role(6, 6, [2, 3], [0, 1, 2, 3]), _role(6, 6, [4, 5], [4, 5])]

    merged = merge_role_pairs(matrix, matrix.T.copy(), cover, Deadline(10))

    assert len(merged) == 2
    assert _covers_exactly(matrix, merged)


def test_roles_whose_private_pairs_do_not_fit_together_are_kept() -> None:
    matrix = np.zeros((4, 4), dtype=bool)
    matrix[:2, :2] = True
    matrix[2:, 2:] = True
    matrix[1, 2] = True  # a bridge: user 1 also holds permission 2
    cover = [_role(4, 4, [0, 1], [0, 1]), _role(4, 4, [2, 3], [2, 3]), _role(4, 4, [1, 2, 3], [2])]

    merged = merge_role_pairs(matrix, matrix.T.copy(), cover, Deadline(10))

    assert len(merged) == 3
    assert _covers_exactly(matrix, merged)


def test_a_redundant_role_is_dropped() -> None:
    matrix = np.ones((3, 3), dtype=bool)
    cover = [_role(3, 3, [0, 1, 2], [0, 1, 2]), _role(3, 3, [0], [0, 1])]

    merged = merge_role_pairs(matrix, matrix.T.copy(), cover, Deadline(10))

    assert len(merged) == 1
    assert _covers_exactly(matrix, merged)


def _brute_force_mergeable(matrix: np.ndarray, cover: list[tuple[np.ndarray, np.ndarray]]) -> list[tuple[int, int]]:
    """The definition read literally: private pairs counted cell by cell, then every pair of roles tested."""
    count = np.zeros(matrix.shape, dtype=int)
    for users, permissions in cover:
        count[np.ix_(users, permissions)] += 1
    private = []
    for users, permissions in cover:
        cells = np.zeros(matrix.shape, dtype=bool)
        cells[np.ix_(users, permissions)] = True
        cells &= count == 1
        private.append((cells.any(axis=1), cells.any(axis=0)))
    pairs = []
    for a in range(len(cover)):
        for b in range(a + 1, len(cover)):
            users = private[a][0] | private[b][0]
            permissions = private[a][1] | private[b][1]
            if matrix[np.ix_(users, permissions)].all():
                pairs.append((a, b))
    return pairs


def test_the_packed_pair_test_agrees_with_the_definition_on_random_covers() -> None:
    from habpps.roleeng.mining.pair_merge import _Cells, _mergeable, _packed

    generator = np.random.default_rng(3)
    merges = 0
    for _ in range(20):
        n, m = int(generator.integers(5, 80)), int(generator.integers(5, 90))  # widths across word boundaries
        planted = [(generator.random(n) < 0.3, generator.random(m) < 0.3) for _ in range(6)]
        matrix = np.zeros((n, m), dtype=bool)
        cover = []
        for users, permissions in planted:
            matrix[np.ix_(users, permissions)] = True
            half = users & (generator.random(n) < 0.5)  # each planted role split in two: merges to be found
            cover += [(half, permissions), (users & ~half, permissions)]
        cover = [(u, p) for u, p in cover if u.any() and p.any()]
        cells = _Cells(matrix.shape, cover)
        if not cover or not cells.private_roles.all():
            continue
        found = _mergeable(matrix.shape, (_packed(matrix), _packed(matrix.T.copy())), cells, Deadline(10))
        assert found == _brute_force_mergeable(matrix, cover)
        merges += len(found)
    assert merges > 0


def test_merging_random_covers_keeps_them_exact_and_never_larger() -> None:
    generator = np.random.default_rng(4)
    for _ in range(10):
        n, m = int(generator.integers(10, 60)), int(generator.integers(10, 70))
        roles = [(generator.random(n) < 0.3, generator.random(m) < 0.2) for _ in range(12)]
        matrix = np.zeros((n, m), dtype=bool)
        for users, permissions in roles:
            matrix[np.ix_(users, permissions)] = True
        keep = matrix.any(axis=1)
        matrix = matrix[keep][:, matrix.any(axis=0)]
        if not matrix.any():
            continue
        cover = [(np.arange(len(matrix)) == u, matrix[u].copy()) for u in range(len(matrix))]
        merged = merge_role_pairs(matrix, matrix.T.copy(), cover, Deadline(10))
        assert len(merged) <= len(cover)
        assert _covers_exactly(matrix, merged)
