"""Policy documents carry time windows (ENG-5): export → import → export is identical, an import changes and
lifts windows on the stored grants (journalled), and what the platform cannot store is refused in French."""

from __future__ import annotations

import copy
from datetime import date, time

import pytest

from habpps.authorization.access_windows import Window
from habpps.authorization.policy_sections import PolicyImportError, export_document, import_document
from habpps.directory import services
from habpps.directory.models import AccountRoleAssignment, GroupRoleAssignment
from habpps.journal.models import JournalEntry


@pytest.fixture
def windowed(network):
    services.set_group_role_window(
        None, GroupRoleAssignment.objects.current().get(group=network.group_a),
        Window(date(2030, 1, 1), date(2030, 1, 31), time(7), time(20), (1, 2, 3, 4, 5)),
    )
    services.set_account_role_window(
        None, AccountRoleAssignment.objects.current().get(account=network.fund_admin_b), Window(valid_until=date(2031, 6, 30))
    )
    return network


def test_windows_travel_in_the_document_and_back(windowed):
    first = export_document()
    assert len(first["temporal_constraints"]) == 2
    import_document(first)
    assert export_document() == first


def test_an_import_changes_and_lifts_windows(windowed):
    document = export_document()
    changed = copy.deepcopy(document)
    group_item = next(i for i in changed["temporal_constraints"] if i["on"] == "group_assignment")
    group_item["constraint"] = {"end_date": "2030-06-30"}
    changed["temporal_constraints"] = [group_item]
    report = import_document(changed)
    assert report.added["périodes d'accès"] == 2
    assert GroupRoleAssignment.objects.current().get(group=windowed.group_a).access_window == Window(
        valid_until=date(2030, 6, 30))
    assert not AccountRoleAssignment.objects.current().get(account=windowed.fund_admin_b).access_window
    assert JournalEntry.objects.filter(kind="admin.account.role.window").count() == 2
    assert export_document()["temporal_constraints"] == [group_item]


def test_what_the_platform_cannot_store_is_refused(windowed):
    document = export_document()
    unknown = copy.deepcopy(document)
    unknown["temporal_constraints"].append(
        {"on": "role", "role": "NationalAdmin", "constraint": {"end_date": "2030-01-01"}})
    unknown["roles"] = [r for r in unknown["roles"]]
    timeout = copy.deepcopy(document)
    timeout["temporal_constraints"][0]["constraint"]["timeout_minutes"] = 5
    with pytest.raises(PolicyImportError) as refused:
        import_document(timeout)
    assert "timeout_minutes" in refused.value.errors[0]
    assert export_document() == document


def test_whole_account_and_profile_windows_are_stored(windowed):
    document = export_document()
    document["temporal_constraints"] += [
        {"on": "user", "user": windowed.user_a.login, "constraint": {"end_date": "2030-12-31"}},
        {"on": "role", "role": "Verifier", "constraint": {"weekdays": [1, 2, 3, 4, 5]}},
    ]
    import_document(document)
    exported = export_document()
    assert {"on": "role", "role": "Verifier", "constraint": {"weekdays": [1, 2, 3, 4, 5]}} in exported[
        "temporal_constraints"]
    assert len(exported["temporal_constraints"]) == 4
    import_document(exported)
    assert export_document() == exported
