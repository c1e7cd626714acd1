"""Hypothesis strategies for user–permission assignments."""

from __future__ import annotations

from hypothesis import strategies as st

from habpps.roleeng.mining.upa import UserPermissionAssignment


def pair_sets(max_users: int, max_permissions: int, min_size: int = 1) -> st.SearchStrategy[frozenset]:
    """Non-empty sets of (user, permission) index pairs."""
    return st.frozensets(
        st.tuples(st.integers(0, max_users - 1), st.integers(0, max_permissions - 1)), min_size=min_size
    )


def as_assignment(pairs: frozenset[tuple[int, int]]) -> UserPermissionAssignment:
    """Name users ``u<i>`` and permissions ``p<j>`` (distinct namespaces, like real files)."""
    return UserPermissionAssignment.from_pairs((f"u{u}", f"p{p}") for u, p in sorted(pairs))


@st.composite
def planted_assignments(draw, max_roles: int = 8, max_users: int = 40, max_permissions: int = 30):
    """Assignments generated from hidden roles, the way real ones arise: users combine a few roles each."""
    role_count = draw(st.integers(1, max_roles))
    roles = [
        draw(st.frozensets(st.integers(0, max_permissions - 1), min_size=1, max_size=8)) for _ in range(role_count)
    ]
    user_count = draw(st.integers(1, max_users))
    pairs = set()
    for user in range(user_count):
        for role in draw(st.lists(st.integers(0, role_count - 1), min_size=1, max_size=3)):
            pairs.update((user, p) for p in roles[role])
    return frozenset(pairs), role_count
