"""`habpps supervision aggregate`: fold the finished days of the journal into the dashboards' daily aggregates.

Meant for cron (daily, shortly after midnight; see ``docs/deploy.md``). Resumes after the last aggregated day;
``--since`` re-aggregates from a given day. Exits 0, also when there was nothing to do.
"""

from __future__ import annotations

import argparse
from datetime import date


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "supervision", help="supervision : agrégats quotidiens des tableaux de bord"
    )
    actions = parser.add_subparsers(dest="supervision_command", metavar="ACTION")
    parser.set_defaults(handler=lambda args: (parser.print_help(), 2)[1])
    aggregate = actions.add_parser("aggregate", help="agréger les journées terminées")
    aggregate.add_argument(
        "--since", type=date.fromisoformat, metavar="AAAA-MM-JJ", help="ré-agréger depuis ce jour"
    )
    aggregate.add_argument(
        "--until",
        type=date.fromisoformat,
        metavar="AAAA-MM-JJ",
        help="dernier jour à agréger (défaut : hier)",
    )
    aggregate.set_defaults(handler=run_aggregate)


def run_aggregate(args: argparse.Namespace) -> int:
    from habpps.cli.setup import setup_django

    setup_django()
    from habpps.journal.services import record_event
    from habpps.supervision import events
    from habpps.supervision.aggregation import aggregate

    report = aggregate(args.until, since=args.since)
    if not report.days:
        print("Rien à agréger : les journées terminées le sont déjà.")
        return 0
    record_event(events.AGGREGATION_RUN, org_scope="national", target="supervision", data=report.as_json())
    rows = ", ".join(f"{name} {count}" for name, count in sorted(report.rows.items()))
    print(
        f"{report.days} jour(s) agrégé(s), du {report.first_day:%d/%m/%Y} au {report.last_day:%d/%m/%Y} : {rows}."
    )
    return 0
