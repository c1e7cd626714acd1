"""`habpps sso`: the single sign-on's keys and the check of live sign-ins.

- ``habpps sso rotate-key``: a new signing key becomes active; the former one stays published in the JWKS so
  that tokens it signed can still be checked (``--retire`` stops publishing the inactive keys). Every server
  process must then be restarted to sign with the new key (embedded mode: keys under ``var/oidc/``; production
  gives them in ``HABPPS_OIDC_PRIVATE_KEY`` / ``HABPPS_OIDC_PRIVATE_KEYS_INACTIVE``).
- ``habpps sso sweep``: end the sign-ins whose Habpps session timed out, whose person was suspended or lost his
  last profile of the service, and tell their services (back-channel logout). For cron, every minute.
"""

from __future__ import annotations

import argparse
import os


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("sso", help="connexion unique (OpenID Connect) : clés, déconnexions")
    actions = parser.add_subparsers(dest="sso_command", metavar="ACTION")
    parser.set_defaults(handler=lambda args: (parser.print_help(), 2)[1])
    rotate = actions.add_parser("rotate-key", help="nouvelle clé de signature (l'ancienne reste publiée)")
    rotate.add_argument("--retire", action="store_true", help="ne plus publier les anciennes clés")
    rotate.set_defaults(handler=rotate_key)
    sweep = actions.add_parser("sweep", help="terminer les connexions aux services qui ne tiennent plus")
    sweep.set_defaults(handler=sweep_sign_ins)


def rotate_key(args: argparse.Namespace) -> int:
    from habpps.cli.setup import setup_django

    setup_django()
    from django.conf import settings

    from habpps.sso.keys import retire_inactive, rotate

    if args.retire:
        print(f"{retire_inactive(settings.OIDC_KEY_DIR)} ancienne(s) clé(s) retirée(s) du jeu de clés publié.")
        return 0
    if os.environ.get("HABPPS_OIDC_PRIVATE_KEY", "").strip():
        print("Les clés viennent de HABPPS_OIDC_PRIVATE_KEY : changez-les dans l'environnement du service.")
        return 2
    retired = rotate(settings.OIDC_KEY_DIR)
    print(f"Nouvelle clé active dans {settings.OIDC_KEY_DIR}; l'ancienne reste publiée ({retired.name}).")
    print("Redémarrez les processus du serveur pour signer avec la nouvelle clé.")
    return 0


def sweep_sign_ins(args: argparse.Namespace) -> int:
    from habpps.cli.setup import setup_django

    setup_django()
    from django.db import transaction

    from habpps.sso.signins import sweep

    with transaction.atomic():
        ended = sweep()
    print(f"{len(ended)} connexion(s) à un service terminée(s).")
    return 0
