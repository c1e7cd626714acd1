"""`habpps totp rotate`: re-encrypt every TOTP secret with the first key of ``HABPPS_TOTP_KEYS`` (AUT-8).

Rotation: put the new key first in ``HABPPS_TOTP_KEYS`` and keep the old one after it (every process then reads
both), run this command, then remove the old key. Secrets still stored in clear are encrypted on the way.
"""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("totp", help="secrets de double authentification chiffrés")
    actions = parser.add_subparsers(dest="totp_command", metavar="ACTION")
    parser.set_defaults(handler=lambda args: (parser.print_help(), 2)[1])
    rotate = actions.add_parser("rotate", help="rechiffrer chaque secret avec la première clé de HABPPS_TOTP_KEYS")
    rotate.set_defaults(handler=rotate_keys)


def rotate_keys(args: argparse.Namespace) -> int:
    from habpps.cli.setup import setup_django

    setup_django()
    from django.db import transaction

    from habpps.accounts.models import SecondFactorDevice
    from habpps.accounts.secret_box import reseal

    table = SecondFactorDevice._meta.db_table
    count = 0
    from django.db import connection

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SELECT id, secret FROM {table}")  # noqa: S608 — table name from the model
        for pk, stored in cursor.fetchall():
            if stored:
                cursor.execute(f"UPDATE {table} SET secret = %s WHERE id = %s", [reseal(stored), pk])  # noqa: S608
                count += 1
    print(f"{count} secret(s) de double authentification rechiffré(s) avec la première clé de HABPPS_TOTP_KEYS.")
    return 0
