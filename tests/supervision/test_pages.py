"""The pages: scoped to the viewer, CSV exports (UTF-8 with BOM, ``;``, formulas neutralised), charts as SVG
with a text alternative and their data table, acknowledgement and recertification buttons (SUP-8, ADM-8)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from habpps.accounts.models import Account
from habpps.journal.models import JournalEntry
from habpps.supervision import recertification
from habpps.supervision.aggregation import aggregate
from habpps.supervision.alerts import run_alerts
from habpps.supervision.models import Finding
from supervision.conftest import consult, today

PAGES = [
    "/supervision/",
    "/supervision/non-connectes/",
    "/supervision/actions-metier/",
    "/supervision/gels/",
    "/supervision/habilitations/",
    "/supervision/rubriques/",
    "/supervision/organismes/",
    "/supervision/moindre-privilege/",
    "/supervision/recertification/",
]


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:]), delimiter=";"))


@pytest.mark.parametrize("url", PAGES)
def test_every_dashboard_answers_each_administrator(net, login, url):
    for admin in (net.national_admin, net.fund_admin_a, net.partner_admin_b):
        response = login(admin).get(url, follow=True)
        assert response.status_code == 200, (admin.login, url)


@pytest.mark.parametrize("url", PAGES)
def test_a_user_without_the_permission_gets_a_404(net, login, url):
    assert login(net.user_a).get(url).status_code == 404


def test_sup1_page_lists_only_the_viewer_s_users_and_exports_them(net, login):
    Account.objects.update(last_login=timezone.now())
    Account.objects.filter(pk__in=[net.user_a.pk, net.user_b.pk]).update(
        last_login=timezone.now() - timedelta(days=300)
    )
    page = login(net.fund_admin_a).get("/supervision/non-connectes/").content.decode()
    assert net.user_a.login in page and net.user_b.login not in page
    rows = read_csv(login(net.fund_admin_a).get("/supervision/non-connectes/?format=csv"))
    assert rows[0][0] == "Identifiant"
    assert [row[0] for row in rows[1:]] == [net.user_a.login]
    assert JournalEntry.objects.filter(
        kind="supervision.export", actor_identifier=net.fund_admin_a.login
    ).exists()


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(net, login):
    Account.objects.filter(pk=net.user_a.pk).update(
        last_name='=HYPERLINK("http://x")', last_login=timezone.now() - timedelta(days=300)
    )
    rows = read_csv(login(net.national_admin).get("/supervision/non-connectes/?format=csv"))
    assert '\'=HYPERLINK("http://x")' in [cell for row in rows for cell in row]


def test_sup4_chart_is_an_svg_image_with_its_text_alternative_and_data_table(net, login):
    aggregate(until=today(), since=today())
    period = f"start={today().isoformat()}&end={today().isoformat()}"
    page = login(net.national_admin).get(f"/supervision/habilitations/?{period}").content.decode()
    # An image, never inline SVG: matplotlib's style attributes would be refused by the page's CSP.
    assert '<img class="fr-responsive-img" src="data:image/svg+xml;base64,' in page and "<svg" not in page
    assert "Évolution par profil" in page  # the text alternative
    assert "<caption>Données du graphique" in page
    rows = read_csv(login(net.national_admin).get(f"/supervision/habilitations/?{period}&format=csv"))
    assert rows[1][1:] == ["cdap-ass-cesf", "Assistant de service social – CESF", "2"]


def test_sup4_filter_by_a_partner_outside_the_scope_is_refused(net, login):
    page = login(net.fund_admin_a).get(f"/supervision/habilitations/?siret={net.partner_b.siret}")
    assert "Aucun organisme de votre périmètre ne porte ce SIRET" in page.content.decode()


def test_sup5_chart_and_csv_of_section_consultations(net, login):
    consult(net.user_a, sections=["dossier", "droits"], times=2)
    aggregate(until=today())
    client = login(net.partner_admin_a)
    period = f"end={today().isoformat()}"
    page = client.get(f"/supervision/rubriques/?{period}").content.decode()
    assert "data:image/svg+xml;base64," in page and "4 affichages de rubriques au total" in page
    rows = {
        row[0]: row[1] for row in read_csv(client.get(f"/supervision/rubriques/?{period}&format=csv"))[1:]
    }
    assert (rows["Dossier"], rows["Droits"], rows["Logement"]) == ("2", "2", "0")


def test_sup6_a_fund_administrator_may_not_open_a_partner_of_another_fund(net, login):
    client = login(net.fund_admin_a)
    assert client.get(f"/supervision/organismes/{net.partner_a.pk}/").status_code == 200
    assert client.get(f"/supervision/organismes/{net.partner_b.pk}/").status_code == 404


def test_acknowledging_from_the_dashboard_row(net, login):
    Account.objects.update(last_login=timezone.now())
    Account.objects.filter(pk=net.user_a.pk).update(last_login=timezone.now() - timedelta(days=300))
    run_alerts()
    finding = Finding.objects.get()
    assert login(net.fund_admin_b).post(f"/supervision/constats/{finding.pk}/acquitter/").status_code == 404
    client = login(net.partner_admin_a)
    response = client.post(f"/supervision/constats/{finding.pk}/acquitter/", {"note": "Congé long"})
    assert response.status_code == 302
    assert Finding.objects.get().acknowledgement_note == "Congé long"
    assert "Acquitté" in client.get("/supervision/non-connectes/").content.decode()


def test_sup7_lists_a_reported_exclusion_and_its_fund_takes_it_into_account(net, login):
    """ENG-7 ``report``: the change a ``report`` rule let through is listed on the least-privilege page of the
    account's fund and taken into account there once (journalled); another fund neither sees nor acknowledges it."""
    from habpps.authorization import model_services
    from habpps.authorization.models import ReportedViolation
    from habpps.directory import services

    model_services.create_exclusion(
        net.national_admin, name="Administration et délégation signalées", risk="report", cardinality=2,
        members=[{"role": net.roles["PartnerAdmin"], "org": ""}, {"role": net.roles["PartnerDelegate"], "org": ""}],
    )
    services.grant_account_role(net.fund_admin_a, net.partner_admin_a, net.roles["PartnerDelegate"])
    violation = ReportedViolation.objects.get()
    url = f"/supervision/infractions/{violation.pk}/prendre-en-compte/"
    assert "Administration et délégation signalées" not in login(net.fund_admin_b).get(
        "/supervision/moindre-privilege/").content.decode()
    assert login(net.fund_admin_b).post(url).status_code == 404
    client = login(net.fund_admin_a)
    page = client.get("/supervision/moindre-privilege/").content.decode()
    assert "Administration et délégation signalées" in page and url in page
    assert client.post(url).status_code == 302
    violation.refresh_from_db()
    assert violation.acknowledged_by == net.fund_admin_a
    assert JournalEntry.objects.filter(kind="admin.exclusion.acknowledge").count() == 1
    assert "Infraction prise en compte." in client.get("/supervision/moindre-privilege/").content.decode()
    client.post(url)  # a second time: refused with a message, nothing changes
    assert JournalEntry.objects.filter(kind="admin.exclusion.acknowledge").count() == 1


