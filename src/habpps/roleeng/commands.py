"""Registers the `habpps roles` actions, each implemented next to the logic it drives."""

from __future__ import annotations

import argparse


def register(roles_sub: argparse._SubParsersAction) -> None:
    from habpps.roleeng.derivation_cli import register_derive
    from habpps.roleeng.mining.cli import register_mine
    from habpps.roleeng.model_diff_cli import register_diff

    register_derive(roles_sub)
    register_mine(roles_sub)
    register_diff(roles_sub)
