"""`habpps mail retry`: send the new accounts' mails the mail server refused earlier (``accounts/outbox.py``).

Meant for cron every few minutes (``docs/operations.md``). Prints what was sent and what still waits; exits 0
when nothing failed this time, 1 when a mail failed again (so monitoring notices a mail server still down).
"""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("mail", help="courriels en attente (serveur de courriel indisponible)")
    actions = parser.add_subparsers(dest="mail_command", metavar="ACTION")
    parser.set_defaults(handler=lambda args: (parser.print_help(), 2)[1])
    retry = actions.add_parser("retry", help="renvoyer les courriels en attente dont l'heure est venue")
    retry.set_defaults(handler=retry_mails)


def retry_mails(args: argparse.Namespace) -> int:
    from habpps.cli.setup import setup_django

    setup_django()
    from habpps.accounts.outbox import retry_due

    report = retry_due()
    print(
        f"{report.sent} courriel(s) envoyé(s), {report.failed} nouvel(s) échec(s), "
        f"{report.abandoned} abandonné(s) (plus nécessaires), {report.pending} encore en attente."
    )
    return 1 if report.failed else 0
