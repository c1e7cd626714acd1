"""The miner on random assignments: exact composition always, honest bounds, optimum on tiny cases (RE-5)."""

from __future__ import annotations

from math import comb

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from habpps.roleeng.mining import Deadline, MinerSettings, composition_errors, mine
from habpps.roleeng.mining.upa import UserPermissionAssignment

from .reference import minimum_role_count
from .strategies import as_assignment, pair_sets, planted_assignments

_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(pair_sets(max_users=5, max_permissions=5))
def test_on_tiny_assignments_the_miner_finds_and_proves_the_brute_force_minimum(pairs):
    result = mine(as_assignment(pairs))
    assert composition_errors(as_assignment(pairs), result.roles) == []
    assert result.optimal
    assert len(result.roles) == result.lower_bound == minimum_role_count(pairs)


@_SETTINGS
@given(pair_sets(max_users=12, max_permissions=12))
def test_composition_is_exact_and_the_bound_honest_on_random_assignments(pairs):
    upa = as_assignment(pairs)
    result = mine(upa)
    assert composition_errors(upa, result.roles) == []
    assert 1 <= result.lower_bound <= len(result.roles)
    assert result.optimal == (result.lower_bound == len(result.roles))


@_SETTINGS
@given(planted_assignments())
def test_never_more_roles_than_were_planted(case):
    pairs, planted = case
    upa = as_assignment(pairs)
    result = mine(upa)
    assert composition_errors(upa, result.roles) == []
    assert result.lower_bound <= len(result.roles) <= planted


@_SETTINGS
@given(pair_sets(max_users=10, max_permissions=10), st.booleans())
def test_without_time_or_exact_solver_the_result_is_still_exact(pairs, expired):
    upa = as_assignment(pairs)
    deadline = Deadline(0.0) if expired else None
    result = mine(upa, deadline, settings=MinerSettings(use_exact_solver=False, concept_limit=5))
    assert composition_errors(upa, result.roles) == []
    assert result.lower_bound <= len(result.roles)
    assert result.optimal == (result.lower_bound == len(result.roles))


@_SETTINGS
@given(pair_sets(max_users=5, max_permissions=5))
def test_a_partial_candidate_family_never_claims_a_false_optimum(pairs):
    result = mine(as_assignment(pairs), settings=MinerSettings(concept_limit=1))
    if result.optimal:
        assert len(result.roles) == minimum_role_count(pairs)
    assert result.lower_bound <= minimum_role_count(pairs)


def test_roles_are_named_with_the_file_tokens_and_users_keep_irredundant_roles():
    upa = UserPermissionAssignment.from_pairs(
        [("alice", "lire"), ("alice", "ecrire"), ("bob", "lire"), ("carole", "ecrire"), ("carole", "valider")]
    )
    result = mine(upa)
    assert result.optimal and len(result.roles) == 3
    assert {(r.permissions, r.users) for r in result.roles} >= {(("lire",), ("alice", "bob"))}
    assert all(r.id == f"R{i}" for i, r in enumerate(result.roles, start=1))
    complexity = result.complexity
    assert complexity.value == complexity.roles + complexity.user_assignments + complexity.permission_assignments
    assert complexity.user_assignments == sum(len(r.users) for r in result.roles)


def test_an_empty_assignment_needs_no_role():
    result = mine(UserPermissionAssignment.from_pairs([]))
    assert (result.roles, result.optimal, result.lower_bound) == ((), True, 0)


def test_progress_is_reported_in_french():
    messages: list[str] = []
    mine(as_assignment(frozenset({(0, 0), (0, 1), (1, 1), (1, 2), (2, 0), (2, 2)})), progress=messages.append)
    assert any(m.startswith("Réductions : noyau de") for m in messages)
    assert any(m.startswith("Passe rapide :") for m in messages)


@pytest.mark.parametrize("n", range(3, 9))
def test_crown_graphs_get_the_known_minimum_proven(n):
    # User i holds every permission j != i: no reduction applies and there are 2^n - 2 maximal bicliques.
    # Minimum biclique cover: the least k with C(k, floor(k/2)) >= n (de Caen, Gregory, Pullman 1981).
    pairs = frozenset((i, j) for i in range(n) for j in range(n) if i != j)
    result = mine(as_assignment(pairs))
    assert result.optimal
    assert len(result.roles) == min(k for k in range(1, n + 1) if comb(k, k // 2) >= n)
