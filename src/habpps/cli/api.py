"""`habpps api token create|revoke|list`: register the portal's services and give people API tokens (API-1).

The token is printed once, on creation, and never stored in clear: note it then, or revoke it and create
another. A revoked token is refused by every process within ``HABPPS_POLICY_PROBE_SECONDS``.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime, time


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("api", help="API REST : jetons des services et jetons personnels")
    groups = parser.add_subparsers(dest="api_command", metavar="OBJET")
    parser.set_defaults(handler=lambda args: (parser.print_help(), 2)[1])

    token = groups.add_parser("token", help="jetons d'accès à l'API")
    actions = token.add_subparsers(dest="token_command", metavar="ACTION")
    token.set_defaults(handler=lambda args: (token.print_help(), 2)[1])

    create = actions.add_parser("create", help="enregistrer un service ou créer un jeton personnel")
    holder = create.add_mutually_exclusive_group(required=True)
    holder.add_argument("--service", metavar="CODE", help="code du service du portail (ex. portail-cdap)")
    holder.add_argument("--compte", metavar="IDENTIFIANT", help="identifiant du compte d'un jeton personnel")
    create.add_argument("--nom", default="outil", help="libellé d'un jeton personnel (défaut : outil)")
    create.add_argument(
        "--expire-le", type=date.fromisoformat, metavar="AAAA-MM-JJ", help="dernier jour de validité"
    )
    create.set_defaults(handler=create_token)

    revoke = actions.add_parser("revoke", help="révoquer un jeton désigné par son préfixe")
    revoke.add_argument("prefixe", help="préfixe affiché par « habpps api token list »")
    revoke.set_defaults(handler=revoke_token)

    listing = actions.add_parser("list", help="lister les jetons (sans leur secret)")
    listing.add_argument("--tous", action="store_true", help="inclure les jetons révoqués ou expirés")
    listing.set_defaults(handler=list_tokens)


def _end_of_day(day: date | None) -> datetime | None:
    if day is None:
        return None
    from django.utils import timezone

    return timezone.make_aware(datetime.combine(day, time.max))


def create_token(args: argparse.Namespace) -> int:
    from habpps.cli.setup import setup_django

    setup_django()
    from django.core.exceptions import ValidationError

    from habpps.accounts.models import Account
    from habpps.api import tokens

    expires_at = _end_of_day(args.expire_le)
    try:
        if args.service:
            issued = tokens.register_service(args.service, expires_at=expires_at)
        else:
            account = Account.objects.filter(login=args.compte).first()
            if account is None:
                print(f"Aucun compte n'a l'identifiant « {args.compte} ».", file=sys.stderr)
                return 1
            issued = tokens.create_personal_token(account, args.nom, expires_at=expires_at)
    except ValidationError as error:
        for message in error.messages:
            print(f"erreur : {message}", file=sys.stderr)
        return 1
    print(
        f"Jeton {issued.token.prefix} créé pour « {issued.token.name} ». Notez-le, il ne sera plus affiché :"
    )
    print(issued.secret)
    return 0


def revoke_token(args: argparse.Namespace) -> int:
    from habpps.cli.setup import setup_django

    setup_django()
    from django.core.exceptions import ValidationError

    from habpps.api import tokens

    try:
        token = tokens.revoke(args.prefixe)
    except ValidationError as error:
        for message in error.messages:
            print(f"erreur : {message}", file=sys.stderr)
        return 1
    print(f"Jeton {token.prefix} ({token.name}) révoqué le {token.revoked_at:%d/%m/%Y à %H:%M}.")
    return 0


def list_tokens(args: argparse.Namespace) -> int:
    from habpps.cli.setup import setup_django

    setup_django()
    from habpps.api.models import ApiToken

    tokens = ApiToken.objects.select_related("account").order_by("kind", "name", "created_at")
    if not args.tous:
        tokens = tokens.usable()
    rows = list(tokens)
    if not rows:
        print("Aucun jeton.")
        return 0
    print(f"{'préfixe':<14} {'nature':<9} {'nom':<24} {'compte':<24} {'créé le':<11} état")
    for token in rows:
        state = (
            f"révoqué le {token.revoked_at:%d/%m/%Y}"
            if token.revoked_at
            else f"expire le {token.expires_at:%d/%m/%Y}"
            if token.expires_at
            else "actif"
        )
        print(
            f"{token.prefix:<14} {token.kind:<9} {token.name:<24} {token.account.login if token.account else '-':<24} "
            f"{token.created_at:%d/%m/%Y}  {state}"
        )
    return 0
