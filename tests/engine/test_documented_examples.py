"""The worked examples of docs/engine.md run as written and answer what the document says (issue 16: outside
checks exercise the engine's public API as documented).

Each ```python block of the document is run after a small set-up (the users, roles and units the prose
presupposes); every expression followed by a ``# …`` comment must give that result: the French message (a comment
wrapped over several lines is read as one), or the Python value written in the comment.
"""

from __future__ import annotations

import ast
import re
from datetime import datetime
from pathlib import Path

import pytest

from habpps.engine import RBAC, attr

DOC = Path(__file__).resolve().parents[2] / "docs" / "engine.md"


def _context_example() -> dict:
    return {}  # the example builds its engine itself


def _four_eyes_example() -> dict:
    rbac = RBAC()
    rbac.add_org("caf75")
    rbac.add_role("verificateur")
    rbac.add_user("bob")
    rbac.assign_user("bob", "verificateur", org="caf75")
    rbac.grant_permission("valider", "convention", "verificateur")
    return {"rbac": rbac}


def _scoping_example() -> dict:
    rbac = RBAC()
    rbac.add_org("siege")
    rbac.add_role("gestionnaire_rh")
    rbac.add_user("gina")
    rbac.add_context_attribute("grade", function="subject_attribute", domain="int", parameter="grade")
    rbac.add_context_constraint("cadre_superieur", [("≥", [attr("grade"), 7])])

    class Dossier:  # the Django model of the example: its query is the platform's business, not the engine's
        class objects:
            @staticmethod
            def filter(q):
                return q

    return {"rbac": rbac, "Dossier": Dossier, "to_q": lambda record_filter, field_map: record_filter}


def _delegation_example() -> dict:
    rbac = RBAC()
    rbac.add_org("cd75")
    for role in ("T1", "T2", "T3"):
        rbac.add_role(role)
    for user in ("admin_cd", "delegue", "agent1"):
        rbac.add_user(user)
    for group in ("accueil", "instruction"):
        rbac.add_group(group)
    return {"rbac": rbac}


SET_UPS = {
    "4.5.8": _context_example,
    "CNV-3": _four_eyes_example,
    "Gestionnaire RH": _scoping_example,
    "Délégation de la gestion": _delegation_example,
}


def _examples() -> list[tuple[str, str]]:
    """(title, code) of each worked example: the ``Worked example`` line before each python block."""
    text = DOC.read_text(encoding="utf-8")
    found = []
    for match in re.finditer(r"^```python\n(.*?)^```", text, re.S | re.M):
        title = text.rfind("Worked example", 0, match.start())
        found.append((text[title:text.index("\n", title)], match.group(1)))
    return found


def _expected(lines: list[str], node: ast.stmt) -> str | None:
    """The comment after an expression: inline on its last line, or the ``#`` lines that follow it."""
    inline = lines[node.end_lineno - 1].partition("  #")[2].strip()
    if inline:
        return inline
    following = []
    for line in lines[node.end_lineno:]:
        if not line.startswith("# "):
            break
        following.append(line[2:].strip())
    return " ".join(following) or None


def test_every_worked_example_has_a_set_up():
    titles = [title for title, _ in _examples()]
    assert len(titles) == len(SET_UPS)
    assert all(any(key in title for key in SET_UPS) for title in titles), titles


@pytest.mark.parametrize("title, code", _examples(), ids=lambda value: value[:40] if isinstance(value, str) else "")
def test_a_worked_example_answers_what_the_document_says(title, code):
    namespace = {"RBAC": RBAC, "attr": attr, "datetime": datetime,
                 **next(set_up for key, set_up in SET_UPS.items() if key in title)()}
    lines = code.splitlines()
    checked = 0
    for node in ast.parse(code).body:
        source = compile(ast.Module([node], type_ignores=[]), DOC.name, "exec")
        if not isinstance(node, ast.Expr):
            exec(source, namespace)
            continue
        value = eval(compile(ast.Expression(node.value), DOC.name, "eval"), namespace)
        expected = _expected(lines, node)
        if expected is None or value is None:  # a procedure's comment says why, not what it returns
            continue
        if expected[0] in "{[\"'":
            assert value == ast.literal_eval(expected), (title, expected)
        else:
            assert value == expected, (title, value)
        checked += 1
    assert checked, f"{title}: no documented result was checked"
