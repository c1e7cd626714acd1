"""The one `habpps` command: every command-line action of the platform is a sub-command.

Sub-commands live in the modules of this package; each module that defines ``register(subparsers)`` is picked
up automatically, so adding a command never means editing a central list. A sub-command's handler returns the
process exit code.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence


def build_parser() -> argparse.ArgumentParser:
    """Build the parser with every sub-command found in ``habpps.cli.*`` modules."""
    parser = argparse.ArgumentParser(
        prog="habpps",
        description="Habpps — plate-forme d'habilitation « Mon Compte Partenaire ».",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMANDE")
    package = sys.modules[__name__]
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if callable(register):
            register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``habpps`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    return int(handler(args) or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
