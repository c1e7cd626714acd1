"""Auditor pages (AUD-4): search, entry and export, each limited to the viewer's scope (national, fund, partner)."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from habpps.authorization.menus import menu_for
from habpps.authorization.orgs import scope_path
from habpps.directory.services import set_account_status
from habpps.journal.models import JournalEntry
from habpps.journal.scoping import NATIONAL_SCOPE, journal_scope_for
from habpps.journal.services import record_event

SEARCH = reverse("journal:search")
EXPORT = reverse("journal:export")


@pytest.fixture
def scoped_events(network):
    """One consultation in each partner, one change in each fund, one login failure without a scope."""
    net = network
    for key in ("a", "b"):
        partner, fund = getattr(net, f"partner_{key}"), getattr(net, f"fund_{key}")
        record_event(
            "cdap.consultation",
            actor=getattr(net, f"user_{key}"),
            org_scope=scope_path(fund.pk, partner.pk),
            target=f"beneficiary:100{key}",
        )
        record_event("admin.fund.update", org_scope=scope_path(fund.pk), target=f"fund:{fund.pk}")
    record_event("auth.login.failure", target="inconnu")
    return net


def visible_targets(client, account, **filters) -> set[str]:
    client.force_login(account)
    response = client.get(SEARCH, filters)
    assert response.status_code == 200
    return {entry.target for entry in response.context["paginator"].object_list}


def test_scope_follows_the_account_attachment_and_the_engine_decision(network):
    assert journal_scope_for(network.national_admin) == NATIONAL_SCOPE
    assert journal_scope_for(network.fund_admin_a) == scope_path(network.fund_a.pk)
    assert journal_scope_for(network.partner_admin_a) == scope_path(network.fund_a.pk, network.partner_a.pk)
    assert journal_scope_for(network.verifier_a) is None  # no « consulter journal » permission
    assert journal_scope_for(network.user_a) is None


def test_national_auditor_sees_every_entry_including_unscoped_ones(client, scoped_events):
    targets = visible_targets(client, scoped_events.national_admin)
    assert {"beneficiary:100a", "beneficiary:100b", "inconnu"} <= targets


def test_fund_auditor_sees_its_fund_and_its_partners_only(client, scoped_events):
    net = scoped_events
    targets = visible_targets(client, net.fund_admin_a)
    assert {"beneficiary:100a", f"fund:{net.fund_a.pk}"} <= targets
    assert "beneficiary:100b" not in targets and f"fund:{net.fund_b.pk}" not in targets
    assert "inconnu" not in targets


def test_partner_auditor_sees_its_partner_only(client, scoped_events):
    net = scoped_events
    targets = visible_targets(client, net.partner_admin_a)
    assert "beneficiary:100a" in targets
    assert f"fund:{net.fund_a.pk}" not in targets and "beneficiary:100b" not in targets


def test_asking_for_a_scope_outside_ones_own_finds_nothing(client, scoped_events):
    net = scoped_events
    assert visible_targets(client, net.fund_admin_a, scope=scope_path(net.fund_b.pk)) == set()


def test_accounts_without_the_right_are_refused(client, network):
    for account in (network.verifier_a, network.user_a):
        client.force_login(account)
        assert client.get(SEARCH).status_code == 403
        assert client.get(EXPORT).status_code == 403


def test_anonymous_visitor_is_sent_to_the_login_page(client, db):
    response = client.get(SEARCH)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_suspended_auditor_loses_access_on_the_next_request(client, network):
    client.force_login(network.fund_admin_a)
    assert client.get(SEARCH).status_code == 200
    set_account_status(network.national_admin, network.fund_admin_a, "suspended")
    assert client.get(SEARCH).status_code in (302, 403)


def test_filters_by_kind_actor_target_and_request_id(client, scoped_events):
    net = scoped_events
    record_event("cdap.consultation", actor=net.user_a, target="beneficiary:777", request_id="req-777")
    assert visible_targets(client, net.national_admin, kind="auth.login.failure") == {"inconnu"}
    by_actor = visible_targets(client, net.national_admin, actor=net.user_a.login)
    assert by_actor == {"beneficiary:100a", "beneficiary:777"}
    assert visible_targets(client, net.national_admin, target="beneficiary:7") == {"beneficiary:777"}
    assert visible_targets(client, net.national_admin, request_id="req-777") == {"beneficiary:777"}


def test_period_filter_uses_whole_local_days(client, scoped_events):
    from django.utils import timezone

    today = timezone.localdate()
    assert visible_targets(client, scoped_events.national_admin, since=today, until=today)
    assert (
        visible_targets(client, scoped_events.national_admin, until=today.replace(year=today.year - 1))
        == set()
    )


def test_invalid_filters_are_explained_next_to_the_field(client, network):
    client.force_login(network.national_admin)
    response = client.get(SEARCH, {"kind": "Pas un type", "since": "2026-03-02", "until": "2026-03-01"})
    assert response.status_code == 400  # a clear 4xx, the reasons next to each field (issue 18)
    form = response.context["form"]
    assert "kind" in form.errors and "until" in form.errors
    assert "La date de fin doit suivre la date de début." in response.content.decode()
    assert list(response.context["entries"]) == []


def test_results_are_paginated_and_pages_keep_the_filters(client, network, settings):
    settings.HABPPS_PAGE_SIZE = 5
    for index in range(12):
        record_event("cdap.consultation", target=f"beneficiary:{index}")
    client.force_login(network.national_admin)
    response = client.get(SEARCH, {"kind": "cdap"})
    assert response.context["page_obj"].paginator.num_pages == 3
    assert "?kind=cdap&amp;page=2" in response.content.decode()
    page3 = client.get(SEARCH, {"kind": "cdap", "page": 3})
    assert len(page3.context["entries"]) == 2


def test_entry_page_shows_before_and_after_within_scope_only(client, network):
    net = network
    entry = record_event(
        "admin.partner.update",
        org_scope=scope_path(net.fund_a.pk, net.partner_a.pk),
        target=f"partner:{net.partner_a.pk}",
        before={"name": "CCAS A", "city": "Ville"},
        after={"name": "CCAS de la Ville A", "city": "Ville"},
    )
    client.force_login(net.fund_admin_a)
    page = client.get(reverse("journal:entry", args=[entry.sequence]))
    assert page.status_code == 200
    changes = {row["field"]: row["changed"] for row in page.context["changes"]}
    assert changes == {"city": False, "name": True}
    client.force_login(net.fund_admin_b)
    assert client.get(reverse("journal:entry", args=[entry.sequence])).status_code == 404


def test_export_is_scoped_csv_and_is_itself_journaled(client, scoped_events):
    net = scoped_events
    client.force_login(net.fund_admin_a)
    response = client.get(EXPORT, {"kind": "cdap"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="journal-')
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert [row[5] for row in rows[1:]] == ["beneficiary:100a"]
    export = JournalEntry.objects.filter(kind="journal.export").get()
    assert export.actor_identifier == net.fund_admin_a.login
    assert export.org_scope == scope_path(net.fund_a.pk)
    assert export.data["filters"] == {"kind": "cdap"}


def test_journal_menu_entry_is_shown_to_auditors_only(network):
    def has_journal(account) -> bool:
        return any(entry["key"] == "journal" for entry in menu_for(account))

    assert has_journal(network.national_admin) and has_journal(network.fund_admin_a)
    assert has_journal(network.partner_admin_a)
    assert not has_journal(network.verifier_a) and not has_journal(network.user_a)
