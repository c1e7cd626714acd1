"""The permissions of the administration itself, as (operation, object) pairs of the engine.

Administrative roles (NationalAdmin, FundAdmin, Verifier, PartnerAdmin, PartnerDelegate) are ordinary engine
roles holding these permissions — seeded by a migration, editable like any profile — and the pages ask for a
permission, never for a role.
"""

from __future__ import annotations

from typing import NamedTuple


class Permission(NamedTuple):
    operation: str
    obj: str


MANAGE_FUNDS = Permission("gerer", "caisses")
MANAGE_FUND_ACCOUNTS = Permission("gerer", "comptes-caisse")
MANAGE_CATALOGUE = Permission("gerer", "catalogue")
MANAGE_DOCTRINE = Permission("gerer", "doctrine")
VIEW_PARTNERS = Permission("consulter", "partenaires")
MANAGE_PARTNERS = Permission("gerer", "partenaires")
MANAGE_GROUPS = Permission("gerer", "groupes")
MANAGE_PARTNER_ACCOUNTS = Permission("gerer", "comptes-partenaires")
VIEW_HABILITATIONS = Permission("consulter", "habilitations")
MANAGE_AUTHENTICATION_POLICY = Permission("gerer", "politique-authentification")
# ENG-5, ENG-8: contextual constraints on permissions, and each profile's populations, field rules, action limits.
MANAGE_CONTEXT = Permission("gerer", "contraintes-contextuelles")
MANAGE_SCOPING = Permission("gerer", "portee-des-profils")
# Held by the seeded roles for the apps built on the directory (journal, conventions).
VIEW_JOURNAL = Permission("consulter", "journal")
ENTER_CONVENTIONS = Permission("saisir", "conventions")
VERIFY_CONVENTIONS = Permission("verifier", "conventions")

ADMINISTRATIVE_ROLES: dict[str, dict] = {
    "NationalAdmin": {
        "name": "Administrateur national",
        "account_level": "national",
        "description": "Gère les caisses, leurs agents, le catalogue des services et la doctrine nationale.",
        "permissions": [
            MANAGE_FUNDS,
            MANAGE_FUND_ACCOUNTS,
            MANAGE_CATALOGUE,
            MANAGE_DOCTRINE,
            VIEW_PARTNERS,
            VIEW_HABILITATIONS,
            VIEW_JOURNAL,
            MANAGE_AUTHENTICATION_POLICY,
            MANAGE_CONTEXT,
            MANAGE_SCOPING,
        ],
    },
    "FundAdmin": {
        "name": "Administrateur Caf",
        "account_level": "fund",
        "description": "Gère les organismes partenaires de sa caisse, leurs groupes et utilisateurs ; saisit les "
        "conventions.",
        "permissions": [
            VIEW_PARTNERS,
            MANAGE_PARTNERS,
            MANAGE_GROUPS,
            MANAGE_PARTNER_ACCOUNTS,
            VIEW_HABILITATIONS,
            VIEW_JOURNAL,
            ENTER_CONVENTIONS,
        ],
    },
    "Verifier": {
        "name": "Vérificateur",
        "account_level": "fund",
        "description": "Valide ou rejette les conventions saisies par sa caisse.",
        "permissions": [VIEW_PARTNERS, VERIFY_CONVENTIONS],
    },
    "PartnerAdmin": {
        "name": "Administrateur partenaire",
        "account_level": "partner",
        "description": "Représente l'organisme dans la convention et administre ses utilisateurs.",
        "permissions": [MANAGE_GROUPS, MANAGE_PARTNER_ACCOUNTS, VIEW_HABILITATIONS, VIEW_JOURNAL],
    },
    "PartnerDelegate": {
        "name": "Responsable habilitations partenaire",
        "account_level": "partner",
        "description": "Gère les habilitations par délégation, sur un périmètre donné.",
        "permissions": [MANAGE_GROUPS, MANAGE_PARTNER_ACCOUNTS, VIEW_HABILITATIONS],
    },
}
