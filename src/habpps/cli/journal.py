"""`habpps journal verify|anchor|purge|export|retention`: operate the tamper-evident journal (AUD-2..4).

``verify`` exits 0 on an intact chain and 1 on the first broken link — including a chain shorter than, or
disagreeing with, the latest anchor written outside the database — so it can run from cron or a monitoring probe;
it warns loudly (still exit 0) when the head is signed with the published development key. ``anchor`` writes the
current head to the anchor store (``HABPPS_JOURNAL_ANCHOR_DIR``); ``purge`` applies the retention rules and signs a checkpoint; ``export`` writes the CSV an auditor gets
from the web interface, for the whole journal or a filtered part of it.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date, datetime, time

EXIT_OK = 0
EXIT_BROKEN = 1


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("journal", help="journal inaltérable : vérification, purge, export")
    actions = parser.add_subparsers(dest="journal_command", metavar="ACTION")
    parser.set_defaults(handler=lambda args: (parser.print_help(), 2)[1])

    verify = actions.add_parser(
        "verify", help="recalculer la chaîne d'empreintes et signaler le premier maillon rompu"
    )
    verify.add_argument(
        "--since",
        type=date.fromisoformat,
        metavar="AAAA-MM-JJ",
        help="ne parcourir que les entrées depuis ce jour (contrôle rapide entre deux vérifications complètes)",
    )
    verify.set_defaults(handler=run_verify)

    anchor = actions.add_parser(
        "anchor",
        help="écrire la tête de chaîne (séquence, empreinte, signature, heure) dans le magasin d'ancres "
        "hors de la base (HABPPS_JOURNAL_ANCHOR_DIR)",
    )
    anchor.set_defaults(handler=run_anchor)

    purge = actions.add_parser("purge", help="supprimer les entrées échues et signer un point de contrôle")
    purge.add_argument(
        "--dry-run", action="store_true", help="afficher ce qui serait purgé sans rien supprimer"
    )
    purge.add_argument(
        "--as-of",
        type=date.fromisoformat,
        metavar="AAAA-MM-JJ",
        help="appliquer les durées comme si l'on était ce jour-là",
    )
    purge.set_defaults(handler=run_purge)

    export = actions.add_parser(
        "export", help="exporter le journal en CSV (UTF-8 avec BOM, séparateur « ; »)"
    )
    export.add_argument(
        "-o", "--output", metavar="FICHIER", help="fichier de sortie (défaut : sortie standard)"
    )
    export.add_argument("--kind", default="", help="type d'événement ou famille (ex. auth)")
    export.add_argument("--actor", default="", help="identifiant de connexion de l'acteur")
    export.add_argument("--target", default="", help="début de la cible")
    export.add_argument("--scope", default="", help="périmètre (ex. national/fund:7)")
    export.add_argument("--request-id", default="", help="identifiant de requête")
    export.add_argument("--since", type=date.fromisoformat, metavar="AAAA-MM-JJ", help="à partir de ce jour")
    export.add_argument(
        "--until", type=date.fromisoformat, metavar="AAAA-MM-JJ", help="jusqu'à ce jour inclus"
    )
    export.set_defaults(handler=run_export)

    retention = actions.add_parser(
        "retention", help="afficher ou modifier les durées de conservation par type d'événement"
    )
    change = retention.add_mutually_exclusive_group()
    change.add_argument(
        "--set", nargs=2, metavar=("TYPE", "JOURS"), help="conserver TYPE pendant JOURS jours"
    )
    change.add_argument("--forever", metavar="TYPE", help="conserver TYPE sans limite")
    change.add_argument(
        "--unset", metavar="TYPE", help="retirer la règle de TYPE (les réglages s'appliquent)"
    )
    retention.add_argument("--reason", default="", help="justification de la règle (conservée avec elle)")
    retention.set_defaults(handler=run_retention)


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "habpps.settings")
    import django

    django.setup()


def run_verify(args: argparse.Namespace) -> int:
    _setup_django()
    from django.utils import timezone

    from habpps.journal.verification import verify_journal

    since = timezone.make_aware(datetime.combine(args.since, time.min)) if args.since else None
    report = verify_journal(since=since)
    for warning in report.warnings:
        banner = "!" * 78
        print(f"{banner}\nAVERTISSEMENT : {warning}\n{banner}", file=sys.stderr)
    if report.intact:
        print(f"chaîne intègre : {_summary(report)}")
        return EXIT_OK
    broken = report.first_break
    print(f"chaîne ROMPUE : {broken.message}", file=sys.stderr)
    if broken.sequence is not None:
        print(f"  séquence : {broken.sequence}", file=sys.stderr)
    if broken.expected or broken.found:
        print(f"  attendu  : {broken.expected}", file=sys.stderr)
        print(f"  trouvé   : {broken.found}", file=sys.stderr)
    print(f"  vérifié avant la rupture : {_summary(report)}", file=sys.stderr)
    return EXIT_BROKEN


def _summary(report) -> str:  # type: ignore[no-untyped-def]
    parts = [f"{report.entries_checked} entrée(s) vérifiée(s)"]
    if report.partial_from is not None:
        parts[0] = f"vérification partielle depuis la séquence {report.partial_from}, " + parts[0]
    if report.first_sequence is not None:
        parts[0] += f" (séquences {report.first_sequence} à {report.last_sequence})"
    parts.append(
        f"{report.purged_sequences} séquence(s) purgée(s) couvertes par "
        f"{report.checkpoints_checked} point(s) de contrôle signé(s)"
    )
    if report.head is not None:
        parts.append(f"tête : séquence {report.head.sequence}, empreinte {report.head.hash}")
    if report.anchor is not None:
        parts.append(f"dernière ancre : séquence {report.anchor.sequence}")
    else:
        parts.append("aucune ancre hors de la base (lancer « habpps journal anchor »)")
    return " ; ".join(parts)


def run_anchor(args: argparse.Namespace) -> int:
    _setup_django()
    from django.conf import settings
    from django.core.mail import send_mail

    from habpps.journal.anchors import AnchorStoreError, anchor_current_head, anchor_dir

    try:
        anchor = anchor_current_head()
    except AnchorStoreError as error:
        print(str(error), file=sys.stderr)
        return EXIT_BROKEN
    if anchor is None:
        print("journal vide : rien à ancrer")
        return EXIT_OK
    print(
        f"ancre écrite : séquence {anchor.sequence}, empreinte {anchor.hash}, {anchor.anchored_at} "
        f"({anchor.path or anchor_dir()})"
    )
    recipients = list(getattr(settings, "HABPPS_JOURNAL_ANCHOR_MAIL_TO", []) or [])
    if recipients:
        try:
            send_mail(
                f"Ancre du journal : séquence {anchor.sequence}",
                "Conservez ce message : il atteste l'état du journal d'audit à cette heure.\n\n"
                f"séquence : {anchor.sequence}\nempreinte : {anchor.hash}\nsignature : {anchor.signature}\n"
                f"heure : {anchor.anchored_at}\nsceau : {anchor.seal}\n",
                None,
                recipients,
            )
        except OSError as error:
            print(f"ancre écrite mais non envoyée aux auditeurs : {error}", file=sys.stderr)
            return EXIT_BROKEN
        print(f"copie envoyée à {', '.join(recipients)}")
    return EXIT_OK


def run_purge(args: argparse.Namespace) -> int:
    _setup_django()
    from django.utils import timezone

    from habpps.journal.exceptions import BrokenChain
    from habpps.journal.purge import purge_expired

    now = timezone.make_aware(datetime.combine(args.as_of, time.min)) if args.as_of else None
    try:
        result = purge_expired(now=now, dry_run=args.dry_run)
    except BrokenChain as error:
        print(str(error), file=sys.stderr)
        return EXIT_BROKEN
    if not result.runs:
        print("aucune entrée échue : rien à purger")
        return EXIT_OK
    span = f"séquences {result.runs[0].first_sequence} à {result.runs[-1].last_sequence}, {len(result.runs)} plage(s)"
    if result.dry_run:
        print(f"{result.purged_count} entrée(s) seraient purgées ({span}) ; rien n'a été supprimé")
    else:
        print(
            f"{result.purged_count} entrée(s) purgée(s) ({span}) ; point de contrôle n° {result.checkpoint.pk} "
            f"signé, dernière empreinte purgée {result.checkpoint.last_purged_hash}"
        )
    return EXIT_OK


def run_export(args: argparse.Namespace) -> int:
    _setup_django()
    from django.db.models import Q

    from habpps.journal.csv_export import write_csv
    from habpps.journal.search import JournalQuery, search_entries
    from habpps.journal.services import record_event

    query = JournalQuery(
        kind=args.kind,
        actor=args.actor,
        target=args.target,
        scope=args.scope,
        request_id=args.request_id,
        since=args.since,
        until=args.until,
    )
    entries = search_entries(Q(), query).iterator(chunk_size=2000)  # the operator's command: the whole journal
    if args.output:
        with open(args.output, "w", encoding="utf-8", newline="") as stream:
            count = write_csv(entries, stream)
    else:
        count = write_csv(entries, sys.stdout)
    record_event(
        "journal.export",
        target="journal",
        data={"filters": query.as_json(), "format": "csv", "source": "cli", "entries": count},
    )
    print(f"{count} entrée(s) exportée(s)", file=sys.stderr)
    return EXIT_OK


def run_retention(args: argparse.Namespace) -> int:
    _setup_django()
    from django.core.exceptions import ValidationError

    from habpps.journal.retention import RetentionPolicy, remove_retention_rule, set_retention_rule

    try:
        if args.set:
            prefix, days = args.set
            if not days.isdigit():
                print(f"durée invalide : {days!r} (un nombre de jours)", file=sys.stderr)
                return 2
            set_retention_rule(prefix, int(days), description=args.reason)
        elif args.forever:
            set_retention_rule(args.forever, None, description=args.reason)
        elif args.unset and not remove_retention_rule(args.unset):
            print(f"aucune règle pour « {args.unset} »", file=sys.stderr)
            return 1
    except ValidationError as error:
        print(" ".join(error.messages), file=sys.stderr)
        return 2
    policy = RetentionPolicy.current()
    for prefix, days in sorted(policy.rules.items()):
        print(f"{prefix:<40} {'sans limite' if days is None else f'{days} jours'}")
    default = policy.default_days
    print(f"{'(autres types)':<40} {'sans limite' if default is None else f'{default} jours'}")
    return EXIT_OK
