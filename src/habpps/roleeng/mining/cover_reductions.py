"""Exact reductions of a set-cover problem, then its split into independent pieces.

Applied until none fires (the classic rules, exact for minimum set cover):

* an edge covered by a single candidate forces that candidate (on a complete family of maximal bicliques, this
  is Ene et al.'s "unique maximal biclique" rule); the edges it covers need nothing more;
* an edge whose candidates all cover another edge makes that other edge redundant;
* a candidate whose still-uncovered edges another candidate also covers is never needed.

Forcing a candidate frees its edges, which lets the other two rules fire again, and so on. On role-mining
instances this usually leaves little: the HP Labs datasets keep at most a few dozen edges. What remains falls
apart into independent pieces that the exact solver handles one at a time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from habpps.roleeng.mining.cover import CoverProblem
from habpps.roleeng.mining.deadline import Deadline


@dataclass(frozen=True)
class CoverPiece:
    """An independent part of the reduced problem: ``problem.sets[i]`` is candidate ``set_ids[i]`` restricted
    to the piece's edges (renumbered from 0)."""

    set_ids: np.ndarray
    problem: CoverProblem

    def original(self, chosen: list[int]) -> list[int]:
        return [int(self.set_ids[i]) for i in chosen]


@dataclass(frozen=True)
class ReducedCover:
    """Candidates some minimum cover contains, plus the pieces whose minimum covers complete it."""

    forced: list[int]
    pieces: list[CoverPiece]
    exhaustive: bool


def reduce_cover(problem: CoverProblem, deadline: Deadline | None = None) -> ReducedCover:
    """Apply the reductions until none fires; ``exhaustive`` is false if the deadline interrupted them."""
    deadline = deadline or Deadline.unlimited()
    state = _BitCover(problem)
    exhaustive = True
    while True:
        if deadline.expired():
            exhaustive = False
            break
        changed = state.force_lonely_edges()
        changed |= state.drop_dominated_edges(deadline)
        changed |= state.drop_dominated_sets(deadline)
        if not changed:
            break
    return ReducedCover(state.forced, state.pieces(), exhaustive)


def _bits(x: int) -> list[int]:
    """Positions of the set bits of ``x``, lowest first (via the binary string: linear, unlike bit peeling)."""
    return [i for i, digit in enumerate(reversed(bin(x)[2:])) if digit == "1"]


class _BitCover:
    """The problem as Python-integer bitsets both ways, with alive masks for edges and candidate sets."""

    def __init__(self, problem: CoverProblem) -> None:
        self.edges_of: list[int] = []
        sets_of = [0] * problem.edge_count
        for k, members in enumerate(problem.sets):
            bits = 0
            for e in members.tolist():
                bits |= 1 << e
                sets_of[e] |= 1 << k
            self.edges_of.append(bits)
        self.sets_of = sets_of
        self.alive_edges = (1 << problem.edge_count) - 1
        self.alive_sets = (1 << len(problem.sets)) - 1
        self.forced: list[int] = []
        for k, bits in enumerate(self.edges_of):
            if not bits:
                self.alive_sets &= ~(1 << k)

    def _sets(self, e: int) -> int:
        return self.sets_of[e] & self.alive_sets

    def _edges(self, k: int) -> int:
        return self.edges_of[k] & self.alive_edges

    def force_lonely_edges(self) -> bool:
        changed = False
        for e in _bits(self.alive_edges):
            if not (self.alive_edges >> e) & 1:
                continue
            owners = self._sets(e)
            if owners.bit_count() == 1:
                k = owners.bit_length() - 1
                self.forced.append(k)
                self.alive_edges &= ~self.edges_of[k]
                self.alive_sets &= ~(1 << k)
                changed = True
        if changed:
            self._drop_empty_sets()
        return changed

    def _drop_empty_sets(self) -> None:
        for k in _bits(self.alive_sets):
            if not self._edges(k):
                self.alive_sets &= ~(1 << k)

    def drop_dominated_edges(self, deadline: Deadline) -> bool:
        """Drop edge ``f`` when some other edge ``e`` has candidates ⊆ those of ``f`` (covering ``e`` covers ``f``)."""
        changed = False
        for count, e in enumerate(_bits(self.alive_edges)):
            if count % 512 == 511 and deadline.expired():
                break
            if not (self.alive_edges >> e) & 1:
                continue
            owners = self._sets(e)
            rarest = min(_bits(owners), key=lambda k: self._edges(k).bit_count())
            for f in _bits(self._edges(rarest)):
                if f == e:
                    continue
                other = self._sets(f)
                if owners & ~other == 0 and (owners != other or f > e):
                    self.alive_edges &= ~(1 << f)
                    changed = True
        return changed

    def drop_dominated_sets(self, deadline: Deadline) -> bool:
        """Drop candidate ``k`` when another candidate covers all of ``k``'s uncovered edges."""
        changed = False
        for count, k in enumerate(_bits(self.alive_sets)):
            if count % 512 == 511 and deadline.expired():
                break
            if not (self.alive_sets >> k) & 1:
                continue
            edges = self._edges(k)
            if not edges:
                self.alive_sets &= ~(1 << k)
                changed = True
                continue
            rarest = min(_bits(edges), key=lambda e: self._sets(e).bit_count())
            for j in _bits(self._sets(rarest)):
                if j == k:
                    continue
                other = self._edges(j)
                if edges & ~other == 0 and (edges != other or k > j):
                    self.alive_sets &= ~(1 << k)
                    changed = True
                    break
        return changed

    def pieces(self) -> list[CoverPiece]:
        """Connected parts of what is left (edges linked through the candidates that cover them)."""
        pieces = []
        unvisited = self.alive_edges
        while unvisited:
            seed = unvisited & -unvisited
            edges, sets, frontier = seed, 0, seed
            while frontier:
                new_sets = 0
                for e in _bits(frontier):
                    new_sets |= self._sets(e)
                new_sets &= ~sets
                sets |= new_sets
                reached = 0
                for k in _bits(new_sets):
                    reached |= self._edges(k)
                frontier = reached & ~edges
                edges |= frontier
            unvisited &= ~edges
            pieces.append(self._piece(edges, sets))
        return pieces

    def _piece(self, edges: int, sets: int) -> CoverPiece:
        edge_ids = _bits(edges)
        position = {e: i for i, e in enumerate(edge_ids)}
        set_ids = _bits(sets)
        members = [
            np.array([position[e] for e in _bits(self.edges_of[k] & edges)], dtype=np.int64) for k in set_ids
        ]
        return CoverPiece(np.array(set_ids, dtype=np.int64), CoverProblem(members, len(edge_ids)))
