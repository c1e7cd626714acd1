"""The engine permissions the conventions module asks for; the roles holding them are data, never named here."""

from __future__ import annotations

from habpps.directory.permissions import (
    ENTER_CONVENTIONS,
    MANAGE_GROUPS,
    MANAGE_PARTNER_ACCOUNTS,
    VERIFY_CONVENTIONS,
    Permission,
)

# Held by the partner administrator only: give a delegate a sub-perimeter, act on the whole convention (ADM-4).
DELEGATE_HABILITATIONS = Permission("deleguer", "habilitations")

# Seeded by this app's migration on top of the directory's administrative roles.
SEEDED_ROLE_PERMISSIONS: dict[str, list[Permission]] = {"PartnerAdmin": [DELEGATE_HABILITATIONS]}

__all__ = [
    "DELEGATE_HABILITATIONS",
    "ENTER_CONVENTIONS",
    "MANAGE_GROUPS",
    "MANAGE_PARTNER_ACCOUNTS",
    "SEEDED_ROLE_PERMISSIONS",
    "VERIFY_CONVENTIONS",
]
