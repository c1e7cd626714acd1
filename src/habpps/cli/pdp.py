"""`habpps pdp --policy FILE --port P [--workers N]`: a decision point serving one policy document, no database.

The sidecar form of OPA or Cedar agent: a service that wants its own decision point runs it beside itself. It
serves AuthZEN 1.0 (``/access/v1/evaluation``, ``/access/v1/evaluations``, ``/.well-known/authzen-configuration``)
and ``/api/v1/decisions`` from the document, and reloads the document when the file changes (``habpps.pdp``).
Administrative questions, on the platform's records, are refused as not served (``habpps.pdp.administration``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from habpps.cli.serve import add_server_arguments, exec_decision_server
from habpps.pdp.administration import OPERATION_NAMES


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "pdp", help="servir les décisions d'un document de politique (sans base)",
        description="Sert AuthZEN 1.0 (/access/v1/evaluation, /access/v1/evaluations) et /api/v1/decisions à partir "
        "d'un document de politique seul, rechargé quand le fichier change. Les questions d'administration "
        f"({', '.join(OPERATION_NAMES)}) portent sur les enregistrements de la plateforme (groupes, comptes, "
        "conventions), "
        "qu'un document ne contient pas : elles reçoivent un refus expliqué (200, décision fausse, raison "
        "administrative_question_not_served, explication toujours jointe). Posez-les à la plateforme ou à "
        "habpps serve --decisions (docs/api.md).",
    )
    parser.add_argument("--policy", required=True, help="document de politique (YAML ou JSON)")
    parser.add_argument("--tokens", help="fichier des jetons de service acceptés (lignes « nom empreinte-sha256 »)")
    add_server_arguments(parser)
    parser.set_defaults(handler=pdp)


def pdp(args: argparse.Namespace) -> int:
    from habpps.engine import RBACError
    from habpps.pdp.policy_file import load_policy, read_tokens

    path = Path(args.policy).resolve()
    try:
        snapshot = load_policy(path)
        if args.tokens:
            read_tokens(Path(args.tokens))
    except OSError as error:
        print(f"Fichier illisible : {error.filename or path} ({error.strerror}).", file=sys.stderr)
        return 1
    except (ValueError, RBACError) as error:
        print(f"Politique refusée : {error}", file=sys.stderr)
        return 1
    print(f"habpps pdp : {len(snapshot.users)} utilisateurs, politique {path}, http://{args.host}:{args.port}",
          flush=True)
    env = {"HABPPS_PDP_POLICY": str(path)}
    if args.tokens:
        env["HABPPS_PDP_TOKENS"] = str(Path(args.tokens).resolve())
    return exec_decision_server("habpps.pdp.file_app:application", args, env)
