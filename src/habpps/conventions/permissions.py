"""The engine permissions the conventions module asks for; the roles holding them are data, never named here."""

from __future__ import annotations

from habpps.authorization.permissions import (
    ENTER_CONVENTIONS,
    MANAGE_GROUPS,
    MANAGE_PARTNER_ACCOUNTS,
    VERIFY_CONVENTIONS,
    Permission,
)

# Held by the partner administrator only: give a delegate a sub-perimeter, act on the whole convention (ADM-4).
DELEGATE_HABILITATIONS = Permission("deleguer", "habilitations")

# Validating or rejecting one version: the decision the four-eyes exclusion (ENG-7, object history) governs.
# Distinct from VERIFY_CONVENTIONS (the verifier's pages and menu), which is decided without any object.
DECIDE_VERSION = Permission("valider", "versions-convention")

# Giving up an amendment or taking a submitted version back from the verifiers: held by the fund administrator,
# and the object-history rule AUTHOR_RULE (ENG-7, ``required``) lets only the version's author do it.
TAKE_BACK_VERSION = Permission("reprendre", "versions-convention")

# Reading every convention of the units below one's own, without entering or verifying any: the national
# administrator's view of the network's conventions (read only — the actions ask for the other permissions).
READ_CONVENTIONS = Permission("consulter", "conventions")

# Seeded by this app's migrations on top of the directory's administrative roles.
SEEDED_ROLE_PERMISSIONS: dict[str, list[Permission]] = {
    "FundAdmin": [TAKE_BACK_VERSION],
    "NationalAdmin": [READ_CONVENTIONS],
    "PartnerAdmin": [DELEGATE_HABILITATIONS],
    "Verifier": [DECIDE_VERSION],
}

__all__ = [
    "DECIDE_VERSION",
    "DELEGATE_HABILITATIONS",
    "ENTER_CONVENTIONS",
    "MANAGE_GROUPS",
    "MANAGE_PARTNER_ACCOUNTS",
    "READ_CONVENTIONS",
    "SEEDED_ROLE_PERMISSIONS",
    "TAKE_BACK_VERSION",
    "VERIFY_CONVENTIONS",
]
