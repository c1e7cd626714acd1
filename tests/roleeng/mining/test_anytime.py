"""The anytime search (issue 21): planted structures recovered, honest bounds, best cover kept when stopped."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from habpps.roleeng.mining import Deadline, MinerSettings, mine
from habpps.roleeng.mining.anytime import AnytimeSearch, SearchState
from habpps.roleeng.mining.bounds import incompatible_edges_bound, is_incompatible_set
from habpps.roleeng.mining.upa import UserPermissionAssignment

from .reference import minimum_role_count

SRC = Path(__file__).resolve().parents[3] / "src"


def planted(users: int, permissions: int, roles: int, seed: int) -> tuple[set[tuple[str, str]], int]:
    """An RMPlib-like assignment: random roles of 3–8 permissions, each user holding 1–3 of them."""
    generator = np.random.default_rng(seed)
    role_permissions = [generator.choice(permissions, generator.integers(3, 9), replace=False) for _ in range(roles)]
    pairs = set()
    for u in range(users):
        for r in generator.choice(roles, generator.integers(1, 4), replace=False):
            pairs.update((f"u{u}", f"p{p}") for p in role_permissions[r])
    return pairs, roles


def noisy_planted(users: int, permissions: int, roles: int, noise: float, seed: int) -> set[tuple[str, str]]:
    """Planted roles plus random extra pairs: far better than one role per user, but no proof within seconds."""
    pairs, _ = planted(users, permissions, roles, seed)
    generator = np.random.default_rng(seed + 1000)
    extra = np.nonzero(generator.random((users, permissions)) < noise)
    return pairs | {(f"u{u}", f"p{p}") for u, p in zip(*extra, strict=True)}


def granted(roles) -> set[tuple[str, str]]:
    """Independent check: the pairs the roles grant, read off the names only."""
    return {(u, p) for role in roles for u in role.users for p in role.permissions}


@pytest.mark.parametrize("seed", range(3))
def test_the_anytime_search_recovers_planted_roles_with_an_exact_composition(seed):
    pairs, planted_count = planted(users=60, permissions=50, roles=10, seed=seed)
    upa = UserPermissionAssignment.from_pairs(sorted(pairs))
    # concept_limit=1 keeps the exact pipeline out: every component goes to the anytime search
    result = mine(upa, Deadline(6.0), settings=MinerSettings(concept_limit=1))
    assert granted(result.roles) == pairs
    assert 1 <= result.lower_bound <= len(result.roles) <= planted_count
    assert result.optimal == (result.lower_bound == len(result.roles))


@pytest.mark.parametrize("seed", range(6))
def test_the_search_bound_never_exceeds_the_brute_force_minimum(seed):
    generator = np.random.default_rng(seed)
    matrix = generator.random((5, 5)) < 0.6
    matrix[np.arange(5), np.arange(5)] = True
    state = SearchState([(np.arange(5) == i, matrix[i]) for i in range(5)], bound=1)
    AnytimeSearch(matrix, state).run(Deadline(2.0), patience=3)
    minimum = minimum_role_count(frozenset(zip(*map(np.ndarray.tolist, np.nonzero(matrix)), strict=True)))
    assert state.bound <= minimum <= len(state.roles)
    covered = np.zeros_like(matrix)
    for users, permissions in state.roles:
        assert matrix[np.ix_(users, permissions)].all()  # each role is a biclique of the assignment
        covered[np.ix_(users, permissions)] = True
    assert (covered == matrix).all()


def test_the_incompatible_pairs_behind_the_bound_are_pairwise_incompatible():
    pairs, _ = planted(users=40, permissions=30, roles=8, seed=7)
    upa = UserPermissionAssignment.from_pairs(sorted(pairs))
    matrix = np.zeros((len(upa.users), len(upa.permissions)), dtype=bool)
    for u, row in enumerate(upa.user_permissions):
        matrix[u, list(row)] = True
    rows, columns = np.nonzero(matrix)
    found = incompatible_edges_bound(matrix, counts=matrix.sum(axis=0)[columns] * matrix.sum(axis=1)[rows])
    assert is_incompatible_set(matrix, [(int(rows[e]), int(columns[e])) for e in found])


def test_with_a_time_limit_the_search_keeps_its_best_cover_not_the_trivial_one():
    pairs = noisy_planted(60, 50, 10, noise=0.04, seed=1)
    upa = UserPermissionAssignment.from_pairs(sorted(pairs))
    messages: list[str] = []
    result = mine(upa, Deadline(3.0), progress=messages.append)
    assert granted(result.roles) == pairs
    assert result.lower_bound <= len(result.roles) < len(upa.users)
    # Unless the bound was met at once, the search ran and said how far it got.
    assert result.lower_bound == len(result.roles) or any(
        m.startswith("Recherche : meilleure couverture") for m in messages
    )


def test_sigterm_writes_the_best_cover_found_so_far(tmp_path):
    pairs = noisy_planted(150, 100, 20, noise=0.08, seed=2)  # left to the anytime search, never proven
    upa_file = tmp_path / "upa.txt"
    upa_file.write_text("".join(f"{u} {p}\n" for u, p in sorted(pairs)), encoding="utf-8")
    out = tmp_path / "result.json"
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    process = subprocess.Popen(
        [sys.executable, "-m", "habpps", "roles", "mine", str(upa_file), "--time-limit", "300", "--out", str(out)],
        stderr=subprocess.PIPE, text=True, env=env,
    )
    reported: list[int] = []
    started = time.monotonic()
    try:
        for line in process.stderr:  # wait until the search has found something better than one role per user
            match = re.search(r"meilleure couverture (\d+) rôles", line)
            if match:
                reported.append(int(match.group(1)))
                if reported[-1] < 150:
                    break
            assert time.monotonic() - started < 120, "no progress line from the search"
        process.send_signal(signal.SIGTERM)
        tail = process.stderr.read()
        assert process.wait(timeout=60) == 0, tail
    finally:
        if process.poll() is None:
            process.kill()
    assert "Arrêt demandé" in tail, tail
    document = json.loads(out.read_text(encoding="utf-8"))
    assert {(u, p) for role in document["roles"] for u in role["users"] for p in role["permissions"]} == pairs
    assert len(document["roles"]) <= min(reported) < 150
    assert document["lower_bound"] <= len(document["roles"])
    assert document["optimal"] is False
