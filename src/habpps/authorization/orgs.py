"""Names of the network's organisation units in the engine (ENG-3): national → fund → partner.

Units are named from primary keys, not from codes or SIRET numbers, so that correcting an organisation's
identity never renames the unit its habilitations were granted in.
"""

from __future__ import annotations

NATIONAL_UNIT = "national"


def fund_unit(fund_id: int) -> str:
    return f"fund:{fund_id}"


def partner_unit(partner_id: int) -> str:
    return f"partner:{partner_id}"


def group_name(group_id: int) -> str:
    """Name of a partner group in the engine (ENG-4)."""
    return f"group:{group_id}"


def scope_path(fund_id: int | None = None, partner_id: int | None = None) -> str:
    """The journal's org scope (AUD-1, AUD-4): the path of units from the root, matched by prefix.

    ``national``, ``national/fund:7`` or ``national/fund:7/partner:42`` — an auditor of fund 7 sees every entry
    whose scope starts with ``national/fund:7``.
    """
    path = NATIONAL_UNIT
    if fund_id is not None:
        path += "/" + fund_unit(fund_id)
        if partner_id is not None:
            path += "/" + partner_unit(partner_id)
    return path
