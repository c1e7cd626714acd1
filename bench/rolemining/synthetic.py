"""Generated user–permission assignments shaped like the HP Labs family, to run the miner on data it was not
tuned to: users combine a few hidden roles, roles overlap, some users hold one-off permission sets.

The number of hidden roles is an upper bound on the minimum (not always the minimum: roles may be redundant).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Shape:
    """Parameters of a generated assignment; ``name`` says which HP dataset it imitates."""

    name: str
    users: int
    permissions: int
    roles: int
    role_size: tuple[int, int]
    roles_per_user: tuple[int, int]
    seed: int
    #: False: every hidden role is as likely as any other (planted structures, as in RMPlib), instead of a few
    #: broad roles and a long tail.
    popular: bool = True


SHAPES = (
    # Many users, few permissions (like "customer": 10,021 × 277).
    Shape("like_customer", users=10_000, permissions=280, roles=250, role_size=(1, 6), roles_per_user=(1, 3), seed=1),
    # Few users, many permissions (like "emea": 35 × 3,046).
    Shape("like_emea", users=35, permissions=3_000, roles=40, role_size=(20, 200), roles_per_user=(1, 2), seed=2),
    # Large and sparse (like "americas_large": 3,485 × 10,127).
    Shape("like_americas_large", users=3_500, permissions=10_000, roles=400, role_size=(1, 120),
          roles_per_user=(1, 4), seed=3),
    # Dense overlapping roles (like "firewall2": 325 × 590).
    Shape("like_firewall2", users=325, permissions=590, roles=12, role_size=(30, 300), roles_per_user=(1, 4), seed=4),
)

#: Beyond the shared RMPlib instances (issue 21): planted structures of the size of RMPlib's larger COMP instances
#: (10⁴ users, about a million pairs), then one whose matrix (users × permissions) exceeds 200 million cells.
LARGE_SHAPES = (
    Shape("planted_10k", users=10_000, permissions=12_000, roles=3_300, role_size=(5, 70), roles_per_user=(1, 5),
          seed=5, popular=False),
    Shape("planted_20k", users=20_000, permissions=16_000, roles=5_000, role_size=(5, 40), roles_per_user=(1, 4),
          seed=6, popular=False),
)


def generate(shape: Shape) -> list[tuple[str, str]]:
    """The (user, permission) pairs of one generated assignment, deterministic for a shape."""
    rng = random.Random(shape.seed)
    roles = [
        rng.sample(range(shape.permissions), rng.randint(*shape.role_size)) for _ in range(shape.roles)
    ]
    # Popular roles are held by many users, as in real organisations (a few broad roles, a long tail).
    weights = [1.0 / (rank + 1) if shape.popular else 1.0 for rank in range(shape.roles)]
    pairs: set[tuple[str, str]] = set()
    for user in range(shape.users):
        for role in rng.choices(range(shape.roles), weights, k=rng.randint(*shape.roles_per_user)):
            pairs.update((f"u{user}", f"p{p}") for p in roles[role])
    return sorted(pairs)


def write(shape: Shape, directory: Path) -> Path:
    path = directory / f"{shape.name}.txt"
    path.write_text("".join(f"{u} {p}\n" for u, p in generate(shape)), encoding="utf-8")
    return path
