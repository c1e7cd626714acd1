"""The engine permission the workbench asks about; which roles hold it is data, seeded by this app's migration.

Every page of the workbench is decided in the national unit: role engineering works on the whole network's
policy and journal. Applying a gap-analysis proposal also needs the permission of the directory service that
makes the change (``gerer catalogue``, ``gerer comptes-caisse``…), checked by that service.
"""

from __future__ import annotations

from habpps.authorization.orgs import NATIONAL_UNIT
from habpps.authorization.permissions import Permission

USE_WORKBENCH = Permission("utiliser", "atelier-roles")
WORKBENCH_UNIT = NATIONAL_UNIT

SEEDED_ROLE_PERMISSIONS: dict[str, list[Permission]] = {"NationalAdmin": [USE_WORKBENCH]}