def test_the_partner_administrator_confirms_and_revokes_from_the_recertification_page(net, login):
    campaign = recertification.open_campaign(net.national_admin, name="Revue")
    item = campaign.items.get(account=net.user_a)
    client = login(net.partner_admin_a)
    assert net.user_a.login in client.get("/supervision/recertification/a-traiter/").content.decode()
    assert client.post(f"/supervision/recertification/habilitations/{item.pk}/retirer/").status_code == 302
    item.refresh_from_db()
    assert item.decision == "revoked"
    other = campaign.items.get(account=net.user_b)
    assert client.post(f"/supervision/recertification/habilitations/{other.pk}/confirmer/").status_code == 404


def test_a_fund_administrator_opens_a_campaign_from_the_page(net, login):
    response = login(net.fund_admin_a).post("/supervision/recertification/", {"name": "Revue de printemps"})
    assert response.status_code == 302
    detail = login(net.fund_admin_a).get(response.url).content.decode()
    assert "Revue de printemps" in detail and net.user_a.login in detail


def test_todays_activity_is_on_the_dashboards_without_waiting_for_midnight(net, login, monkeypatch):
    """Live figures: a consultation made today is ranked as soon as a dashboard is opened; the job's position
    does not move, so the whole day is folded again after midnight."""
    from habpps.supervision import catch_up
    from habpps.supervision.models import AggregationState, DailyServiceActivity

    monkeypatch.setattr(catch_up, "_live_at", None)
    consult(net.user_a, times=4)
    page = login(net.fund_admin_a).get("/supervision/actions-metier/").content.decode()
    assert net.user_a.last_name in page or net.user_a.login in page
    assert "journée en cours comprise" in page and "après minuit" not in page
    assert DailyServiceActivity.objects.get(account=net.user_a, day=today()).actions == 4
    assert AggregationState.objects.get().last_day != today()
    consult(net.user_a, times=1)
    monkeypatch.setattr(catch_up, "_live_at", None)
    login(net.fund_admin_a).get("/supervision/actions-metier/")
    assert DailyServiceActivity.objects.get(account=net.user_a, day=today()).actions == 5  # rewritten, not added


