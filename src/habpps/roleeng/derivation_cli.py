"""`habpps roles derive MODEL.yaml`: from a scenario model to the role hierarchy and an engine policy (RE-3).

Prints the preliminary hierarchy (each role with its direct and total permissions, juniors indented below their
seniors), the review list of potentially redundant roles, the outcome of the scenarios' sequences, and writes
the engine policy document (``RBAC.export()``) as YAML or JSON according to the file extension. An invalid
model prints every problem with its place and writes nothing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from habpps.engine import dumps
from habpps.roleeng.acceptance import Outcome, check_sequences
from habpps.roleeng.derivation import RoleHierarchy, derive_hierarchy
from habpps.roleeng.engine_import import policy_document
from habpps.roleeng.loading import load_model
from habpps.roleeng.model import Permission, RoleModel
from habpps.roleeng.problems import ModelInvalid, Severity
from habpps.roleeng.svg import render_hierarchy_svg

_FORMATS = {".yaml": "yaml", ".yml": "yaml", ".json": "json"}


def register_derive(roles_sub: argparse._SubParsersAction) -> None:
    parser = roles_sub.add_parser(
        "derive",
        help="dériver la hiérarchie des rôles d'un modèle de scénarios (mémoire 5.3.6)",
        description="Dérive une hiérarchie de rôles préliminaire d'un modèle YAML (scénarios, tâches, profils de "
        "travail) et écrit la politique correspondante pour le moteur.",
    )
    parser.add_argument("model", type=Path, metavar="MODELE.yaml", help="modèle d'ingénierie des rôles")
    parser.add_argument(
        "--policy-out",
        type=Path,
        metavar="POLITIQUE.yaml",
        help="écrire la politique du moteur (YAML, ou JSON si l'extension est .json)",
    )
    parser.add_argument(
        "--svg-out", type=Path, metavar="HIERARCHIE.svg", help="dessiner la hiérarchie en SVG"
    )
    parser.add_argument(
        "--ignore-domains",
        action="store_true",
        help="appliquer 5.3.6 à la lettre, sans refuser l'héritage entre domaines fonctionnels (5.3.7)",
    )
    parser.add_argument(
        "--flat",
        action="store_true",
        help="aplatir la hiérarchie sur un niveau, chaque rôle recevant toutes ses permissions (5.3.7)",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="code de sortie 1 si un avertissement est émis ou si une séquence est en échec",
    )
    parser.set_defaults(handler=run_derive)


def run_derive(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    for target in (args.policy_out,):
        if target is not None and target.suffix.lower() not in _FORMATS:
            print(f"Extension non reconnue pour « {target} » : .yaml, .yml ou .json.", file=err)
            return 2
    try:
        model, warnings = load_model(args.model)
    except ModelInvalid as invalid:
        print(
            f"Modèle « {args.model} » invalide : {len(invalid.errors)} erreur(s), rien n'est écrit.", file=err
        )
        for problem in invalid.problems:
            print(f"  {problem}", file=err)
        return 1

    domains = None if args.ignore_domains else (model.role_domains() or None)
    hierarchy = derive_hierarchy(model.role_permissions(), domains)
    if args.flat:
        hierarchy = hierarchy.flattened()
    checks = check_sequences(model, hierarchy)
    failed = [check for check in checks if check.outcome is Outcome.FAILED]

    _print_summary(model, hierarchy, domains is not None, out)
    for problem in warnings:
        print(f"  {problem}", file=out)
    _print_tree(model, hierarchy, out)
    _print_review(hierarchy, out)
    print(
        f"\nSéquences des scénarios : {sum(c.outcome is Outcome.PASSED for c in checks)} conforme(s), "
        f"{len(failed)} en échec, {sum(c.outcome is Outcome.BY_CONSTRAINT for c in checks)} assurée(s) par une "
        "contrainte.",
        file=out,
    )
    for check in failed:
        print(f"  {check.sentence()}", file=out)

    if args.policy_out is not None:
        fmt = _FORMATS[args.policy_out.suffix.lower()]
        args.policy_out.write_text(dumps(policy_document(hierarchy), fmt), encoding="utf-8")
        print(f"\nPolitique du moteur écrite dans « {args.policy_out} » ({fmt.upper()}).", file=out)
    if args.svg_out is not None:
        labels = {profile.role_name: profile.label for profile in model.profiles}
        args.svg_out.write_text(render_hierarchy_svg(hierarchy, model.name, labels), encoding="utf-8")
        print(f"Hiérarchie dessinée dans « {args.svg_out} ».", file=out)
    if args.strict and (failed or any(p.severity is Severity.WARNING for p in warnings)):
        return 1
    return 0


def _print_summary(
    model: RoleModel, hierarchy: RoleHierarchy[Permission], by_domain: bool, out: TextIO
) -> None:
    print(
        f"Modèle « {model.name} » (version {model.version}) : {len(model.scenarios)} scénario(s), "
        f"{len(model.permissions)} permission(s) au catalogue, {len(model.tasks)} tâche(s), "
        f"{len(model.profiles)} profil(s) de travail.",
        file=out,
    )
    rule = ", sans héritage entre domaines fonctionnels selon 5.3.7" if by_domain else ""
    print(
        f"Hiérarchie préliminaire (5.3.6{rule}) : {len(hierarchy.roles)} rôle(s), "
        f"{len(hierarchy.edges())} relation(s) d'héritage.",
        file=out,
    )


def _print_tree(model: RoleModel, hierarchy: RoleHierarchy[Permission], out: TextIO) -> None:
    """Each role under each of its seniors; a role met again is named, not expanded twice."""
    shown: set[str] = set()

    def show(role: str, depth: int) -> None:
        indent = "    " * depth + ("└─ " if depth else "")
        label = model.profile_for_role(role).label
        if role in shown:
            print(f"{indent}{role} (voir plus haut)", file=out)
            return
        shown.add(role)
        direct = sorted(hierarchy.direct[role])
        print(
            f"{indent}{role} — {label} : {len(direct)} permission(s) directe(s), "
            f"{len(hierarchy.permissions(role))} au total",
            file=out,
        )
        for operation, obj in direct:
            print(f"{'    ' * (depth + 1)}  · ({operation}, {obj})", file=out)
        for junior in sorted(hierarchy.juniors[role]):
            show(junior, depth + 1)

    print("", file=out)
    for role in sorted(r for r in hierarchy.roles if not hierarchy.seniors(r)):
        show(role, 0)


def _print_review(hierarchy: RoleHierarchy[Permission], out: TextIO) -> None:
    if not hierarchy.redundant:
        print("\nAucun rôle potentiellement redondant.", file=out)
        return
    print("\nRôles potentiellement redondants, à revoir avec l'expert du domaine (5.3.7) :", file=out)
    for group in hierarchy.redundant:
        print(f"  - {', '.join(group)} : mêmes permissions", file=out)
