"""Engine sessions of the web and of the decision API (ENG-1, ENG-2 DSD, issue 16 §2 « Sessions »).

A person authorised for Administrateur Caf and Vérificateur, which a DSD set forbids together in one session,
logs in with the first active only; pages and menus decide on the active roles; the header's form switches;
the decision API takes ``active_roles`` and refuses, with the engine's French explanation, what breaks the set.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from api.conftest import ApiClient
from conventions.conftest import make_convention_world
from habpps.api import tokens
from habpps.authorization.decisions import is_allowed
from habpps.authorization.orgs import fund_unit
from habpps.authorization.permissions import ENTER_CONVENTIONS, VERIFY_CONVENTIONS
from habpps.authorization.policy_cache import current_policy
from habpps.authorization.sessions import ACTIVE_ROLES_KEY

DSD = "caf-administration-verification"


@pytest.fixture
def world(db):
    world = make_convention_world()
    # The DSD set as the separation-of-duty pages store it: not both roles in one session.
    current_policy().rbac.create_dsd_set(DSD, ["FundAdmin", "Verifier"], 2)
    return world


def menu_keys(response) -> list[str]:
    return [entry["key"] for entry in response.context["main_menu"]]


def test_a_login_opens_a_session_with_one_role_of_the_dsd_set(world, client):
    client.force_login(world.admin_verifier)
    assert client.session[ACTIVE_ROLES_KEY] == ["FundAdmin"]
    response = client.get(reverse("home"))
    assert "conventions" in menu_keys(response) and "verifications" not in menu_keys(response)
    switcher = response.context["role_switcher"]["sets"][0]
    assert [(o["name"], o["active"]) for o in switcher["options"]] == [
        ("Administrateur Caf", True),
        ("Vérificateur", False),
    ]
    assert client.get(reverse("conventions:verifier-queue")).status_code == 404


def test_the_header_form_switches_the_active_role(world, client):
    client.force_login(world.admin_verifier)
    response = client.post(
        reverse("accounts:active-roles"), {f"ensemble:{DSD}": "Verifier", "next": "/"}, follow=True
    )
    assert client.session[ACTIVE_ROLES_KEY] == ["Verifier"]
    assert "Rôle activé : Vérificateur." in [str(m) for m in response.context["messages"]]
    assert "verifications" in menu_keys(response) and "conventions" not in menu_keys(response)
    assert client.get(reverse("conventions:verifier-queue")).status_code == 200
    account = response.context["user"]
    assert is_allowed(account, *VERIFY_CONVENTIONS, fund_unit(world.fund.pk))
    assert not is_allowed(account, *ENTER_CONVENTIONS, fund_unit(world.fund.pk))


def test_a_role_outside_the_set_cannot_be_activated(world, client):
    client.force_login(world.admin_verifier)
    response = client.post(reverse("accounts:active-roles"), {f"ensemble:{DSD}": "NationalAdmin"}, follow=True)
    assert client.session[ACTIVE_ROLES_KEY] == ["FundAdmin"]
    assert any("refusé" in str(m) for m in response.context["messages"])


def test_a_person_outside_any_dsd_set_keeps_every_role(world, client):
    client.force_login(world.admin)
    assert ACTIVE_ROLES_KEY not in client.session
    assert client.get(reverse("home")).context["role_switcher"] is None


def test_the_decision_api_decides_on_the_active_roles(world, settings):
    from habpps.api.pdp import DENIAL_KIND
    from habpps.journal.models import JournalEntry

    settings.HABPPS_API_DENIAL_JOURNAL = "immediate"
    tokens.forget_recognised_tokens()
    api = ApiClient(tokens.register_service("portail-cdap").secret)
    question = {
        "user": world.admin_verifier.login,
        "operation": VERIFY_CONVENTIONS.operation,
        "object": VERIFY_CONVENTIONS.obj,
        "org": fund_unit(world.fund.pk),
    }
    assert api.post_json("/api/v1/decisions", question).json() == {"granted": True}
    assert api.post_json("/api/v1/decisions", {**question, "active_roles": ["Verifier"]}).json() == {
        "granted": True
    }
    refused = api.post_json("/api/v1/decisions", {**question, "active_roles": ["FundAdmin"], "explain": True})
    assert refused.json()["granted"] is False
    denial = JournalEntry.objects.filter(kind=DENIAL_KIND).latest("sequence")
    assert denial.data["active_roles"] == ["FundAdmin"] and denial.data["message"]
    both = api.post_json("/api/v1/decisions", {**question, "active_roles": ["FundAdmin", "Verifier"]})
    assert both.status_code == 422
    error = both.json()["errors"][0]
    assert error["location"] == "body.active_roles" and "Séparation dynamique" in error["message"]
