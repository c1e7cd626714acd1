"""The journal event kinds the supervision reads and writes, named in one place.

Read: the kinds emitted by the authentication (``habpps.accounts.authentication`` and ``signals``) and by CDAP
(``habpps.cdap.consultations``) — agreed by reading their code. Each business service lists the kinds that
count as its business actions (SUP-2: « pour un service donné — exemple CDAP : nombre de dossiers consultés »);
a new service adds its line here.
"""

from __future__ import annotations

LOGIN = "auth.login.success"
FREEZE = "auth.account.freeze"
# A file of CDAP shown to its viewer: the summary sheet, a section, a period view, a PDF document.
CDAP_CONSULTATION = "cdap.consultation"

BUSINESS_ACTION_KINDS: dict[str, tuple[str, ...]] = {
    "cdap": (CDAP_CONSULTATION,),
}
"""Service code → the journal kinds that are one business action of that service each."""

SECTION_VIEW_KINDS: tuple[str, ...] = (CDAP_CONSULTATION,)
"""Kinds whose ``data`` lists the ``sections`` shown and the viewer's ``profiles`` (SUP-5)."""

# Written by the supervision itself.
FINDING_ACKNOWLEDGED = "supervision.finding.acknowledge"
ALERTS_SENT = "supervision.alert.sent"
AGGREGATION_RUN = "supervision.aggregate"
CAMPAIGN_OPENED = "supervision.recertification.open"
CAMPAIGN_REMINDER = "supervision.recertification.remind"
ITEM_CONFIRMED = "supervision.recertification.confirm"
ITEM_REVOKED = "supervision.recertification.revoke"
CAMPAIGN_CLOSED = "supervision.recertification.close"
SETTINGS_CHANGED = "supervision.settings.update"
EXPORTED = "supervision.export"
