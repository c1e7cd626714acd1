"""The partner administrator is told when a version of his convention is validated (issue 17 §9): for an
amendment, which profiles his organisation lost, which groups lost them and who — so that he is not the last to
learn that his staff lost an access — and what was added or re-limited; for a first version, that he may now
give profiles and create accounts. In French, with the portal's address.

The mails go through the durable outbox (`habpps.accounts.outbox.queue_notice`), written in the validation's
transaction: they leave only if the validation commits, and wait while the mail server is down. Who receives
them is the engine's decision (the permission to delegate habilitations in the partner's unit: the partner
administrator, not his delegates); what they say is the amendment's impact as the engine computed it before
validation (`habpps.conventions.impact`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.template.loader import render_to_string

from habpps.accounts.models import Account, AccountStatus
from habpps.accounts.outbox import queue_notice
from habpps.authorization.decisions import is_allowed
from habpps.authorization.orgs import partner_unit
from habpps.conventions.comparison import ADDED, CHANGED, compare
from habpps.conventions.models import ConventionVersion
from habpps.conventions.permissions import DELEGATE_HABILITATIONS

if TYPE_CHECKING:
    from habpps.conventions.impact import Impact


def partner_administrators(partner_id: int) -> list[Account]:
    """The partner's active accounts the engine lets delegate habilitations there (its administrators)."""
    unit = partner_unit(partner_id)
    candidates = Account.objects.filter(partner_id=partner_id, status=AccountStatus.ACTIVE).order_by("login")
    return [account for account in candidates if is_allowed(account, *DELEGATE_HABILITATIONS, unit)]


def queue_validation_notices(
    version: ConventionVersion,
    previous: ConventionVersion | None,
    impact: Impact | None,
    recipients: list[Account],
) -> list[str]:
    """Queue the notice of ``version``'s validation to each recipient; returns their logins (for the journal)."""
    convention = version.convention
    rows = compare(previous, version) if previous is not None else []
    context = {
        "amendment": previous is not None,
        "fund": convention.fund.name,
        "partner": convention.partner.name,
        "reference": convention.reference,
        "number": version.number,
        "previous": previous.number if previous is not None else None,
        "decided_at": version.decided_at,
        "losses": impact.losses if impact is not None else [],
        "excesses": impact.excesses if impact is not None else [],
        "added": [row for row in rows if row.change == ADDED],
        "changed": [row for row in rows if row.change == CHANGED],
        "portal_url": settings.HABPPS_PORTAL_URL,
    }
    if previous is not None:
        subject = f"avenant à la convention {convention.reference} validé"
    else:
        subject = f"convention {convention.reference} validée"
    for recipient in recipients:
        body = render_to_string("conventions/mail/version_validated.txt", {**context, "recipient": recipient})
        queue_notice(recipient, subject, body)
    return [recipient.login for recipient in recipients]
