"""« Who consulted this file? » — the auditors' report (CDP-7), and the basis of a beneficiary's right to know.

Scoped like the journal, by the engine's population of « journal » (ENG-8,
`habpps.journal.scoping.journal_population`): by default a national auditor sees every consultation, a fund's
auditor those made by its own staff and its partners, a partner's those of its own users. The filter is part of
the query.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from habpps.cdap.models import Consultation


def consultations_of_file(visible: Q, fund_id: int, number: str) -> QuerySet[Consultation]:
    """Consultations and attempts on file ``number`` of fund ``fund_id`` among the ``visible`` ones (a filter on
    their ``org_scope``; ``Q()`` for all), newest first."""
    consultations = Consultation.objects.filter(visible, fund_id=fund_id, beneficiary_number=number)
    return consultations.select_related("account", "partner").order_by("-occurred_at", "-id")