def test_the_business_actions_filter_names_its_field_once(net, login):
    """One field, one label: no legend « Service » above the label « Service »."""
    page = login(net.fund_admin_a).get("/supervision/actions-metier/").content.decode()
    assert 'data-form="business-actions"' in page
    assert "fr-fieldset__legend" not in page.split('data-form="business-actions"')[1].split("</form>")[0]


def _unused_logins(html: str) -> list[str]:
    import re

    table = html.split("<caption>Habilitations inutilisées</caption>", 1)
    if len(table) == 1:
        return []
    body = table[1].split("</table>", 1)[0]
    return re.findall(r"<code>([^<]+)</code>", body)


def _link(html: str, kind: str) -> str | None:
    import re
    from html import unescape

    found = re.search(rf'fr-pagination__link--{kind}[^"]*" href="([^"]+)"', html)
    return f"/supervision/moindre-privilege/{unescape(found.group(1)).split('#')[0]}" if found else None


def test_sup7_page_follows_page_suivante_and_precedente_without_javascript(net, login, monkeypatch):
    """Issue 19: the unused rights are paged by key (« apres », « avant », « fin ») with plain links, never
    counted; following the links reads the whole list in order, the CSV export has it all, a malformed or
    unknown position shows the first page."""
    from habpps.directory.models import GroupMembership
    from habpps.supervision.dashboards.least_privilege import unused_habilitations
    from habpps.supervision.periods import months_before
    from habpps.supervision.supervised import Supervised
    from habpps.supervision.views import dashboards
    from supervision.test_dashboards import _more_unused_rights

    _more_unused_rights(net)
    monkeypatch.setattr(dashboards, "PAGE_SIZE", 4)
    whole = [row["account__login"] for row in unused_habilitations(
        Supervised.everything(), months_before(today(), 6))]
    assert len(whole) > 12
    client = login(net.national_admin)
    url, seen, pages = "/supervision/moindre-privilege/", [], []
    while url:
        response = client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        pages.append(html)
        seen += _unused_logins(html)
        url = _link(html, "next")
        assert len(pages) < 100
    assert seen == whole
    assert "Plus de 4 habilitations inutilisées : les 4 premières ci-dessous" in pages[0]
    assert "dernière" in pages[-1]
    assert 'aria-disabled="true" role="link">Page suivante' in pages[-1]
    # Back from the end, page by page: the same pages.
    back, html = [], pages[-1]
    while _link(html, "prev"):
        html = client.get(_link(html, "prev")).content.decode()
        back.insert(0, _unused_logins(html))
    assert [name for page in back for name in page] + _unused_logins(pages[-1]) == whole
    assert _unused_logins(client.get("/supervision/moindre-privilege/?fin=1").content.decode()) == whole[-4:]
    for bad in ("apres=abc", "avant=99999999-1", "apres=1-2-3", "avant=" + "9" * 60, "fin=oui"):
        response = client.get(f"/supervision/moindre-privilege/?{bad}")
        assert response.status_code == 200, bad
        assert _unused_logins(response.content.decode()) == whole[:4], bad
    # Every row after a position removed since: an empty page, whose « page précédente » is the last page.
    after_all = _link(pages[-2], "next")
    GroupMembership.objects.filter(account__login__in=whole[-3:]).update(ended_at=timezone.now())
    html = client.get(after_all).content.decode()
    assert _unused_logins(html) == [] and "Plus aucune habilitation inutilisée" in html
    assert _unused_logins(client.get(_link(html, "prev")).content.decode()) == whole[-7:-3]
    GroupMembership.objects.filter(account__login__in=whole[-3:]).update(ended_at=None)
    rows = read_csv(client.get(f"{_link(pages[1], 'next')}&format=csv"))
    assert [row[1] for row in rows[1:]] == whole  # the export is the whole list, whatever the page
