"""Draw a derived role hierarchy as a self-contained, accessible SVG picture (for the workbench UI).

Seniors above juniors, an arrow from each role to each immediate junior it inherits from; each box shows the
role, its direct permissions and all those it holds; roles flagged as potentially redundant (5.3.6) are drawn
dashed, in the review colour, and the picture carries a text alternative and a legend.
"""

from __future__ import annotations

from collections.abc import Mapping
from xml.sax.saxutils import escape, quoteattr

from habpps.roleeng.derivation import RoleHierarchy
from habpps.roleeng.layout import NODE_HEIGHT, layered_layout

_LEGEND_HEIGHT = 28.0
_STYLE = """
  .role rect { fill: #f5f5fe; stroke: #000091; stroke-width: 1.5; }
  .role.redundant rect { fill: #fff4e6; stroke: #b34000; stroke-dasharray: 5 3; }
  .role text { font: 13px Marianne, Arial, sans-serif; fill: #161616; text-anchor: middle; }
  .role text.detail { font-size: 11px; fill: #3a3a3a; }
  .legend text { font: 11px Marianne, Arial, sans-serif; fill: #3a3a3a; }
  .edge { fill: none; stroke: #666; stroke-width: 1.2; marker-end: url(#arrow); }
"""


def render_hierarchy_svg(
    hierarchy: RoleHierarchy,
    title: str = "Hiérarchie des rôles",
    labels: Mapping[str, str] | None = None,
) -> str:
    """The hierarchy as SVG text; ``labels`` gives a display name per role (default: the role name)."""
    labels = labels or {}
    redundant = {role for group in hierarchy.redundant for role in group}
    details = {role: _detail(hierarchy, role) for role in hierarchy.roles}
    layout = layered_layout(
        hierarchy.juniors,
        label_width=lambda role: max(7.4 * len(labels.get(role, role)), 6.2 * len(details[role])),
    )
    width = max(layout.width, 360.0)
    height = layout.height + _LEGEND_HEIGHT
    summary = (
        f"{len(hierarchy.roles)} rôles, {len(hierarchy.edges())} relations d'héritage, "
        f"{len(redundant)} rôles potentiellement redondants"
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="titre desc" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" height="{height:.0f}">',
        f'<title id="titre">{escape(title)}</title>',
        f'<desc id="desc">{escape(summary)}. {escape(_text_alternative(hierarchy, labels))}</desc>',
        f"<style>{_STYLE}</style>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#666"/></marker></defs>',
    ]
    for (senior, junior), points in sorted(layout.edges.items()):
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(
            f'<polyline class="edge" points="{path}"><title>{escape(senior)} hérite de {escape(junior)}'
            "</title></polyline>"
        )
    for role, box in sorted(layout.boxes.items()):
        css = "role redundant" if role in redundant else "role"
        label = labels.get(role, role)
        parts.append(
            f"<g class={quoteattr(css)} id={quoteattr('role-' + role)}>"
            f'<rect x="{box.x - box.width / 2:.1f}" y="{box.y:.1f}" width="{box.width:.1f}" height="{NODE_HEIGHT:.0f}"'
            ' rx="6"/>'
            f'<text x="{box.x:.1f}" y="{box.y + 19:.1f}">{escape(label)}</text>'
            f'<text class="detail" x="{box.x:.1f}" y="{box.y + 36:.1f}">'
            f"{escape(details[role])}</text></g>"
        )
    legend_y = layout.height + 14
    parts.append(
        f'<g class="legend"><text x="20" y="{legend_y:.0f}">Flèche : hérite de (rôle junior). '
        "Cadre pointillé : rôle potentiellement redondant, à revoir.</text></g>"
    )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _detail(hierarchy: RoleHierarchy, role: str) -> str:
    return f"{len(hierarchy.direct[role])} directe(s) · {len(hierarchy.permissions(role))} au total"


def _text_alternative(hierarchy: RoleHierarchy, labels: Mapping[str, str]) -> str:
    sentences = []
    for role in hierarchy.roles:
        juniors = sorted(hierarchy.juniors[role])
        if juniors:
            names = ", ".join(labels.get(j, j) for j in juniors)
            sentences.append(f"{labels.get(role, role)} hérite de {names}.")
    return " ".join(sentences)
