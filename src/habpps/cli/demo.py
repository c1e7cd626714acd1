"""`habpps demo`: migrate the embedded database, seed the demo network, print the logins, and serve it."""

from __future__ import annotations

import argparse

from habpps.cli.serve import add_server_arguments, run_server
from habpps.cli.setup import setup_django


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="base SQLite, données de démonstration et serveur (make demo)",
        description="Migre la base, crée le réseau de démonstration (une seule fois), affiche les identifiants "
        "de chaque rôle et démarre le serveur.",
    )
    add_server_arguments(parser)
    parser.add_argument("--sans-serveur", dest="no_server", action="store_true", help="préparer sans servir")
    parser.set_defaults(handler=run_demo)


def _retire_stale_anchors() -> None:
    """A new demo database starts a new journal: anchors of the previous one would make its verification fail."""
    from datetime import datetime

    from habpps.journal.anchors import anchor_dir, anchors

    directory = anchor_dir()
    if anchors(directory):
        retired = directory.with_name(f"{directory.name}.avant-{datetime.now():%Y%m%d-%H%M%S}")
        directory.rename(retired)
        print(f"Ancres du journal précédent mises de côté : {retired}")


def run_demo(args: argparse.Namespace) -> int:
    setup_django()
    from django.core.management import call_command

    from habpps.conventions.demo_network import DEMO_PASSWORD, demo_logins, is_seeded, seed_demo_network

    call_command("migrate", verbosity=0, interactive=False)
    if is_seeded():
        print("Réseau de démonstration déjà en place.")
    else:
        from habpps.supervision.demo_history import seed_demo_history

        print("Création du réseau de démonstration…")
        _retire_stale_anchors()
        seed_demo_network()
        print("Une année d'activité pour les tableaux de bord (connexions, consultations, gels)…")
        seed_demo_history()
    from habpps.sso.demo import ensure_example_client

    ensure_example_client(args.host, args.port)
    url = f"http://{args.host}:{args.port}/"
    print(f"\nMon Compte Partenaire : {url}\n")
    print(f"Service d'exemple connecté par Habpps (OpenID Connect) : {url}sso/exemple/\n")
    print(f"Mot de passe de tous les comptes de démonstration : {DEMO_PASSWORD}\n")
    logins = demo_logins()
    width = max((len(login.role) for login in logins), default=0)
    for login in logins:
        print(f"  {login.role:<{width}}  {login.login:<16} {login.organisation}")
    print()
    if args.no_server:
        return 0
    return run_server(args)
