"""Connected components of the user–permission graph: a role never spans two of them, so each is solved alone."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Component:
    """A connected piece of a graph: ``matrix`` restricted to ``rows`` × ``columns`` of the parent matrix."""

    rows: np.ndarray
    columns: np.ndarray
    matrix: np.ndarray

    @property
    def edge_count(self) -> int:
        return int(self.matrix.sum())

    def edges(self) -> tuple[np.ndarray, np.ndarray]:
        """The (row, column) positions of the edges, in row-major order: edge ``e`` is ``(rows[e], columns[e])``."""
        return np.nonzero(self.matrix)


def connected_components(matrix: np.ndarray) -> list[Component]:
    """Split a bipartite adjacency matrix into its connected components (no empty row or column expected)."""
    n_rows, n_columns = matrix.shape
    parent = list(range(n_rows + n_columns))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    rows, columns = np.nonzero(matrix)
    for r, c in zip(rows.tolist(), columns.tolist(), strict=True):
        a, b = find(r), find(n_rows + c)
        if a != b:
            parent[a] = b
    roots = np.array([find(x) for x in range(n_rows + n_columns)], dtype=np.int64)
    components = []
    for root in np.unique(roots):
        members = np.flatnonzero(roots == root)
        component_rows = members[members < n_rows]
        component_columns = members[members >= n_rows] - n_rows
        if len(component_rows) and len(component_columns):
            components.append(
                Component(component_rows, component_columns, matrix[np.ix_(component_rows, component_columns)])
            )
    return components
