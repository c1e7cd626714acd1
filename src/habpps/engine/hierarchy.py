"""General role hierarchy (ANSI 359 §6.2): a DAG of immediate inheritance edges and its closures.

``ascendant ≥ descendant`` means the ascendant (senior) inherits every permission of the descendant (junior)
and its users are authorized for the junior. Closures are computed on demand and memoised by the caller
(`HierarchyCache`), which is dropped whenever an edge or a role changes.
"""

from __future__ import annotations

from collections.abc import Iterable

from habpps.engine.model import PolicyState


def walk(start: str, edges: dict[str, set[str]]) -> set[str]:
    """Every role reachable from ``start`` along ``edges`` (``start`` included)."""
    seen = {start}
    stack = [start]
    while stack:
        for nxt in edges.get(stack.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


def path_between(senior: str, junior: str, juniors: dict[str, set[str]]) -> list[str] | None:
    """The shortest inheritance chain ``senior → … → junior``, or None when the senior does not inherit it."""
    if senior == junior:
        return [senior]
    previous: dict[str, str] = {}
    frontier = [senior]
    seen = {senior}
    while frontier:
        nxt_frontier = []
        for role in sorted(frontier):
            for nxt in sorted(juniors.get(role, ())):
                if nxt in seen:
                    continue
                seen.add(nxt)
                previous[nxt] = role
                if nxt == junior:
                    chain = [junior]
                    while chain[-1] != senior:
                        chain.append(previous[chain[-1]])
                    return list(reversed(chain))
                nxt_frontier.append(nxt)
        frontier = nxt_frontier
    return None


class HierarchyCache:
    """Memoised descendant/ascendant closures of a `PolicyState`; call `clear()` after any hierarchy change."""

    def __init__(self, state: PolicyState) -> None:
        self.state = state
        self._down: dict[str, frozenset[str]] = {}
        self._up: dict[str, frozenset[str]] = {}

    def clear(self) -> None:
        self._down.clear()
        self._up.clear()

    def juniors_closure(self, role: str) -> frozenset[str]:
        """The role and every role it inherits (its juniors, transitively)."""
        cached = self._down.get(role)
        if cached is None:
            cached = frozenset(walk(role, self.state.juniors))
            self._down[role] = cached
        return cached

    def seniors_closure(self, role: str) -> frozenset[str]:
        """The role and every role that inherits it (its seniors, transitively)."""
        cached = self._up.get(role)
        if cached is None:
            cached = frozenset(walk(role, self.state.seniors))
            self._up[role] = cached
        return cached

    def closure_of(self, roles: Iterable[str]) -> set[str]:
        result: set[str] = set()
        for role in roles:
            result |= self.juniors_closure(role)
        return result

    def would_create_cycle(self, ascendant: str, descendant: str) -> bool:
        """True when adding ``ascendant → descendant`` closes a cycle (self-edge included)."""
        return ascendant in self.juniors_closure(descendant)
