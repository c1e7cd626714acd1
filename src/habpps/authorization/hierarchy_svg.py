"""The role hierarchy as a picture (ENG-2): a layered drawing, seniors above their juniors, drawn on the server.

The page shows it as an ``<img>`` of an SVG resource, so the site's CSP (``style-src 'self'``) holds: the SVG
uses presentation attributes only, no ``style``. Layers are longest paths from the top (a role sits one layer
below its lowest senior), which keeps every arrow pointing down; roles of one layer are ordered by the mean
position of their seniors (one barycentre pass), which removes most crossings of small hierarchies.
"""

from __future__ import annotations

from collections.abc import Iterable
from xml.sax.saxutils import escape

BOX_HEIGHT = 34
LAYER_GAP = 70
BOX_GAP = 24
CHAR_WIDTH = 7.2
MARGIN = 16
FONT = "Marianne, Arial, sans-serif"


def layers(nodes: Iterable[str], edges: Iterable[tuple[str, str]]) -> list[list[str]]:
    """Nodes by layer, seniors first; ``edges`` are (senior, junior) and form a DAG (the engine refuses cycles)."""
    nodes = set(nodes)
    seniors: dict[str, set[str]] = {n: set() for n in nodes}
    for senior, junior in edges:
        seniors[junior].add(senior)
    depth: dict[str, int] = {}

    def level(node: str) -> int:
        if node not in depth:
            depth[node] = 0  # guards against a cycle in bad data: it then draws flat instead of looping
            depth[node] = max((level(s) + 1 for s in seniors[node]), default=0)
        return depth[node]

    for node in sorted(nodes):
        level(node)
    rows: list[list[str]] = [[] for _ in range(max(depth.values(), default=-1) + 1)]
    for node in sorted(nodes):
        rows[depth[node]].append(node)
    for index in range(1, len(rows)):
        above = {node: i for i, node in enumerate(rows[index - 1])}
        for depth_above in range(index - 1):
            above.update({node: i for i, node in enumerate(rows[depth_above])})

        def barycentre(node: str, above: dict[str, int] = above) -> float:
            positions = [above[s] for s in seniors[node] if s in above]
            return sum(positions) / len(positions) if positions else 0.0

        rows[index].sort(key=lambda node: (barycentre(node), node))
    return rows


def render(labels: dict[str, str], edges: Iterable[tuple[str, str]], title: str) -> str:
    """The SVG document of the hierarchy: ``labels`` maps each node to the name shown in its box."""
    edges = sorted(set(edges))
    rows = layers(labels, edges)
    widths = {node: max(90.0, len(labels[node]) * CHAR_WIDTH + 20) for node in labels}
    row_widths = [sum(widths[n] for n in row) + BOX_GAP * (len(row) - 1) for row in rows]
    width = max(row_widths, default=200) + 2 * MARGIN
    height = len(rows) * BOX_HEIGHT + max(len(rows) - 1, 0) * LAYER_GAP + 2 * MARGIN
    position: dict[str, tuple[float, float]] = {}
    for index, row in enumerate(rows):
        x = MARGIN + (width - 2 * MARGIN - row_widths[index]) / 2
        y = MARGIN + index * (BOX_HEIGHT + LAYER_GAP)
        for node in row:
            position[node] = (x, y)
            x += widths[node] + BOX_GAP
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        '<defs><marker id="fleche" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" '
        'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#000091"/></marker></defs>',
        '<rect x="0" y="0" width="100%" height="100%" fill="#ffffff"/>',
    ]
    for senior, junior in edges:
        sx, sy = position[senior]
        jx, jy = position[junior]
        parts.append(
            f'<line x1="{sx + widths[senior] / 2:.1f}" y1="{sy + BOX_HEIGHT:.1f}" '
            f'x2="{jx + widths[junior] / 2:.1f}" y2="{jy:.1f}" stroke="#000091" stroke-width="1.5" '
            'marker-end="url(#fleche)"/>'
        )
    for node, (x, y) in sorted(position.items()):
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{widths[node]:.1f}" height="{BOX_HEIGHT}" rx="4" '
            'fill="#e3e3fd" stroke="#000091" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{x + widths[node] / 2:.1f}" y="{y + BOX_HEIGHT / 2 + 5:.1f}" text-anchor="middle" '
            f'font-family="{FONT}" font-size="13" fill="#161616">{escape(labels[node])}</text>'
        )
    if not labels:
        parts.append(f'<text x="{MARGIN}" y="{MARGIN + 14}" font-family="{FONT}" font-size="13" fill="#161616">'
                     "Aucun héritage entre rôles.</text>")
    parts.append("</svg>")
    return "\n".join(parts)
