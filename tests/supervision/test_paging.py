"""The one-query page of the long dashboard tables (issue 19) is Django's page: same rows, count and bounds."""

from __future__ import annotations

import pytest
from django.core.paginator import Paginator

from habpps.accounts.models import Account
from habpps.supervision.dashboards.paging import counted_page


@pytest.mark.parametrize("number", [None, "x", "0", "1", "2", "3", "99"])
def test_counted_page_is_the_paginators_page(net, number):
    rows = Account.objects.order_by("login").values("id", "login")
    expected = Paginator(rows, 3).get_page(number)
    page = counted_page(rows, number, 3)
    assert list(page) == list(expected)
    assert (page.number, page.paginator.count, page.paginator.num_pages) == (
        expected.number, expected.paginator.count, expected.paginator.num_pages
    )
    assert page.has_next() == expected.has_next() and page.has_previous() == expected.has_previous()


def test_counted_page_of_nothing(net):
    page = counted_page(Account.objects.none().values("id"), "1", 3)
    assert list(page) == [] and page.paginator.count == 0
