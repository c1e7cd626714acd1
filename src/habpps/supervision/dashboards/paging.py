"""A page of a long dashboard table and the number of its rows, read in one query.

Django's ``Paginator`` counts the rows, then reads the page: two runs of the same joins. For SUP-7 at national
level (tens of thousands of unused habilitations found by anti-joins over the whole network) that doubled the
page's time (issue 19); the window function ``COUNT(*) OVER ()`` gives the total with the page's rows.
"""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window

TOTAL = "_rows_in_table"


def counted_page(rows: QuerySet, number: object, per_page: int) -> Page:
    """Page ``number`` of ``rows`` (a ``values()`` query set, ordered), like ``Paginator.get_page`` — the last
    page for a number beyond it, the first for anything that is not a number."""
    try:
        wanted = max(1, int(number))
    except (TypeError, ValueError):
        wanted = 1
    paginator = Paginator(rows, per_page)
    found = list(rows.annotate(**{TOTAL: Window(Count("pk"))})[(wanted - 1) * per_page : wanted * per_page])
    if not found and wanted > 1:  # beyond the last page: counted apart, as Paginator does
        return paginator.get_page(wanted)
    paginator.count = found[0][TOTAL] if found else 0  # the cached property, filled from the rows
    for row in found:
        del row[TOTAL]
    return Page(found, wanted, paginator)
