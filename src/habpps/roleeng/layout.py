"""Layered drawing layout of a role hierarchy (Sugiyama's method), with no graphviz binary.

Seniors are drawn above their juniors. The four classic phases:

1. layering — each role on the layer below its lowest senior (longest path from the top; a DAG needs no cycle
   removal);
2. long edges are cut by dummy points, one per crossed layer, so that every segment joins adjacent layers;
3. ordering within layers by barycenter sweeps, down then up, keeping the order with fewest crossings;
4. horizontal coordinates: nodes packed left to right, then pulled toward the mean position of their
   neighbours while keeping their order and spacing (a few relaxation passes).

The output is geometry only (boxes and polylines); :mod:`habpps.roleeng.svg` draws it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from itertools import pairwise

LAYER_HEIGHT = 110.0
NODE_HEIGHT = 46.0
NODE_GAP = 28.0
MARGIN = 20.0
CHAR_WIDTH = 7.4  # average advance of the 13px sans-serif labels
ORDERING_SWEEPS = 12
RELAXATION_PASSES = 8


@dataclass(frozen=True)
class Box:
    name: str
    x: float  # centre
    y: float  # top
    width: float
    height: float = NODE_HEIGHT


@dataclass(frozen=True)
class Layout:
    boxes: Mapping[str, Box]
    edges: Mapping[tuple[str, str], tuple[tuple[float, float], ...]]  # (senior, junior) → polyline
    width: float
    height: float


def layered_layout(
    juniors: Mapping[str, frozenset[str]],
    label_width: Callable[[str], float] = lambda name: CHAR_WIDTH * len(name),
) -> Layout:
    """Lay out a DAG given as ``role → immediate juniors``."""
    layer_of = _layers(juniors)
    layers: list[list[str]] = [[] for _ in range(max(layer_of.values(), default=-1) + 1)]
    for node in sorted(layer_of):
        layers[layer_of[node]].append(node)

    # Phase 2: dummy points for edges spanning several layers.
    chains: dict[tuple[str, str], list[str]] = {}
    down: dict[str, list[str]] = {node: [] for node in layer_of}
    for senior in sorted(juniors):
        for junior in sorted(juniors[senior]):
            chain = [senior]
            for layer in range(layer_of[senior] + 1, layer_of[junior]):
                dummy = f"\0{senior}\0{junior}\0{layer}"
                layers[layer].append(dummy)
                down[dummy] = []
                chain.append(dummy)
            chain.append(junior)
            for upper, lower in pairwise(chain):
                down[upper].append(lower)
            chains[(senior, junior)] = chain
    up: dict[str, list[str]] = {node: [] for node in down}
    for upper, lowers in down.items():
        for lower in lowers:
            up[lower].append(upper)

    layers = _order(layers, up, down)
    widths = {node: (0.0 if node.startswith("\0") else max(90.0, label_width(node) + 24.0)) for node in down}
    x = _coordinates(layers, up, down, widths)

    shift = MARGIN - min((x[n] - widths[n] / 2 for n in x), default=0.0)
    boxes = {
        node: Box(node, x[node] + shift, MARGIN + depth * LAYER_HEIGHT, widths[node])
        for depth, layer in enumerate(layers)
        for node in layer
        if not node.startswith("\0")
    }
    edges = {}
    for (senior, junior), chain in chains.items():
        points = [(boxes[senior].x, boxes[senior].y + NODE_HEIGHT)]
        for dummy in chain[1:-1]:  # cross a layer vertically, within the band its boxes occupy
            top = MARGIN + layer_of_dummy(dummy) * LAYER_HEIGHT
            points += [(x[dummy] + shift, top), (x[dummy] + shift, top + NODE_HEIGHT)]
        points.append((boxes[junior].x, boxes[junior].y))
        edges[(senior, junior)] = tuple(points)
    width = max((b.x + b.width / 2 for b in boxes.values()), default=0.0) + MARGIN
    height = MARGIN * 2 + max(len(layers) - 1, 0) * LAYER_HEIGHT + (NODE_HEIGHT if layers else 0.0)
    return Layout(boxes=boxes, edges=edges, width=width, height=height)


def layer_of_dummy(dummy: str) -> int:
    return int(dummy.rsplit("\0", 1)[1])


def _layers(juniors: Mapping[str, frozenset[str]]) -> dict[str, int]:
    seniors: dict[str, set[str]] = {node: set() for node in juniors}
    for senior, lowers in juniors.items():
        for junior in lowers:
            seniors.setdefault(junior, set()).add(senior)
    depth: dict[str, int] = {}
    pending = sorted(seniors)
    while pending:  # iterative longest path: a node is placed once all its seniors are
        remaining = []
        for node in pending:
            if all(s in depth for s in seniors[node]):
                depth[node] = 1 + max((depth[s] for s in seniors[node]), default=-1)
            else:
                remaining.append(node)
        if len(remaining) == len(pending):
            raise ValueError("la hiérarchie contient un cycle")
        pending = remaining
    return depth


def _crossings(layers: list[list[str]], down: Mapping[str, list[str]]) -> int:
    total = 0
    for upper, lower in pairwise(layers):
        position = {node: i for i, node in enumerate(lower)}
        segments = [(i, position[j]) for i, node in enumerate(upper) for j in down[node]]
        total += sum(1 for a, b in segments for c, d in segments if a < c and b > d)
    return total


def _barycenter(
    position: Mapping[str, int], neighbours: Mapping[str, list[str]], layer: list[str], node: str
) -> float:
    """Mean position of a node's neighbours on the fixed layer; its current position when it has none."""
    linked = [position[n] for n in neighbours[node] if n in position]
    return sum(linked) / len(linked) if linked else float(layer.index(node))


