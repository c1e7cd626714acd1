"""``habpps pdp`` refuses, in French and with exit code 1, a document it cannot serve — before listening."""

from __future__ import annotations

import pytest

from habpps.cli import main


@pytest.mark.parametrize(("name", "text", "expected"), [
    ("absent.yaml", None, "Fichier illisible"),
    ("cassee.yaml", "roles: [\n", "Texte YAML/JSON illisible (ligne 2"),
    ("cassee.json", '{"roles":', "Texte JSON illisible"),
    ("double.yaml", "format: habpps-policy/1\nroles: [{id: a}, {id: a}]\n", "Le rôle « a » existe déjà"),
])
def test_unservable_documents_stop_habpps_pdp(tmp_path, capsys, name, text, expected):
    path = tmp_path / name
    if text is not None:
        path.write_text(text, encoding="utf-8")
    assert main(["pdp", "--policy", str(path), "--port", "1"]) == 1
    assert expected in capsys.readouterr().err
