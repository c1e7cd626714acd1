"""The national administrator's pages of contextual constraints (ENG-5) and of a profile's data scoping and
action limits (ENG-8): stored, enforced by the engine with the request's time, refused to anyone else."""

from __future__ import annotations

from datetime import datetime

from django.urls import reverse
from django.utils import timezone

from habpps.authorization import clock
from habpps.authorization.decisions import explain, is_allowed
from habpps.authorization.models import ActionLimit, ContextConstraint, PermissionConstraint, PopulationRule
from habpps.authorization.policy_cache import current_policy
from habpps.cdap.permissions import USE_CDAP


def at(monkeypatch, hour: int) -> None:
    moment = timezone.make_aware(datetime(2030, 1, 7, hour, 30))  # a Monday
    monkeypatch.setattr(clock, "now", lambda: moment)


def test_cdap_hours_are_defined_on_the_page_and_enforced(client, network, monkeypatch):
    client.force_login(network.national_admin)
    url = reverse("directory:context-constraints")
    assert client.get(url).status_code == 200
    assert client.post(url, {"action": "attribut", "attribut-name": "heure",
                             "attribut-function": "current_time"}).status_code == 302
    assert client.post(url, {"action": "attribut", "attribut-name": "jour", "attribut-function": "weekday"}).status_code == 302
    response = client.post(url, {
        "action": "contrainte", "contrainte-name": "heures ouvrées", "contrainte-attribute": "heure",
        "contrainte-operator": "between", "contrainte-first": "07:00", "contrainte-second": "20:00",
        "contrainte-attribute2": "jour", "contrainte-operator2": "in", "contrainte-first2": "1,2,3,4,5",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    constraint = ContextConstraint.objects.get()
    assert client.post(url, {"action": "lien", "lien-permission": "acceder cdap",
                             "lien-constraint": constraint.pk}).status_code == 302
    page = client.get(url).content.decode()
    assert "« heure » entre 07:00 et 20:00" in page
    at(monkeypatch, 10)
    assert is_allowed(network.user_a, *USE_CDAP)
    at(monkeypatch, 21)
    assert not is_allowed(network.user_a, *USE_CDAP)
    assert "heures ouvrées" in explain(network.user_a, *USE_CDAP).message
    link = PermissionConstraint.objects.get()
    assert client.post(url, {"action": f"retirer-lien-{link.pk}"}).status_code == 302
    assert is_allowed(network.user_a, *USE_CDAP)


def test_a_bad_condition_is_refused_next_to_the_form(client, network):
    client.force_login(network.national_admin)
    url = reverse("directory:context-constraints")
    client.post(url, {"action": "attribut", "attribut-name": "heure", "attribut-function": "current_time"})
    response = client.post(url, {
        "action": "contrainte", "contrainte-name": "x", "contrainte-attribute": "heure",
        "contrainte-operator": "between", "contrainte-first": "sept heures", "contrainte-second": "20:00",
    })
    assert response.status_code == 200
    assert "Condition invalide" in response.content.decode()
    assert not ContextConstraint.objects.exists()


def test_populations_and_daily_ceilings_of_a_profile(client, network):
    client.force_login(network.national_admin)
    role = network.roles["cdap-ass-cesf"]
    url = reverse("directory:role-scope", args=[role.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"action": "population", "population-resource": "comptes", "population-name": "périmètre",
                             "population-kind": "org_subtree", "population-is_default": "on"}).status_code == 302
    assert client.post(url, {"action": "limites", "limites-action": "cdap.consulter-dossier",
                             "limites-max_per_day": "30", "limites-max_records": "100"}).status_code == 302
    assert PopulationRule.objects.get(role=role).kind == "org_subtree"
    assert ActionLimit.objects.get().max_per_day == 30
    snapshot = current_policy().snapshot
    assert snapshot.action_limits(network.user_a.login, "cdap.consulter-dossier").max_per_day == 30
    assert snapshot.population_filter(network.user_a.login, "comptes").values == {network.user_a.org_unit}


def test_only_who_the_engine_allows_reaches_the_pages(client, network):
    client.force_login(network.fund_admin_a)
    assert client.get(reverse("directory:context-constraints")).status_code == 404
    role = network.roles["cdap-ass-cesf"]
    assert client.get(reverse("directory:role-scope", args=[role.pk])).status_code == 404
