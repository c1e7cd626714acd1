"""The hierarchy drawn as SVG: well-formed, accessible, seniors above juniors, no overlapping boxes."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from habpps.roleeng.derivation import derive_hierarchy
from habpps.roleeng.layout import NODE_GAP, layered_layout
from habpps.roleeng.svg import render_hierarchy_svg

SVG = "{http://www.w3.org/2000/svg}"
HIERARCHY = derive_hierarchy(
    {"expert": {1, 2, 3, 4}, "gestion": {1, 2, 3}, "paie": {1, 4}, "lecture": {1}, "pm": {7}, "pnm": {7}}
)


def test_svg_is_well_formed_and_accessible():
    root = ET.fromstring(render_hierarchy_svg(HIERARCHY, title="RH <test> & co"))
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "RH <test> & co"
    description = root.find(f"{SVG}desc").text
    assert "6 rôles, 4 relations d'héritage, 2 rôles potentiellement redondants" in description
    assert "expert hérite de gestion, paie." in description


def test_every_role_is_drawn_once_and_redundant_roles_are_marked():
    root = ET.fromstring(render_hierarchy_svg(HIERARCHY, labels={"expert": "Expert RH"}))
    groups = {g.get("id"): g for g in root.iter(f"{SVG}g") if (g.get("id") or "").startswith("role-")}
    assert set(groups) == {f"role-{r}" for r in HIERARCHY.roles}
    assert groups["role-expert"].find(f"{SVG}text").text == "Expert RH"
    assert {k for k, g in groups.items() if "redundant" in g.get("class")} == {"role-pm", "role-pnm"}
    assert len(list(root.iter(f"{SVG}polyline"))) == len(HIERARCHY.edges())


def test_seniors_are_drawn_above_their_juniors():
    layout = layered_layout(HIERARCHY.juniors)
    for senior, junior in HIERARCHY.edges():
        assert layout.boxes[senior].y < layout.boxes[junior].y
        points = layout.edges[(senior, junior)]
        assert points[0][1] == layout.boxes[senior].y + layout.boxes[senior].height
        assert points[-1] == (layout.boxes[junior].x, layout.boxes[junior].y)


dags = st.dictionaries(
    st.text(alphabet="abcdefghij", min_size=1, max_size=2),
    st.frozensets(st.integers(0, 6), max_size=5),
    min_size=1,
    max_size=14,
)


@settings(max_examples=60, deadline=None)
@given(dags)
def test_boxes_never_overlap_and_long_edges_go_around(role_permissions):
    hierarchy = derive_hierarchy(role_permissions)
    layout = layered_layout(hierarchy.juniors)
    rows: dict[float, list] = {}
    for box in layout.boxes.values():
        rows.setdefault(box.y, []).append(box)
        assert box.x - box.width / 2 >= 0 and box.x + box.width / 2 <= layout.width
        assert box.y + box.height <= layout.height
    for row in rows.values():
        row.sort(key=lambda b: b.x)
        for left, right in pairwise(row):
            assert left.x + left.width / 2 + NODE_GAP <= right.x - right.width / 2 + 1e-6
    for points in layout.edges.values():
        assert all(y1 <= y2 for (_, y1), (_, y2) in pairwise(points))  # always downwards
