"""`habpps roles …`: the role-engineering workbench on the command line (RE-3, RE-5).

Each sub-command is registered by the module that implements it, so mining and derivation evolve separately.
"""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("roles", help="ingénierie des rôles : dérivation, fouille de rôles")
    roles_sub = parser.add_subparsers(dest="roles_command", metavar="ACTION")
    parser.set_defaults(handler=lambda args: (parser.print_help(), 2)[1])

    # Imported here so that `habpps --help` does not pay for numpy / OR-Tools.
    from habpps.roleeng import commands

    commands.register(roles_sub)
