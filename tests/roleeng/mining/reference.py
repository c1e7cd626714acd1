"""A deliberately naive reference for tiny instances: every biclique tried, every combination of them tried.

Independent of the miner's code on purpose (no reductions, no solver): the property tests compare against it.
"""

from __future__ import annotations

from itertools import combinations

Pairs = frozenset[tuple[int, int]]


def maximal_bicliques(pairs: Pairs) -> set[tuple[frozenset[int], frozenset[int]]]:
    """All maximal bicliques, from every non-empty subset of users and its common permissions."""
    users = sorted({u for u, _ in pairs})
    permissions = {p for _, p in pairs}
    found = set()
    for size in range(1, len(users) + 1):
        for subset in combinations(users, size):
            common = frozenset(p for p in permissions if all((u, p) in pairs for u in subset))
            if common:
                extent = frozenset(u for u in users if all((u, p) in pairs for p in common))
                found.add((extent, common))
    return found


def minimum_role_count(pairs: Pairs) -> int:
    """The minimum number of bicliques covering every pair, by trying all combinations of increasing size."""
    if not pairs:
        return 0
    candidates = [
        frozenset((u, p) for u in extent for p in intent) for extent, intent in maximal_bicliques(pairs)
    ]
    for count in range(1, len(candidates) + 1):
        for combination in combinations(candidates, count):
            if frozenset().union(*combination) == pairs:
                return count
    raise AssertionError("the maximal bicliques always cover the pairs")
