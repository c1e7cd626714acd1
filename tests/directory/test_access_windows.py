"""Time-bound access (ENG-5): a grant bounded in time is stored, journalled, replayed into the engine, and stops
by itself — the engine refuses at decision time once the end date has passed, with its explanation."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from habpps.authorization import clock
from habpps.authorization.access_windows import Window
from habpps.authorization.decisions import explain, is_allowed
from habpps.authorization.policy_build import build_rbac
from habpps.cdap.permissions import USE_CDAP
from habpps.directory import services
from habpps.directory.models import GroupRoleAssignment
from habpps.journal.models import JournalEntry


def at(monkeypatch, day: date, hour: int = 10) -> None:
    """Move the platform clock to ``day`` at ``hour`` (local time)."""
    moment = timezone.make_aware(datetime.combine(day, time(hour)))
    monkeypatch.setattr(clock, "now", lambda: moment)


def group_assignment(network) -> GroupRoleAssignment:
    return GroupRoleAssignment.objects.current().get(group=network.group_a)


def test_an_access_stops_by_itself_after_its_end_date(network, monkeypatch):
    end = date.today() + timedelta(days=30)
    services.set_group_role_window(network.fund_admin_a, group_assignment(network), Window(valid_until=end))
    at(monkeypatch, end)
    assert is_allowed(network.user_a, *USE_CDAP)
    at(monkeypatch, end + timedelta(days=1))
    assert not is_allowed(network.user_a, *USE_CDAP)
    message = explain(network.user_a, *USE_CDAP).message
    assert f"jusqu'au {end:%d/%m/%Y}" in message


def test_a_daily_window_and_weekdays_are_decided_with_the_request_time(network, monkeypatch):
    window = Window(daily_from=time(7), daily_until=time(20), weekdays=(1, 2, 3, 4, 5))
    services.set_group_role_window(None, group_assignment(network), window)
    monday = date(2030, 1, 7)
    at(monkeypatch, monday, 10)
    assert is_allowed(network.user_a, *USE_CDAP)
    at(monkeypatch, monday, 21)
    assert not is_allowed(network.user_a, *USE_CDAP)
    assert "de 07:00 à 20:00" in explain(network.user_a, *USE_CDAP).message
    at(monkeypatch, monday + timedelta(days=5), 10)  # Saturday
    assert not is_allowed(network.user_a, *USE_CDAP)


def test_the_window_is_stored_journalled_and_in_the_policy(network):
    start, end = date(2030, 1, 1), date(2030, 1, 31)
    services.set_group_role_window(network.fund_admin_a, group_assignment(network), Window(start, end))
    entry = JournalEntry.objects.filter(kind="admin.group.role.window").latest("sequence")
    assert entry.before == {"role": "cdap-ass-cesf", "window": None}
    assert entry.after == {"role": "cdap-ass-cesf", "window": {"begin_date": "2030-01-01", "end_date": "2030-01-31"}}
    temporal = build_rbac().export()["temporal_constraints"]
    assert {
        "on": "group_assignment",
        "group": f"group:{network.group_a.pk}",
        "role": "cdap-ass-cesf",
        "org": f"partner:{network.partner_a.pk}",
        "constraint": {"begin_date": "2030-01-01", "end_date": "2030-01-31"},
    } in temporal


def test_a_grant_with_a_window_and_a_lifted_window(network):
    role = network.roles["cdap-ass-cesf"]
    services.unassign_group_role(None, network.group_a, role)
    services.assign_group_role(None, network.group_a, role, Window(valid_until=date(2030, 1, 31)))
    assert group_assignment(network).access_window == Window(valid_until=date(2030, 1, 31))
    services.set_group_role_window(None, group_assignment(network), Window())
    assert not group_assignment(network).access_window
    assert "temporal_constraints" not in build_rbac().export()


def test_a_window_the_engine_refuses_is_refused_in_french(network):
    with pytest.raises(ValidationError) as refused:
        services.set_group_role_window(
            None, group_assignment(network), Window(valid_from=date(2030, 2, 1), valid_until=date(2030, 1, 1))
        )
    assert "postérieure à la date de fin" in refused.value.messages[0]
    with pytest.raises(ValidationError):
        services.set_group_role_window(None, group_assignment(network), Window(daily_from=time(8)))
    assert not group_assignment(network).access_window


def test_the_fund_administrator_sets_a_window_on_the_page(client, network):
    client.force_login(network.fund_admin_a)
    url = reverse("directory:group-profile-window", args=[network.group_a.pk, network.roles["cdap-ass-cesf"].pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {"periode-valid_until": "2030-01-31", "periode-daily_from": "08:00", "periode-daily_until": "18:00",
         "periode-weekdays": ["1", "2", "3", "4", "5"]},
    )
    assert response.status_code == 302
    window = group_assignment(network).access_window
    assert window.describe() == "jusqu'au 31/01/2030 inclus, de 08:00 à 18:00, du lundi au vendredi"
    page = client.get(reverse("directory:group-detail", args=[network.group_a.pk])).content.decode()
    assert "jusqu&#x27;au 31/01/2030 inclus" in page or "jusqu'au 31/01/2030 inclus" in page
    bad = client.post(url, {"periode-valid_from": "2030-02-01", "periode-valid_until": "2030-01-01"})
    assert bad.status_code == 200
    assert "postérieure à la date de fin" in bad.content.decode()


def test_another_fund_administrator_cannot_reach_the_window_page(client, network):
    client.force_login(network.fund_admin_b)
    url = reverse("directory:group-profile-window", args=[network.group_a.pk, network.roles["cdap-ass-cesf"].pk])
    assert client.get(url).status_code == 404


def test_cdap_says_why_an_ended_access_is_refused(client, network, monkeypatch):
    end = date.today() + timedelta(days=3)
    services.set_group_role_window(None, group_assignment(network), Window(valid_until=end))
    at(monkeypatch, end + timedelta(days=1))
    client.force_login(network.user_a)
    response = client.get(reverse("cdap:lookup"))
    assert response.status_code == 403
    text = response.content.decode()
    assert f"jusqu&#x27;au {end:%d/%m/%Y}" in text or f"jusqu'au {end:%d/%m/%Y}" in text
    client.force_login(network.fund_admin_a)  # no CDAP profile at all: still a plain 404
    assert client.get(reverse("cdap:lookup")).status_code == 404


def test_a_page_refusal_is_in_the_journal_of_refusals_like_the_apis(client, network, monkeypatch):
    """The 403 a page answers because the engine refused is one ``access.decision.denied`` entry with the
    engine's explanation, in the user's org scope, beside the decision API's refusals (service « pages »)."""
    from habpps.authorization.refusal_journal import DENIAL_KIND

    end = date.today() + timedelta(days=3)
    services.set_group_role_window(None, group_assignment(network), Window(valid_until=end))
    at(monkeypatch, end + timedelta(days=1))
    client.force_login(network.user_a)
    assert client.get(reverse("cdap:lookup")).status_code == 403
    entry = JournalEntry.objects.filter(kind=DENIAL_KIND).get()
    assert entry.target == f"account:{network.user_a.login}"
    assert entry.data["service"] == "pages" and entry.data["page"] == reverse("cdap:lookup")
    assert (entry.data["operation"], entry.data["object"]) == (USE_CDAP.operation, USE_CDAP.obj)
    assert f"jusqu'au {end:%d/%m/%Y}" in entry.data["message"]
    assert entry.org_scope.startswith("national/fund:")
