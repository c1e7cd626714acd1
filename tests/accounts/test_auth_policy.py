"""The policy's figures are an administrator-edited row seeded from the slides, never constants (AUT-1..8)."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from habpps.accounts.models import AuthenticationPolicy, ConcurrentSessionMode
from habpps.accounts.policy import current_policy, seeded_policy_values
from habpps.journal.models import JournalEntry

POLICY = reverse("accounts:policy")


def test_the_seeded_policy_is_the_slides(db):
    policy = current_policy()
    assert (policy.password_min_length, policy.password_max_length) == (8, 20)
    assert (
        policy.require_uppercase
        and policy.require_lowercase
        and policy.require_digit
        and policy.require_special
    )
    assert policy.personal_password_validity_months == 6 and policy.temporary_password_validity_hours == 24
    assert policy.password_history_depth == 3
    assert (policy.freeze_failure_threshold, policy.freeze_duration_minutes) == (5, 10)
    assert policy.idle_timeout_minutes == 30
    assert policy.concurrent_sessions == ConcurrentSessionMode.REFUSE_NEW


def test_environment_variables_override_the_seeded_figures(monkeypatch):
    monkeypatch.setenv("HABPPS_PASSWORD_MIN_LENGTH", "12")
    monkeypatch.setenv("HABPPS_CONCURRENT_SESSIONS", "end_previous")
    monkeypatch.setenv("HABPPS_SECOND_FACTOR_FOR_EVERYONE", "oui")
    with pytest.raises(ImproperlyConfigured, match="true ou false"):
        seeded_policy_values()
    monkeypatch.setenv("HABPPS_SECOND_FACTOR_FOR_EVERYONE", "true")
    values = seeded_policy_values()
    assert values["password_min_length"] == 12 and values["second_factor_for_everyone"] is True
    assert values["concurrent_sessions"] == "end_previous" and values["password_max_length"] == 20


def test_the_migration_seeds_from_the_environment(db, monkeypatch):
    AuthenticationPolicy.objects.all().delete()
    monkeypatch.setenv("HABPPS_IDLE_TIMEOUT_MINUTES", "15")
    importlib.import_module("habpps.accounts.migrations.0004_seed_authentication_policy").seed(apps, None)
    assert current_policy().idle_timeout_minutes == 15


def form_data(policy, **changes) -> dict:
    fields = [
        f.name
        for f in AuthenticationPolicy._meta.concrete_fields
        if f.name not in {"id", "updated_at", "updated_by"}
    ]
    data = {name: getattr(policy, name) for name in fields}
    data = {name: value for name, value in data.items() if value is not False}
    data.update(changes)
    return data


def test_the_national_admin_edits_the_policy_and_it_is_journalled(client, network, policy):
    client.force_login(network.national_admin)
    assert client.get(POLICY).status_code == 200
    assert 'data-menu="auth-policy"' in client.get(reverse("home")).content.decode()
    response = client.post(
        POLICY, form_data(policy, idle_timeout_minutes=20, second_factor_funds=[network.fund_a.pk])
    )
    assert response.status_code == 302
    policy = current_policy()
    assert policy.idle_timeout_minutes == 20 and list(policy.second_factor_funds.all()) == [network.fund_a]
    entry = JournalEntry.objects.get(kind="admin.auth_policy.update")
    assert entry.before["idle_timeout_minutes"] == 30 and entry.after["idle_timeout_minutes"] == 20
    assert entry.after["second_factor_funds"] == [network.fund_a.pk]


def test_inconsistent_figures_are_refused_next_to_the_field(client, network, policy):
    client.force_login(network.national_admin)
    response = client.post(POLICY, form_data(policy, password_min_length=21))
    assert response.status_code == 200
    assert (
        "longueur maximale ne peut être inférieure"
        in response.context["form"].errors["password_max_length"][0]
    )
    response = client.post(POLICY, form_data(policy, password_min_length=3))
    assert response.context["form"].errors["password_min_length"]
    assert current_policy().password_min_length == 8


@pytest.mark.parametrize("who", ["fund_admin_a", "partner_admin_a", "user_a"])
def test_nobody_else_reaches_the_policy_page(client, network, who):
    client.force_login(getattr(network, who))
    assert client.get(POLICY).status_code == 404
    assert 'data-menu="auth-policy"' not in client.get(reverse("home")).content.decode()
