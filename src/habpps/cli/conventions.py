"""`habpps conventions expire`: end the conventions past their date and withdraw what they granted (CNV-6).

Meant for cron (daily, see ``docs/deploy.md``); prints one line per expired convention and exits 0, also when
there was nothing to do, so a monitoring probe only alerts on a real failure.
"""

from __future__ import annotations

import argparse
from datetime import date


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("conventions", help="conventions : échéances")
    actions = parser.add_subparsers(dest="conventions_command", metavar="ACTION")
    parser.set_defaults(handler=lambda args: (parser.print_help(), 2)[1])
    expire = actions.add_parser("expire", help="mettre fin aux conventions échues et retirer leurs accès")
    expire.add_argument(
        "--as-of",
        type=date.fromisoformat,
        metavar="AAAA-MM-JJ",
        help="appliquer les échéances comme ce jour-là",
    )
    expire.set_defaults(handler=run_expire)


def run_expire(args: argparse.Namespace) -> int:
    from habpps.cli.setup import setup_django

    setup_django()
    from habpps.conventions.services import expire_due

    expired = expire_due(args.as_of)
    for convention in expired:
        print(f"Convention {convention.reference} ({convention.partner}) échue : accès retirés.")
    print(f"{len(expired)} convention(s) échue(s).")
    return 0
