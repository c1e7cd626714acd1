"""The diff of two versions of a role model: what each work profile and each derived role gains and loses."""

from __future__ import annotations

import copy
import json
from typing import Any

from habpps.roleeng.loading import model_from_document, parse_model
from habpps.roleeng.model_diff import Item, Status, diff_models
from roleeng.conftest import EXAMPLES


def load(document: dict[str, Any]):
    return model_from_document(document)[0]


def by_id(diff):
    return {p.id: p for p in diff.profiles}, {r.name: r for r in diff.roles}


def test_a_model_compared_with_itself_changes_nothing(document):
    model = load(document)
    diff = diff_models(model, model)
    assert diff.identical
    assert {p.status for p in diff.profiles} == {Status.UNCHANGED}
    assert [r.name for r in diff.roles] == ["gestionnaire", "lecteur", "responsable"]  # sorted by label


def test_a_task_given_to_a_profile_is_gained_with_its_scenarios_permissions_and_the_new_inheritance(document):
    document["permissions"][2]["label"] = "Valider un dossier"
    before = load(document)
    after_doc = copy.deepcopy(document)
    after_doc["version"] = 2
    after_doc["profiles"][0]["tasks"].append("T-VALIDER")
    after = load(after_doc)

    diff = diff_models(before, after)
    profiles, roles = by_id(diff)
    assert (diff.before_version, diff.after_version) == ("1", "2")
    lecteur = profiles["lecteur"]
    assert lecteur.status is Status.CHANGED
    assert lecteur.tasks.gained == (Item("Valider", "T-VALIDER"),)
    assert lecteur.scenarios.gained == (Item("valider une mise à jour", "SC-VALIDER"),)
    assert lecteur.permissions.gained == (Item("Valider un dossier", "valider dossier"),)
    assert not lecteur.tasks.lost and not lecteur.permissions.lost
    assert profiles["gestionnaire"].status is Status.UNCHANGED
    assert profiles["responsable"].status is Status.UNCHANGED
    # Derived roles: the reader no longer sits under the manager, the head now inherits from both directly.
    assert roles["lecteur"].permissions.gained == (Item("Valider un dossier", "valider dossier"),)
    assert roles["gestionnaire"].status is Status.CHANGED
    assert roles["gestionnaire"].juniors.lost == (Item("Lecteur", "lecteur"),)
    assert not roles["gestionnaire"].permissions
    assert roles["responsable"].juniors.gained == (Item("Lecteur", "lecteur"),)
    assert not roles["responsable"].permissions
    assert {p.id for p in diff.changed_profiles} == {"lecteur"}


def test_a_dropped_inclusion_loses_the_included_profile_tasks(document):
    before = load(document)
    after_doc = copy.deepcopy(document)
    after_doc["profiles"][2]["includes"] = []
    profiles, roles = by_id(diff_models(before, load(after_doc)))
    responsable = profiles["responsable"]
    assert responsable.tasks.lost == (Item("Gérer", "T-GERER"),)
    assert responsable.scenarios.lost == (Item("mettre à jour un dossier", "SC-MAJ"),)
    assert [item.key for item in responsable.permissions.lost] == ["ecrire dossier", "lire dossier"]
    assert not responsable.permissions.gained
    assert [item.key for item in roles["responsable"].permissions.lost] == ["ecrire dossier", "lire dossier"]
    assert roles["responsable"].juniors.lost == (Item("Gestionnaire", "gestionnaire"),)


def test_added_and_removed_profiles_gain_or_lose_everything(document):
    before = load(document)
    after_doc = copy.deepcopy(document)
    after_doc["profiles"][0] = {"id": "auditeur", "label": "Auditeur", "tasks": ["T-CONSULTER"]}
    after_doc["assignment_rules"] = []
    profiles, roles = by_id(diff_models(before, load(after_doc)))
    assert profiles["lecteur"].status is Status.REMOVED
    assert profiles["lecteur"].tasks.lost == (Item("Consulter", "T-CONSULTER"),)
    assert profiles["lecteur"].permissions.lost == (Item("lire dossier", "lire dossier"),)
    assert profiles["auditeur"].status is Status.ADDED
    assert profiles["auditeur"].scenarios.gained == (Item("consulter un dossier", "SC-CONSULTER"),)
    assert roles["lecteur"].status is Status.REMOVED and roles["auditeur"].status is Status.ADDED
    assert roles["gestionnaire"].juniors.lost == (Item("Lecteur", "lecteur"),)
    assert roles["gestionnaire"].juniors.gained == (Item("Auditeur", "auditeur"),)


def test_permissions_are_matched_by_their_pair_not_by_their_catalogue_identifier(document):
    before = load(document)
    renamed = json.loads(json.dumps(document).replace("P-LIRE", "P-CONSULTER"))
    assert diff_models(before, load(renamed)).identical
    moved = copy.deepcopy(document)
    moved["permissions"][0]["object"] = "piece"
    _, roles = by_id(diff_models(before, load(moved)))
    assert roles["lecteur"].permissions.gained == (Item("lire piece", "lire piece"),)
    assert roles["lecteur"].permissions.lost == (Item("lire dossier", "lire dossier"),)


def test_the_shipped_example_against_a_trimmed_version():
    text = (EXAMPLES / "cdap.yaml").read_text(encoding="utf-8")
    before = parse_model(text)[0]
    first = before.profiles[0]
    trimmed = load_without_task(before, first.id)
    diff = diff_models(before, trimmed)
    changed = {p.id: p for p in diff.changed_profiles}
    assert first.id in changed
    assert {item.key for item in changed[first.id].tasks.lost} == set(first.tasks)


def load_without_task(model, profile_id):
    """The same model with the given profile's own tasks removed (dataclasses.replace, no YAML round trip)."""
    from dataclasses import replace

    profiles = tuple(replace(p, tasks=()) if p.id == profile_id else p for p in model.profiles)
    return replace(model, profiles=profiles)


def run_cli(*argv: str) -> tuple[int, str, str]:
    import argparse
    import io

    from habpps.roleeng.model_diff_cli import register_diff

    parser = argparse.ArgumentParser(prog="habpps roles")
    register_diff(parser.add_subparsers())
    args = parser.parse_args(["diff", *argv])
    out, err = io.StringIO(), io.StringIO()
    return args.handler(args, out=out, err=err), out.getvalue(), err.getvalue()


def test_the_command_line_prints_gains_and_losses_by_label_and_exits_like_diff(tmp_path, document):
    import yaml

    before = tmp_path / "avant.yaml"
    before.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    document["version"] = 2
    document["profiles"][0]["tasks"].append("T-VALIDER")
    after = tmp_path / "apres.yaml"
    after.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")

    code, out, err = run_cli(str(before), str(after))
    assert (code, err) == (1, "")
    assert "(version 1) à « Modèle minimal » (version 2)" in out
    assert (
        "Profil « Lecteur » (modifié)\n  gagne tâches : Valider\n  gagne scénarios : valider une mise à jour"
        in out
    )
    assert "Rôle « Gestionnaire » (modifié)\n  perd héritage de : Lecteur" in out
    assert run_cli(str(before), str(before))[0] == 0

    broken = tmp_path / "casse.yaml"
    broken.write_text("name: x\n", encoding="utf-8")
    code, _, err = run_cli(str(before), str(broken))
    assert code == 2 and "invalide" in err
    code, _, err = run_cli(str(before), str(tmp_path / "absent.yaml"))
    assert code == 2 and ("absent.yaml" in err)
