"""`habpps policy export|import|diff`: the directory's policy as a YAML/JSON document (ENG-10)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

CURRENT = "actuelle"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "policy", help="politique d'habilitation : export, import, différences, simulation"
    )
    actions = parser.add_subparsers(dest="policy_command", metavar="ACTION")
    parser.set_defaults(handler=lambda args: (parser.print_help(), 2)[1])

    export = actions.add_parser("export", help="écrire la politique de l'annuaire (YAML ou JSON)")
    export.add_argument("-o", "--output", help="fichier de sortie (sortie standard par défaut)")
    export.add_argument("--format", choices=["yaml", "json"], default="yaml")
    export.set_defaults(handler=export_policy)

    load = actions.add_parser("import", help="réconcilier l'annuaire avec un document de politique")
    load.add_argument("document", help="fichier YAML ou JSON")
    load.add_argument("--simulation", action="store_true", help="montrer les différences sans rien appliquer")
    load.set_defaults(handler=import_policy)

    diff = actions.add_parser("diff", help="ce que chaque utilisateur gagne et perd entre deux politiques")
    diff.add_argument("avant", help=f"fichier, ou « {CURRENT} » pour la politique de l'annuaire")
    diff.add_argument("apres", help=f"fichier, ou « {CURRENT} »")
    diff.set_defaults(handler=diff_policies)

    simulate = actions.add_parser(
        "simulate", help="avant d'appliquer un document : qui gagne et perd quoi, exclusions et approbations"
    )
    simulate.add_argument("document", metavar="DOC", help="fichier YAML ou JSON")
    simulate.add_argument("--format", choices=["texte", "json"], default="texte")
    simulate.set_defaults(handler=simulate_policy)

    rebuild = actions.add_parser(
        "rebuild", help="faire reconstruire la politique par chaque processus depuis l'annuaire (ENG-11)"
    )
    rebuild.set_defaults(handler=rebuild_policy)

    prune = actions.add_parser("prune", help="ne garder que les derniers changements du journal de la politique")
    prune.add_argument("--garder", type=int, metavar="N", required=True, help="nombre de changements gardés")
    prune.set_defaults(handler=prune_log)


def _document(source: str):
    from habpps.engine import parse_text

    if source == CURRENT:
        from habpps.directory.policy_import import current_document

        return current_document()
    return parse_text(Path(source).read_bytes())


def export_policy(args: argparse.Namespace) -> int:
    from habpps.cli.setup import setup_django

    setup_django()
    from habpps.directory.policy_import import current_document
    from habpps.engine import dumps

    text = dumps(current_document(), args.format)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def _unreadable(path: str, error: OSError) -> str:
    what = "introuvable" if isinstance(error, FileNotFoundError) else "illisible"
    return f"erreur : fichier {what} : « {path} »."


def print_document_errors(error) -> None:
    """Every error of an invalid document, with its path (nothing was applied)."""
    print(
        f"Document de politique invalide : {len(error.errors)} erreur(s), rien n'est appliqué.",
        file=sys.stderr,
    )
    for item in error.errors:
        print(f"  {item.get('path', '')}: {item['message']}", file=sys.stderr)


def print_diff(changes: dict) -> None:
    if not changes:
        print("Aucune différence d'habilitation.")
    for user, change in changes.items():
        print(f"{user}")
        for operation, obj in sorted(change["gained"]):
            print(f"  + {operation} {obj}")
        for operation, obj in sorted(change["lost"]):
            print(f"  - {operation} {obj}")
        for (operation, obj), moved in sorted(change.get("changed", {}).items()):
            print(f"  ~ {operation} {obj} : avant {' ; '.join(moved['before'])} — après {' ; '.join(moved['after'])}")


def diff_policies(args: argparse.Namespace) -> int:
    from habpps.cli.setup import setup_django
    from habpps.engine import PolicyDocumentError, diff

    setup_django()
    try:
        print_diff(diff(_document(args.avant), _document(args.apres)))
    except PolicyDocumentError as error:
        print_document_errors(error)
        return 1
    except OSError as error:
        print(_unreadable(error.filename or "", error), file=sys.stderr)
        return 1
    return 0


def import_policy(args: argparse.Namespace) -> int:
    from habpps.cli.setup import setup_django
    from habpps.engine import PolicyDocumentError, RBACError, diff

    setup_django()
    from habpps.directory.policy_import import PolicyImportError, current_document
    from habpps.directory.policy_import import import_policy as reconcile

    try:
        document = _document(args.document)
        print_diff(diff(current_document(), document))
        if args.simulation:
            return 0
        report = reconcile(document)
    except PolicyDocumentError as error:
        print_document_errors(error)
        return 1
    except PolicyImportError as error:
        for message in error.errors:
            print(f"erreur : {message}", file=sys.stderr)
        return 1
    except RBACError as refusal:  # the engine refuses the resulting policy: everything was rolled back
        print(f"erreur : le moteur refuse la politique obtenue, rien n'est appliqué : {refusal}", file=sys.stderr)
        return 1
    except OSError as error:
        print(_unreadable(args.document, error), file=sys.stderr)
        return 1
    changed = {what: added for what, added in report.added.items() if added or report.removed[what]}
    if not changed:
        print("Importation faite : le document est déjà la politique de la plateforme, rien n'a changé.")
    for what in changed:
        print(f"{what} : {report.added[what]} ajout(s), {report.removed[what]} retrait(s)")
    return 0


def print_simulation(simulation) -> None:
    """A what-if in French: people by name, profiles by label, exclusions, approvals, refusals."""
    print(simulation.subject)
    if not simulation.people:
        print("Personne ne gagnerait ni ne perdrait d'habilitation.")
    for person in simulation.people:
        print(f"{person.name} ({person.login})")
        for label in person.gained_profiles:
            print(f"  + profil {label}")
        for label in person.lost_profiles:
            print(f"  - profil {label}")
        for permission in person.gained:
            print(f"  + {permission}")
        for permission in person.lost:
            print(f"  - {permission}")
        for moved in person.changed:
            print(f"  ~ {moved}")
    for text in simulation.exclusions:
        print(f"Exclusion déclenchée : {text}")
    for text in simulation.approvals:
        print(f"Approbation en attente créée : {text}")
    if simulation.refusals:
        print("L'application serait refusée :")
        for text in simulation.refusals:
            print(f"  {text}")
    else:
        print("Rien n'a été appliqué (simulation).")


def simulate_policy(args: argparse.Namespace) -> int:
    """``habpps policy simulate DOC``: the effects of importing DOC, nothing applied. Exit 1 when DOC cannot be
    read or is not a valid policy document; 0 otherwise (refusals of the import are shown)."""
    import json

    from habpps.cli.setup import setup_django
    from habpps.engine import PolicyDocumentError

    setup_django()
    from habpps.authorization.simulation import simulate_document

    try:
        document = _document(args.document)
    except (OSError, PolicyDocumentError) as error:
        if isinstance(error, PolicyDocumentError):
            print_document_errors(error)
        else:
            print(_unreadable(args.document, error), file=sys.stderr)
        return 1
    simulation = simulate_document(document)
    if simulation.invalid:
        print(f"Document de politique invalide : {len(simulation.refusals)} erreur(s), rien n'est simulé.",
              file=sys.stderr)
        for text in simulation.refusals:
            print(f"  {text}", file=sys.stderr)
        return 1
    if args.format == "json":
        print(json.dumps(simulation.as_dict(), ensure_ascii=False, indent=2))
    else:
        print_simulation(simulation)
    return 0


def rebuild_policy(args: argparse.Namespace) -> int:
    """A version whose log row says "rebuild": every process rebuilds from the directory on its next replay."""
    from habpps.cli.setup import setup_django

    setup_django()
    from habpps.authorization.policy_cache import policy_change
    from habpps.journal.services import record_event

    with policy_change(rebuild=True) as change:
        record_event("admin.policy.rebuild", target="policy", data={"version": change.number})
    print(f"Version {change.number} : chaque processus reconstruit la politique depuis l'annuaire.")
    return 0


def prune_log(args: argparse.Namespace) -> int:
    """Old rows of the change log go; a process further behind than what is kept rebuilds in full."""
    from habpps.cli.setup import setup_django

    setup_django()
    from habpps.authorization.policy_log import prune_changes

    print(f"{prune_changes(args.garder)} changement(s) anciens retirés du journal de la politique.")
    return 0
