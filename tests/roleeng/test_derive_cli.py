"""`habpps roles derive MODEL.yaml [--policy-out POLICY]` (RE-3, CLI-1)."""

from __future__ import annotations

import argparse
import io
import json

import pytest
import yaml

from habpps.engine import RBAC
from habpps.roleeng.derivation_cli import register_derive

from .conftest import EXAMPLES


def run(*argv: str) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="habpps roles")
    register_derive(parser.add_subparsers())
    args = parser.parse_args(["derive", *argv])
    out, err = io.StringIO(), io.StringIO()
    code = args.handler(args, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_prints_the_hierarchy_and_the_review_list_and_writes_a_yaml_policy(tmp_path):
    policy = tmp_path / "politique.yaml"
    code, out, err = run(str(EXAMPLES / "hr_thesis.yaml"), "--policy-out", str(policy))
    assert (code, err) == (0, "")
    assert "expert_rh — Expert RH : 0 permission(s) directe(s), 16 au total" in out
    assert "    └─ expert_paie — Expert paie" in out
    assert "responsable_absences_pm, responsable_absences_pnm : mêmes permissions" in out
    assert "0 en échec" in out
    rbac = RBAC.load(yaml.safe_load(policy.read_text(encoding="utf-8")))
    assert rbac.role_juniors(role="expert_rh") == {
        "expert_paie",
        "gestionnaire_administratif",
        "responsable_donnees_individuelles",
    }


def test_writes_json_by_extension_and_svg_on_request(tmp_path):
    policy, drawing = tmp_path / "politique.json", tmp_path / "h.svg"
    code, _, _ = run(str(EXAMPLES / "cdap.yaml"), "--policy-out", str(policy), "--svg-out", str(drawing))
    assert code == 0
    doc = json.loads(policy.read_text(encoding="utf-8"))
    assert RBAC.load(doc).role_permissions(role="cdap-controle") == {
        ("rechercher", "cdap.allocataire"),
        ("consulter", "cdap.fiche-synthese"),
    }
    assert drawing.read_text(encoding="utf-8").startswith("<svg")


def test_invalid_model_prints_every_error_and_writes_nothing(tmp_path, document):
    document["scenarios"][0]["steps"][0]["permissions"] = ["P-ABSENTE"]
    document["profiles"][0]["includes"] = ["lecteur"]
    model = tmp_path / "modele.yaml"
    model.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    policy = tmp_path / "politique.yaml"
    code, out, err = run(str(model), "--policy-out", str(policy))
    assert code == 1 and out == ""
    assert "2 erreur(s), rien n'est écrit" in err
    assert "scenarios[0].steps[0].permissions[0] (ligne " in err
    assert "cycle entre profils : lecteur → lecteur" in err
    assert not policy.exists()


def test_unknown_policy_extension_is_refused(tmp_path):
    code, _, err = run(str(EXAMPLES / "cdap.yaml"), "--policy-out", str(tmp_path / "p.txt"))
    assert code == 2 and "Extension non reconnue" in err


def test_strict_mode_fails_on_warnings(tmp_path, document):
    document["permissions"].append({"id": "P-INUTILE", "operation": "x", "object": "y"})
    model = tmp_path / "modele.yaml"
    model.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    assert run(str(model))[0] == 0
    code, out, _ = run(str(model), "--strict")
    assert code == 1 and "aucun scénario n'utilise la permission « P-INUTILE »" in out


def test_ignore_domains_applies_5_3_6_to_the_letter():
    _, with_domains, _ = run(str(EXAMPLES / "hr_thesis.yaml"))
    _, literal, _ = run(str(EXAMPLES / "hr_thesis.yaml"), "--ignore-domains")
    assert "gestionnaire_paie — Gestionnaire paie : 3 permission(s) directe(s)" in with_domains
    assert "gestionnaire_paie — Gestionnaire paie : 2 permission(s) directe(s)" in literal


def test_flat_option_writes_a_one_level_policy(tmp_path):
    policy = tmp_path / "plat.yaml"
    assert run(str(EXAMPLES / "cdap.yaml"), "--flat", "--policy-out", str(policy))[0] == 0
    rbac = RBAC.load(yaml.safe_load(policy.read_text(encoding="utf-8")))
    assert all(rbac.role_juniors(role=role) == set() for role in rbac.roles())
    assert len(rbac.role_permissions(role="cdap-ass-cesf", inherited=False)) == 13


def test_the_habpps_command_exposes_roles_derive(tmp_path):
    pytest.importorskip("habpps.roleeng.mining.cli", reason="la commande roles attend aussi « mine »")
    from habpps.cli import main

    assert (
        main(["roles", "derive", str(EXAMPLES / "cdap.yaml"), "--policy-out", str(tmp_path / "p.yaml")]) == 0
    )
    assert (tmp_path / "p.yaml").exists()
