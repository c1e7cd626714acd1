"""`habpps pdp --policy FILE --port P [--workers N]`: a decision point serving one policy document, no database.

The sidecar form of OPA or Cedar agent: a service that wants its own decision point runs it beside itself. It
serves AuthZEN 1.0 (``/access/v1/evaluation``, ``/access/v1/evaluations``, ``/.well-known/authzen-configuration``)
and ``/api/v1/decisions`` from the document, and reloads the document when the file changes (``habpps.pdp``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from habpps.cli.serve import add_server_arguments, exec_decision_server


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("pdp", help="servir les décisions d'un document de politique (sans base)")
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
