"""`habpps access notify`: warn partner administrators of time-bound accesses about to end (ENG-5).

The server processes already do it by themselves every hour; this command does it now (for a server started
without them, or from cron). The accesses stop by themselves at their end date whatever happens here.
"""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("access", help="accès limités dans le temps : préavis de fin")
    actions = parser.add_subparsers(dest="access_command", metavar="ACTION")
    parser.set_defaults(handler=lambda args: (parser.print_help(), 2)[1])
    notify = actions.add_parser("notify", help="prévenir les administrateurs des accès qui vont prendre fin")
    notify.set_defaults(handler=notify_expiring)


def notify_expiring(args: argparse.Namespace) -> int:
    from habpps.cli.setup import setup_django

    setup_django()
    from habpps.authorization.expiry_notices import notice_days, notify_expiring

    report = notify_expiring()
    print(
        f"{report.grants} accès prenant fin dans les {notice_days()} jours annoncé(s) "
        f"en {report.mails} courriel(s)."
    )
    return 0
