"""Exact reductions of the role-minimisation problem (Ene et al., SACMAT 2008, section 4).

Each reduction shrinks the bipartite user–permission graph without changing its minimum number of roles, and
records how to turn roles of the smaller graph back into roles of the larger one:

* identical users (same permission set) are merged, and so are identical permissions (same user set): any role
  of the representative is a role of its twins;
* a *dominated* user — one whose permission set is the union of the permission sets of users holding a strict
  subset of it — is removed: every role of those users fits inside it, so it takes them all. The same holds for
  permissions with the roles read the other way round. Removing vertices can only lower the optimum of the rest
  (it is an induced subgraph) and reinstating them adds no role, so the optimum is unchanged.

Removing dominated users can make permissions identical and the other way round, so the rounds repeat until
nothing changes. On the HP Labs datasets this leaves a core of a few hundred vertices.
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from habpps.roleeng.mining.deadline import Deadline
from habpps.roleeng.mining.upa import UserPermissionAssignment

Side = Literal["user", "permission"]

#: Beyond this many cells (after merging twins) the graph is not held as a dense matrix at all: the reduced
#: graph then has no matrix and the miner falls back to the roles read off the distinct permission sets.
MAX_DENSE_CELLS = 800_000_000
#: Beyond this many cells the dense dominance test (float32 block products) is skipped; the sparse one (rows
#: much narrower than the matrix, tested on adjacency lists) always runs.
MAX_DOMINANCE_CELLS = 50_000_000
_BLOCK = 256
#: Rows this many times sparser than the matrix is wide are tested one at a time on their own columns.
_SPARSE_RATIO = 20


@dataclass(frozen=True)
class MergedTwins:
    """Vertices of ``side`` merged into a kept twin: ``groups`` maps a kept id to the ids folded into it."""

    side: Side
    groups: tuple[tuple[int, tuple[int, ...]], ...]


@dataclass(frozen=True)
class RemovedDominated:
    """Dominated vertices of ``side`` removed, each with its neighbours (ids of the other side) at that point."""

    side: Side
    removed: tuple[tuple[int, frozenset[int]], ...]


Reduction = MergedTwins | RemovedDominated


@dataclass
class Biclique:
    """A role as a set of users times a set of permissions, in the ids of the original assignment."""

    users: set[int]
    permissions: set[int]


@dataclass(frozen=True)
class ReducedGraph:
    """The core left by the reductions: ``matrix[i, j]`` says whether ``user_ids[i]`` holds ``permission_ids[j]``.

    ``steps`` lists the reductions in the order they were applied; :func:`reinstate` undoes them.
    """

    matrix: np.ndarray | None
    user_ids: np.ndarray
    permission_ids: np.ndarray
    steps: tuple[Reduction, ...]
    dominance_applied: bool

    @property
    def edge_count(self) -> int:
        return 0 if self.matrix is None else int(self.matrix.sum())


def reduce_assignment(upa: UserPermissionAssignment, deadline: Deadline | None = None) -> ReducedGraph:
    """Apply every reduction until none applies (or the deadline passes: the graph is then simply less reduced)."""
    deadline = deadline or Deadline.unlimited()
    steps: list[Reduction] = []

    user_groups = _twin_groups(upa.user_permissions)
    kept_users = [group[0] for group in user_groups]
    steps.append(MergedTwins("user", _as_groups(user_groups)))
    # the kept users' pairs as two flat arrays (user position, permission id), built in C: on 10⁶ pairs the
    # Python loops over pairs took several seconds of processor, more than a minute under load
    lengths = np.fromiter((len(upa.user_permissions[u]) for u in kept_users), dtype=np.int64, count=len(kept_users))
    flat = np.fromiter(
        itertools.chain.from_iterable(upa.user_permissions[u] for u in kept_users), dtype=np.int64,
        count=int(lengths.sum()),
    )
    pair_rows = np.repeat(np.arange(len(kept_users), dtype=np.int64), lengths)
    by_permission = np.lexsort((pair_rows, flat))  # permission by permission, users in order
    sorted_permissions = flat[by_permission]
    sorted_users = pair_rows[by_permission]
    permission_ids_array, starts = np.unique(sorted_permissions, return_index=True)
    bounds = np.append(starts, len(sorted_permissions))
    permission_ids = permission_ids_array.tolist()
    permission_groups = _twin_groups(
        [sorted_users[bounds[i] : bounds[i + 1]].tobytes() for i in range(len(permission_ids))]
    )
    kept_permissions = [permission_ids[group[0]] for group in permission_groups]
    steps.append(
        MergedTwins(
            "permission",
            tuple(
                (permission_ids[group[0]], tuple(permission_ids[i] for i in group[1:]))
                for group in permission_groups
                if len(group) > 1
            ),
        )
    )

    user_ids = np.array(kept_users, dtype=np.int64)
    perm_ids = np.array(kept_permissions, dtype=np.int64)
    if len(user_ids) * len(perm_ids) > MAX_DENSE_CELLS:
        return ReducedGraph(None, user_ids, perm_ids, tuple(steps), dominance_applied=False)
    position = np.full(len(upa.permissions), -1, dtype=np.int64)
    position[perm_ids] = np.arange(len(perm_ids))
    matrix = np.zeros((len(user_ids), len(perm_ids)), dtype=bool)
    pair_columns = position[flat]
    kept = pair_columns >= 0
    matrix[pair_rows[kept], pair_columns[kept]] = True

    graph = _Graph(matrix, user_ids, perm_ids, steps)
    # the deadline is checked between steps too: each one walks the whole matrix (seconds on 10⁶ pairs under load)
    rounds = (
        lambda: graph.remove_dominated("user", deadline),
        lambda: graph.merge_twins("permission"),
        lambda: graph.remove_dominated("permission", deadline),
        lambda: graph.merge_twins("user"),
    )
    changed = True
    while changed and not deadline.expired():
        changed = False
        for step in rounds:
            if deadline.expired():
                break
            changed |= step()
    return ReducedGraph(graph.matrix, graph.user_ids, graph.perm_ids, tuple(steps), dominance_applied=True)


def reinstate(roles: Iterable[Biclique], steps: Sequence[Reduction]) -> list[Biclique]:
    """Turn roles covering the reduced graph into roles covering the original one, undoing ``steps`` backwards.

    The roles are modified in place (and returned): merged twins join every role of their kept twin; a dominated
    user joins every role whose permissions it holds (a permission: every role whose users hold it).
    """
    roles = list(roles)
    for step in reversed(steps):
        if isinstance(step, MergedTwins):
            folded = dict(step.groups)
            for role in roles:
                side = role.users if step.side == "user" else role.permissions
                for kept in [v for v in side if v in folded]:
                    side.update(folded[kept])
        else:
            # a role fits a removed vertex only if its smallest member (on the other side) is a neighbour: index
            # the roles by it, so that each vertex tests a few roles instead of all (thousands on large cores)
            by_smallest: dict[int, list[Biclique]] = {}
            for role in roles:
                side = role.permissions if step.side == "user" else role.users
                if side:
                    by_smallest.setdefault(min(side), []).append(role)
            for vertex, neighbours in step.removed:
                for first in neighbours:
                    for role in by_smallest.get(first, ()):
                        if step.side == "user":
                            if role.permissions <= neighbours:
                                role.users.add(vertex)
                        elif role.users <= neighbours:
                            role.permissions.add(vertex)
    return roles


def _twin_groups(rows: Sequence[Hashable]) -> list[list[int]]:
    """Indices of ``rows`` grouped by equal content, each group in index order, groups by first index."""
    groups: dict[Hashable, list[int]] = {}
    for index, row in enumerate(rows):
        groups.setdefault(row, []).append(index)
    return list(groups.values())


def _as_groups(groups: list[list[int]]) -> tuple[tuple[int, tuple[int, ...]], ...]:
    return tuple((group[0], tuple(group[1:])) for group in groups if len(group) > 1)


class _Graph:
    """The dense working matrix while reductions run, with the original ids of its rows and columns."""

    def __init__(self, matrix: np.ndarray, user_ids: np.ndarray, perm_ids: np.ndarray, steps: list[Reduction]):
        self.matrix = matrix
        self.user_ids = user_ids
        self.perm_ids = perm_ids
        self.steps = steps

    def _oriented(self, side: Side) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if side == "user":
            return self.matrix, self.user_ids, self.perm_ids
        return self.matrix.T, self.perm_ids, self.user_ids

    def _keep(self, side: Side, keep: np.ndarray) -> None:
        if side == "user":
            self.matrix = self.matrix[keep]
            self.user_ids = self.user_ids[keep]
        else:
            self.matrix = self.matrix[:, keep]
            self.perm_ids = self.perm_ids[keep]

    def merge_twins(self, side: Side) -> bool:
        rows, ids, _ = self._oriented(side)
        groups: dict[bytes, list[int]] = {}
        # packed along the stored rows' direction (packing the transposed view row by row was slow on large graphs)
        packed = np.packbits(rows, axis=1) if side == "user" else np.ascontiguousarray(np.packbits(self.matrix, axis=0).T)
        for index, key in enumerate(packed):
            groups.setdefault(key.tobytes(), []).append(index)
        if len(groups) == len(rows):
            return False
        merged = [group for group in groups.values() if len(group) > 1]
        self.steps.append(
            MergedTwins(side, tuple((int(ids[g[0]]), tuple(int(ids[i]) for i in g[1:])) for g in merged))
        )
        keep = np.ones(len(rows), dtype=bool)
        for group in merged:
            keep[group[1:]] = False
        self._keep(side, keep)
        return True

    def remove_dominated(self, side: Side, deadline: Deadline) -> bool:
        rows, ids, other_ids = self._oriented(side)
        dominated = dominated_rows(rows, deadline)
        if not dominated.any():
            return False
        self.steps.append(
            RemovedDominated(
                side,
                tuple(
                    (int(ids[i]), frozenset(int(x) for x in other_ids[rows[i]]))
                    for i in np.flatnonzero(dominated)
                ),
            )
        )
        self._keep(side, ~dominated)
        return True


def dominated_rows(matrix: np.ndarray, deadline: Deadline | None = None) -> np.ndarray:
    """Rows equal to the union of the rows that are strict subsets of them (rows assumed pairwise distinct).

    Subset tests come from one matrix product: row ``v`` is inside row ``u`` when their intersection has the size
    of ``v``. Only rows passing a cheap necessary test are examined — each of their columns must also belong to
    some smaller row — and by blocks, to bound memory. If the deadline passes, the rows not yet examined are
    reported as not dominated, which keeps the reduction exact (any subset of dominated rows may be removed:
    the rows they decompose into are never dominated themselves).
    """
    deadline = deadline or Deadline.unlimited()
    n = matrix.shape[0]
    result = np.zeros(n, dtype=bool)
    if n == 0:
        return result
    sizes = matrix.sum(axis=1)
    rows, columns = np.nonzero(matrix)  # row-major: the rows' columns, in order (a CSR layout)
    # the smallest row holding each column: a row is a union of smaller rows only if each of its columns is
    # held by some smaller row
    smallest_row_with = np.full(matrix.shape[1], np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(smallest_row_with, columns, sizes[rows])
    lonely = smallest_row_with[columns] >= sizes[rows]
    candidates = np.flatnonzero(np.bincount(rows[lonely], minlength=n) == 0)
    if sizes.mean() * _SPARSE_RATIO < matrix.shape[1]:
        return _dominated_sparse(rows, columns, sizes, candidates, result, deadline)
    if matrix.size > MAX_DOMINANCE_CELLS:  # dense and large: the block products would take too long
        return result
    dense = matrix.astype(np.float32)
    for start in range(0, len(candidates), _BLOCK):
        if deadline.expired():
            break
        block = candidates[start : start + _BLOCK]
        overlap = dense[block] @ dense.T
        inside = (overlap == sizes[None, :]) & (sizes[None, :] < sizes[block, None])
        covered = (inside.astype(np.float32) @ dense) > 0
        result[block] = covered.sum(axis=1) == sizes[block]
    return result


def _dominated_sparse(
    rows: np.ndarray,
    columns: np.ndarray,
    sizes: np.ndarray,
    candidates: np.ndarray,
    result: np.ndarray,
    deadline: Deadline,
) -> np.ndarray:
    """The same test one row at a time on adjacency lists: only the rows sharing a column with the candidate are
    counted. On sparse rows (RMPlib's COMP family: 56 of 7,528 permissions per user, 37 users per permission on
    average) this is about 2,000 operations per row instead of the matrix's width times its row size (the
    dense version of this loop took 20 s on COMP_02.1, this one about a second)."""
    row_starts = np.searchsorted(rows, np.arange(len(sizes) + 1))
    by_column = np.argsort(columns, kind="stable")
    column_rows = rows[by_column]
    width = int(columns.max(initial=-1)) + 1
    column_starts = np.searchsorted(columns[by_column], np.arange(width + 1))
    for count, v in enumerate(candidates.tolist()):
        if count % 64 == 0 and deadline.expired():
            break
        support = columns[row_starts[v] : row_starts[v + 1]]
        shared = np.bincount(column_rows[_ranges(column_starts[support], column_starts[support + 1])],
                             minlength=len(sizes))
        subsets = np.flatnonzero((shared == sizes) & (sizes < sizes[v]))
        if not len(subsets):
            continue
        marked = np.zeros(width, dtype=bool)
        for w in subsets.tolist():
            marked[columns[row_starts[w] : row_starts[w + 1]]] = True
        result[v] = bool(marked[support].all())
    return result


def _ranges(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """The concatenation of ``arange(starts[i], ends[i])`` for every i, without a Python loop over the ranges."""
    lengths = ends - starts
    total = int(lengths.sum())
    offsets = np.cumsum(lengths) - lengths  # where each range begins in the result
    return np.repeat(starts - offsets, lengths) + np.arange(total)
