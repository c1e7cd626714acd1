"""The chart of a mining result, drawn on the server as SVG: one bar per role, its length the role's users.

Presentation attributes only (no ``<style>`` element, no ``style`` attribute), so the picture is inlined under
the site's ``style-src 'self'`` policy. The picture is decorative for assistive technologies (``aria-hidden``):
its content is said by :attr:`RoleChart.description` and given in full by the table beside it (RGAA 1.3).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

#: Roles drawn at most; the table lists them all.
MAX_BARS = 40
_BAR, _GAP, _LABEL_WIDTH, _PLOT_WIDTH, _TOP, _BOTTOM = 16, 6, 150, 460, 34, 28
_BLUE, _GREY, _TEXT = "#000091", "#dddddd", "#161616"


@dataclass(frozen=True)
class RoleChart:
    svg: str
    description: str


def role_chart(roles: Sequence[Mapping[str, Any]], title: str = "Utilisateurs par rôle fouillé") -> RoleChart:
    """Bars of users per role, most used roles on top, each labelled « n utilisateurs · k permissions »."""
    ordered = sorted(roles, key=lambda role: (-len(role["users"]), str(role["id"])))
    drawn = ordered[:MAX_BARS]
    most = max((len(role["users"]) for role in drawn), default=0) or 1
    height = _TOP + len(drawn) * (_BAR + _GAP) + _BOTTOM
    width = _LABEL_WIDTH + _PLOT_WIDTH + 170
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" focusable="false" aria-hidden="true">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="18" font-family="Marianne, Arial, sans-serif" font-size="14" font-weight="bold" '
        f'fill="{_TEXT}">{escape(title)}</text>',
    ]
    for index, role in enumerate(drawn):
        y = _TOP + index * (_BAR + _GAP)
        users, held = len(role["users"]), len(role["permissions"])
        length = max(1.0, _PLOT_WIDTH * users / most)
        parts += [
            f'<text x="{_LABEL_WIDTH - 8}" y="{y + 12}" text-anchor="end" font-family="Marianne, Arial, '
            f'sans-serif" font-size="12" fill="{_TEXT}">{escape(str(role["id"]))}</text>',
            f'<rect x="{_LABEL_WIDTH}" y="{y}" width="{_PLOT_WIDTH}" height="{_BAR}" fill="{_GREY}" '
            f'fill-opacity="0.3"/>',
            f'<rect x="{_LABEL_WIDTH}" y="{y}" width="{length:.1f}" height="{_BAR}" fill="{_BLUE}"/>',
            f'<text x="{_LABEL_WIDTH + _PLOT_WIDTH + 8}" y="{y + 12}" font-family="Marianne, Arial, sans-serif" '
            f'font-size="11" fill="{_TEXT}">{users} utilisateur(s) · {held} permission(s)</text>',
        ]
    if len(ordered) > len(drawn):
        parts.append(
            f'<text x="0" y="{height - 8}" font-family="Marianne, Arial, sans-serif" font-size="11" '
            f'fill="{_TEXT}">… et {len(ordered) - len(drawn)} autre(s) rôle(s), voir le tableau.</text>'
        )
    parts.append("</svg>")
    return RoleChart("\n".join(parts), describe(ordered))


def describe(ordered: Sequence[Mapping[str, Any]]) -> str:
    """One sentence: how many roles, the most held ones and the least held one."""
    if not ordered:
        return "Aucun rôle."
    top = ", ".join(f"{role['id']} ({len(role['users'])} utilisateur(s))" for role in ordered[:3])
    last = ordered[-1]
    return (
        f"{len(ordered)} rôle(s) fouillé(s) ; les plus attribués : {top} ; le moins attribué : {last['id']} "
        f"({len(last['users'])} utilisateur(s))."
    )
