"""CDP-7: « who consulted this file », for auditors, within their scope; reading it is itself journalled."""

from __future__ import annotations

import pytest

from cdap.conftest import KNOWN_NUMBER
from habpps.cdap.report import consultations_of_file
from habpps.journal.models import JournalEntry
from habpps.journal.scoping import journal_population


@pytest.fixture
def consulted(cdap_network, login):
    """The same number looked at by a user of fund A (twice) and of fund B (once) — two different files."""
    for user in (
        cdap_network.user_a,
        cdap_network.cdap_users["cdap-instructeur-rsa-cpam"],
        cdap_network.user_b,
    ):
        client = login(user)
        client.post("/cdap/", {"number": KNOWN_NUMBER})
        client.get("/cdap/dossier/")
    return cdap_network


def test_a_fund_auditor_sees_who_consulted_a_file_of_the_fund(consulted, login):
    net = consulted
    page = login(net.fund_admin_a).get(
        "/cdap/consultations/", {"fund": net.fund_a.pk, "number": KNOWN_NUMBER}
    )
    html = page.content.decode()
    assert net.user_a.login in html and net.cdap_users["cdap-instructeur-rsa-cpam"].login in html
    assert net.user_b.login not in html
    assert "dossier, droits, adresse" in html and "rsa, ressources" in html
    entry = JournalEntry.objects.get(kind="cdap.report.view")
    assert (
        entry.actor_identifier == net.fund_admin_a.login and entry.data["beneficiary_number"] == KNOWN_NUMBER
    )


def test_a_fund_auditor_cannot_ask_about_another_fund(consulted, login):
    net = consulted
    page = login(net.fund_admin_a).get(
        "/cdap/consultations/", {"fund": net.fund_b.pk, "number": KNOWN_NUMBER}
    )
    html = page.content.decode()
    assert net.user_b.login not in html
    assert f"{KNOWN_NUMBER} — {net.fund_a.name}" in html  # the choice of fund is not theirs to make
    assert JournalEntry.objects.get(kind="cdap.report.view").data["fund"] == net.fund_a.code


def test_a_partner_auditor_sees_only_its_own_users(consulted, login):
    net = consulted
    html = login(net.partner_admin_a).get("/cdap/consultations/", {"number": KNOWN_NUMBER}).content.decode()
    assert net.user_a.login in html
    assert net.cdap_users["cdap-instructeur-rsa-cpam"].login not in html


def test_the_national_auditor_sees_every_consultation_of_the_file(consulted):
    net = consulted
    rows = consultations_of_file(journal_population(net.national_admin), net.fund_a.pk, KNOWN_NUMBER)
    assert {row.account_id for row in rows} == {net.user_a.pk, net.cdap_users["cdap-instructeur-rsa-cpam"].pk}
    assert [row.kind for row in rows if row.account_id == net.user_a.pk] == ["summary"]


def test_users_who_may_not_audit_do_not_reach_the_report(consulted, login):
    assert login(consulted.user_a).get("/cdap/consultations/").status_code == 404
