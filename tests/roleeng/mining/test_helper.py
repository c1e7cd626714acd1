"""The helper process (issue 21): covers grown on the other core come back exact, and the process ends with the
search."""

from __future__ import annotations

import time

import numpy as np

from habpps.roleeng.mining import Deadline, MinerSettings, mine
from habpps.roleeng.mining.helper import CoverHelper, _decode_cover, encode_cover
from habpps.roleeng.mining.upa import UserPermissionAssignment

from .test_anytime import granted, noisy_planted


def _matrix(pairs: set[tuple[str, str]]) -> np.ndarray:
    upa = UserPermissionAssignment.from_pairs(sorted(pairs))
    matrix = np.zeros((len(upa.users), len(upa.permissions)), dtype=bool)
    for u, row in enumerate(upa.user_permissions):
        matrix[u, list(row)] = True
    return matrix


def _is_exact_cover(matrix: np.ndarray, cover: list[tuple[np.ndarray, np.ndarray]]) -> bool:
    covered = np.zeros_like(matrix)
    for users, permissions in cover:
        if not users.any() or not matrix[np.ix_(users, permissions)].all():
            return False
        covered[np.ix_(users, permissions)] = True
    return bool((covered == matrix).all())


def test_a_cover_survives_its_encoding() -> None:
    generator = np.random.default_rng(0)
    cover = [(generator.random(13) < 0.5, generator.random(70) < 0.5) for _ in range(5)]
    decoded = _decode_cover(encode_cover(cover), (13, 70))
    assert all((a == c).all() and (b == d).all() for (a, b), (c, d) in zip(cover, decoded, strict=True))


def test_the_helper_sends_exact_covers_and_stops_when_closed() -> None:
    matrix = _matrix(noisy_planted(80, 60, 12, noise=0.03, seed=5))
    helper = CoverHelper(matrix, seed=1, seconds=60)
    try:
        received: list[tuple[bool, list]] = []
        started = time.monotonic()
        while len(received) < 2 and time.monotonic() - started < 30:
            received += helper.covers()
            time.sleep(0.05)
        assert received, "no cover from the helper process"
        assert received[0][0] is True  # a greedy run first
        for _, cover in received:
            assert _is_exact_cover(matrix, cover)
    finally:
        helper.close()
    assert helper.process.poll() is not None


def test_the_miner_offers_the_helpers_covers_and_stays_exact() -> None:
    pairs = noisy_planted(150, 100, 20, noise=0.05, seed=3)
    upa = UserPermissionAssignment.from_pairs(sorted(pairs))
    settings = MinerSettings(concept_limit=1, helper_min_edges=1, workers=2)
    result = mine(upa, Deadline(8.0), settings=settings)
    assert granted(result.roles) == pairs
    assert result.lower_bound <= len(result.roles) < len(upa.users)
