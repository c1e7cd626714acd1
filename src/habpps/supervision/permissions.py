"""The engine permissions the supervision asks about; which roles hold them is data, seeded by this app's
migration on top of the directory's administrative roles and editable like any profile."""

from __future__ import annotations

from habpps.authorization.permissions import MANAGE_GROUPS, Permission

# Reading the dashboards of one's own organisation (SUP-1..8): national, fund or partner level.
VIEW_SUPERVISION = Permission("consulter", "supervision")
# Acknowledging a finding of a dashboard, which silences its alert until it changes.
ACKNOWLEDGE_FINDINGS = Permission("acquitter", "alertes-supervision")
# Being e-mailed the new findings about one's organisation by ``habpps alerts run``.
RECEIVE_ALERTS = Permission("recevoir", "alertes-supervision")
# Editing the supervision settings (periods, thresholds) of the whole network.
MANAGE_SUPERVISION = Permission("parametrer", "supervision")
# Opening and closing recertification campaigns over the partners of one's scope (ADM-8).
RUN_RECERTIFICATION = Permission("lancer", "recertification")
# Confirming or revoking the habilitations of one's partner's users in a campaign (ADM-8).
CERTIFY_HABILITATIONS = Permission("certifier", "habilitations")
# Acting on a least-privilege candidate: removing a member from a group is the directory's own permission.
REMOVE_GROUP_MEMBER = MANAGE_GROUPS

SEEDED_ROLE_PERMISSIONS: dict[str, list[Permission]] = {
    "NationalAdmin": [VIEW_SUPERVISION, ACKNOWLEDGE_FINDINGS, MANAGE_SUPERVISION, RUN_RECERTIFICATION],
    "FundAdmin": [VIEW_SUPERVISION, ACKNOWLEDGE_FINDINGS, RECEIVE_ALERTS, RUN_RECERTIFICATION],
    "PartnerAdmin": [VIEW_SUPERVISION, ACKNOWLEDGE_FINDINGS, RECEIVE_ALERTS, CERTIFY_HABILITATIONS],
}
