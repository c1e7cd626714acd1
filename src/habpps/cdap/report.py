"""« Who consulted this file? » — the auditors' report (CDP-7), and the basis of a beneficiary's right to know.

Scoped like the journal: a national auditor sees every consultation, a fund's auditor those made by its own
staff and its partners, a partner's those of its own users. The filter is part of the query.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from habpps.cdap.models import Consultation
from habpps.journal.scoping import NATIONAL_SCOPE


def consultations_of_file(scope: str, fund_id: int, number: str) -> QuerySet[Consultation]:
    """Consultations and attempts on file ``number`` of fund ``fund_id`` visible within ``scope``, newest first."""
    consultations = Consultation.objects.filter(fund_id=fund_id, beneficiary_number=number)
    if scope != NATIONAL_SCOPE:
        consultations = consultations.filter(Q(org_scope=scope) | Q(org_scope__startswith=f"{scope}/"))
    return consultations.select_related("account", "partner").order_by("-occurred_at", "-id")