def _order(
    layers: list[list[str]], up: Mapping[str, list[str]], down: Mapping[str, list[str]]
) -> list[list[str]]:
    best = [list(layer) for layer in layers]
    best_crossings = _crossings(best, down)
    current = [list(layer) for layer in layers]
    for sweep in range(ORDERING_SWEEPS):
        downward = sweep % 2 == 0
        indexes = range(1, len(current)) if downward else range(len(current) - 2, -1, -1)
        for i in indexes:
            fixed = current[i - 1] if downward else current[i + 1]
            neighbours = up if downward else down
            position = {node: p for p, node in enumerate(fixed)}

            current[i] = sorted(current[i], key=partial(_barycenter, position, neighbours, current[i]))
        crossings = _crossings(current, down)
        if crossings < best_crossings:
            best, best_crossings = [list(layer) for layer in current], crossings
    return best


def _coordinates(
    layers: list[list[str]],
    up: Mapping[str, list[str]],
    down: Mapping[str, list[str]],
    widths: Mapping[str, float],
) -> dict[str, float]:
    x: dict[str, float] = {}
    for layer in layers:
        cursor = 0.0
        for node in layer:
            x[node] = cursor + widths[node] / 2
            cursor += widths[node] + NODE_GAP
    for _ in range(RELAXATION_PASSES):
        for layer in layers:
            desired = {}
            for node in layer:
                neighbours = up[node] + down[node]
                desired[node] = sum(x[n] for n in neighbours) / len(neighbours) if neighbours else x[node]
            # Place left to right at the desired position, never closer than the gap to the left neighbour,
            # then right to left for the symmetric constraint, and average the two sweeps.
            left: dict[str, float] = {}
            previous: str | None = None
            for node in layer:
                position = desired[node]
                if previous is not None:
                    position = max(
                        position, left[previous] + (widths[previous] + widths[node]) / 2 + NODE_GAP
                    )
                left[node] = position
                previous = node
            right: dict[str, float] = {}
            previous = None
            for node in reversed(layer):
                position = desired[node]
                if previous is not None:
                    position = min(
                        position, right[previous] - (widths[previous] + widths[node]) / 2 - NODE_GAP
                    )
                right[node] = position
                previous = node
            merged = [(left[node] + right[node]) / 2 for node in layer]
            for index, node in enumerate(layer):  # restore spacing broken by averaging
                if index:
                    before = layer[index - 1]
                    merged[index] = max(
                        merged[index], x[before] + (widths[before] + widths[node]) / 2 + NODE_GAP
                    )
                x[node] = merged[index]
    return x
