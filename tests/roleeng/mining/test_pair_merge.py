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
