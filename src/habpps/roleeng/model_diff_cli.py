"""`habpps roles diff AVANT.yaml APRES.yaml`: what each work profile and derived role gains and loses between two
versions of a model, the command-line twin of the workbench's comparison page (:mod:`habpps.roleeng.model_diff`).

Prints one paragraph per changed profile and role, by label; exit code 0 when nothing changes, 1 when something
does (as ``diff``), 2 when a version does not load (its problems printed with their place).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from habpps.roleeng.loading import load_model
from habpps.roleeng.model import RoleModel
from habpps.roleeng.model_diff import Change, ModelDiff, Status, diff_models
from habpps.roleeng.problems import ModelInvalid

_STATUS = {Status.ADDED: "nouveau", Status.REMOVED: "supprimé", Status.CHANGED: "modifié"}


def register_diff(roles_sub: argparse._SubParsersAction) -> None:
    parser = roles_sub.add_parser(
        "diff",
        help="comparer deux versions d'un modèle : ce que chaque profil et chaque rôle gagne et perd",
        description="Compare deux versions d'un modèle d'ingénierie des rôles et dit, pour chaque profil de "
        "travail et chaque rôle dérivé, les tâches, scénarios, permissions et héritages gagnés et perdus.",
    )
    parser.add_argument("before", type=Path, metavar="AVANT.yaml", help="version de référence")
    parser.add_argument("after", type=Path, metavar="APRES.yaml", help="version comparée")
    parser.set_defaults(handler=run_diff)


def run_diff(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    models: list[RoleModel] = []
    for path in (args.before, args.after):
        try:
            models.append(load_model(path)[0])
        except ModelInvalid as invalid:
            print(f"Modèle « {path} » invalide : {len(invalid.errors)} erreur(s).", file=err)
            for problem in invalid.problems:
                print(f"  {problem}", file=err)
            return 2
        except OSError as error:
            print(f"Lecture impossible de « {path} » : {error.strerror or error}.", file=err)
            return 2
    diff = diff_models(*models)
    for line in describe(diff):
        print(line, file=out)
    return 0 if diff.identical else 1


def describe(diff: ModelDiff) -> list[str]:
    """The comparison in plain French lines, labels only."""
    lines = [
        f"De « {diff.before_name} » (version {diff.before_version}) "
        f"à « {diff.after_name} » (version {diff.after_version}) :"
    ]
    if diff.identical:
        return [*lines, "aucun profil ni aucun rôle ne gagne ou ne perd quoi que ce soit."]
    lines.append(
        f"{len(diff.changed_profiles)} profil(s) de travail et {len(diff.changed_roles)} rôle(s) changent."
    )
    for profile in diff.changed_profiles:
        lines += ["", f"Profil « {profile.label} » ({_STATUS[profile.status]})"]
        lines += _change("tâches", profile.tasks)
        lines += _change("scénarios", profile.scenarios)
        lines += _change("permissions", profile.permissions)
    for role in diff.changed_roles:
        lines += ["", f"Rôle « {role.label} » ({_STATUS[role.status]})"]
        lines += _change("permissions", role.permissions)
        lines += _change("héritage de", role.juniors)
    if diff.rationalisations:
        lines += ["", "Rationalisation du modèle de scénarios (5.3.4) :"]
        lines += [f"  + {item.label}" for item in diff.rationalisations.gained]
        lines += [f"  − retirée : {item.label}" for item in diff.rationalisations.lost]
    return lines


def _change(kind: str, change: Change) -> list[str]:
    lines = []
    if change.gained:
        lines.append(f"  gagne {kind} : {', '.join(item.label for item in change.gained)}")
    if change.lost:
        lines.append(f"  perd {kind} : {', '.join(item.label for item in change.lost)}")
    return lines
