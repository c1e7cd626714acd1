"""Time windows on a whole account and on a whole profile (ENG-5 temporal): set, changed and lifted by whoever the
engine lets administer the account or the model, checked by the engine's rules, journalled before/after, replayed
into the engine (access stops outside the window) and written by ``habpps policy export``."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from habpps.authorization import clock
from habpps.authorization.access_windows import Window
from habpps.authorization.decisions import AccessRefused, is_allowed
from habpps.authorization.models import AccountWindow, RoleWindow
from habpps.authorization.policy_build import build_rbac
from habpps.authorization.policy_cache import current_policy
from habpps.authorization.policy_sections import export_document, import_document
from habpps.directory import services
from habpps.journal.models import JournalEntry


def at(monkeypatch, day: date, hour: int = 10) -> None:
    moment = timezone.make_aware(datetime.combine(day, time(hour)))
    monkeypatch.setattr(clock, "now", lambda: moment)


def cdap_permission(network) -> tuple[str, str]:
    first = network.roles["cdap-ass-cesf"].permissions.order_by("obj", "operation").first()
    return first.operation, first.obj


def test_a_role_window_bounds_every_holder_and_is_lifted(network, monkeypatch):
    permission = cdap_permission(network)
    profile = network.roles["cdap-ass-cesf"]
    end = date(2030, 6, 30)
    services.set_role_window(network.national_admin, profile, Window(valid_until=end, weekdays=(1, 2, 3, 4, 5)))

    row = RoleWindow.objects.get(role=profile)
    assert row.access_window == Window(valid_until=end, weekdays=(1, 2, 3, 4, 5))
    assert current_policy().rbac.export() == build_rbac().export()
    at(monkeypatch, date(2030, 6, 28))  # a Friday, within
    assert is_allowed(network.user_a, *permission)
    at(monkeypatch, date(2030, 6, 29))  # a Saturday
    assert not is_allowed(network.user_a, *permission)
    at(monkeypatch, date(2030, 7, 1))  # a Monday after the end
    assert not is_allowed(network.user_a, *permission) and not is_allowed(network.user_b, *permission)
    entry = JournalEntry.objects.filter(kind="admin.role.window").latest("sequence")
    assert entry.before["window"] is None and entry.after["window"]["end_date"] == "2030-06-30"

    services.set_role_window(network.national_admin, profile, Window())
    assert not RoleWindow.objects.filter(role=profile).exists()
    assert is_allowed(network.user_a, *permission)
    assert JournalEntry.objects.filter(kind="admin.role.window").latest("sequence").after["window"] is None


def test_an_account_window_is_set_by_its_administrators_only(network, monkeypatch):
    verifier = network.verifier_a
    national = network.national_admin  # who manages the agents of the funds
    services.set_account_window(national, verifier, Window(daily_from=time(8), daily_until=time(18)))
    assert AccountWindow.objects.get(account=verifier).changed_by == national
    verifier_permissions = [(p.operation, p.obj) for p in network.roles["Verifier"].permissions.all()]
    at(monkeypatch, date(2030, 3, 4), hour=10)
    assert any(is_allowed(verifier, *p) for p in verifier_permissions)
    assert verifier.login in current_policy().rbac._state.user_temporal
    at(monkeypatch, date(2030, 3, 4), hour=20)
    assert not any(is_allowed(verifier, *p) for p in verifier_permissions)
    entry = JournalEntry.objects.filter(kind="admin.account.window").latest("sequence")
    assert entry.actor_identifier == national.login and entry.target == f"account:{verifier.login}"
    assert entry.before == {"window": None} and entry.after["window"]["begin_time"].startswith("08:00")

    with pytest.raises(AccessRefused):  # another fund's administrator
        services.set_account_window(network.fund_admin_b, verifier, Window())
    with pytest.raises(ValidationError, match="son propre compte"):
        services.set_account_window(national, national, Window())
    with pytest.raises(ValidationError, match="postérieure à la date de fin"):
        services.set_account_window(national, verifier,
                                    Window(valid_from=date(2031, 1, 2), valid_until=date(2031, 1, 1)))
    # A fund's administrator bounds the accounts of its partners; a partner's administrator those of their
    # partner, not another's.
    services.set_account_window(network.fund_admin_a, network.partner_admin_a, Window(weekdays=(1, 2, 3, 4, 5)))
    with pytest.raises(AccessRefused):
        services.set_account_window(network.fund_admin_b, network.partner_admin_a, Window())
    services.set_account_window(network.partner_admin_a, network.user_a, Window(valid_until=date(2030, 12, 31)))
    with pytest.raises((AccessRefused, ValidationError)):
        services.set_account_window(network.partner_admin_a, network.user_b, Window(valid_until=date(2030, 12, 31)))
    # Only who administers the model bounds a profile.
    with pytest.raises(AccessRefused):
        services.set_role_window(network.fund_admin_a, network.roles["Verifier"], Window(weekdays=(1,)))


def test_windows_round_trip_through_policy_documents(network):
    services.set_role_window(network.national_admin, network.roles["Verifier"], Window(weekdays=(1, 2, 3, 4, 5)))
    services.set_account_window(network.national_admin, network.verifier_a,
                                Window(valid_from=date(2030, 1, 1), valid_until=date(2030, 12, 31)))
    first = export_document()
    whole = [c for c in first["temporal_constraints"] if c["on"] in ("user", "role")]
    assert {"on": "role", "role": "Verifier", "constraint": {"weekdays": [1, 2, 3, 4, 5]}} in whole
    assert any(c["on"] == "user" and c["user"] == network.verifier_a.login for c in whole)

    lifted = {**first, "temporal_constraints": [c for c in first["temporal_constraints"] if c["on"] != "role"]}
    import_document(lifted, actor=network.national_admin)
    assert not RoleWindow.objects.exists()
    import_document(first, actor=network.national_admin)
    assert RoleWindow.objects.get().access_window == Window(weekdays=(1, 2, 3, 4, 5))
    assert export_document() == first
    assert current_policy().rbac.export() == build_rbac().export()
