"""`habpps alerts run`: update the supervision findings, e-mail each new one once, send recertification reminders.

Meant for cron (daily, after `habpps supervision aggregate`; see ``docs/deploy.md``). Prints what it found and
sent and exits 0, also when there was nothing to do, so a monitoring probe only alerts on a real failure.
"""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("alerts", help="alertes de la supervision (constats, courriels, relances)")
    actions = parser.add_subparsers(dest="alerts_command", metavar="ACTION")
    parser.set_defaults(handler=lambda args: (parser.print_help(), 2)[1])
    run = actions.add_parser("run", help="mettre à jour les constats et prévenir les administrateurs")
    run.set_defaults(handler=run_alerts)


def run_alerts(args: argparse.Namespace) -> int:
    from habpps.cli.setup import setup_django

    setup_django()
    from habpps.supervision.alerts import run_alerts as run
    from habpps.supervision.models import FindingKind

    result = run()
    for kind, report in result.findings.items():
        print(
            f"{FindingKind(kind).label} : {report.opened} nouveau(x), {report.changed} modifié(s), "
            f"{report.unchanged} inchangé(s), {report.resolved} disparu(s)."
        )
    print(
        f"{result.notified} constat(s) signalé(s) en {result.mails} courriel(s) ; {result.reminders} relance(s)."
    )
    return 0
