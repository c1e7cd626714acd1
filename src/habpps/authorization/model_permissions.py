"""The permissions that administer the extended model and decide held changes (engine (operation, object) pairs).

Seeded by migration 0005 of this app on the administrative roles — the national administrator holds both, a
fund administrator approves held changes in its fund — and editable like any other permission: pages and the
API ask the engine for the permission, never for a role.
"""

from __future__ import annotations

from habpps.authorization.permissions import Permission

MANAGE_MODEL = Permission("gerer", "modele-habilitations")
"""Edit the role hierarchy, separation-of-duty sets, exclusions, role properties and cardinalities."""
APPROVE_CHANGES = Permission("approuver", "changements")
"""Decide a change a ``require_approval`` exclusion holds, in the unit of the change."""

SEEDED = {
    "NationalAdmin": [MANAGE_MODEL, APPROVE_CHANGES],
    "FundAdmin": [APPROVE_CHANGES],
}
