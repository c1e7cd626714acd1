"""ENG-6 max active sessions stored per account: service, API, policy documents, incremental = full build."""

from __future__ import annotations

import json

import pytest
import yaml
from django.core.exceptions import ValidationError

from habpps.authorization.models import AccountLimit
from habpps.authorization.policy_build import build_rbac
from habpps.authorization.policy_cache import current_policy
from habpps.authorization.policy_sections import export_document, import_document
from habpps.cli import main
from habpps.directory import services
from habpps.journal.models import JournalEntry


def _user(document: dict, login: str) -> dict:
    return next(item for item in document["users"] if item["id"] == login)


def test_eng6_the_account_limit_reaches_the_engine_and_is_journalled_before_after(network):
    account = network.partner_admin_a
    services.set_account_limit(network.national_admin, account, 2)
    services.set_account_limit(network.national_admin, account, max_sessions=3)
    limit = AccountLimit.objects.get(account=account)
    assert (limit.max_roles, limit.max_sessions) == (2, 3)  # the other limit is kept
    rbac = current_policy().rbac
    assert rbac.user_max_sessions(account.login) == 3
    assert rbac.export() == build_rbac().export()  # incremental = full build
    entry = JournalEntry.objects.filter(kind="admin.model.account_limit.set").latest("sequence")
    assert entry.before["max_sessions"] is None and entry.after["max_sessions"] == 3
    services.set_account_limit(network.national_admin, account, max_sessions=None)
    assert current_policy().rbac.user_max_sessions(account.login) is None
    assert current_policy().rbac.export() == build_rbac().export()
    with pytest.raises(ValidationError, match="Au moins 1"):
        services.set_account_limit(network.national_admin, account, max_sessions=0)


def test_eng6_max_sessions_round_trips_through_policy_documents(network, tmp_path, capsys):
    login = network.user_a.login
    services.set_account_limit(network.national_admin, network.user_a, max_sessions=2)
    exported = export_document()
    assert _user(exported, login)["max_sessions"] == 2
    AccountLimit.objects.all().delete()
    changed = json.loads(json.dumps(exported))
    _user(changed, login)["max_sessions"] = 4
    import_document(changed)
    assert AccountLimit.objects.get(account=network.user_a).max_sessions == 4
    assert current_policy().rbac.user_max_sessions(login) == 4
    assert export_document() == changed
    import_document(exported)
    assert export_document() == exported  # round trip identical
    assert JournalEntry.objects.filter(kind="admin.model.account_limit.set", data__source="import").exists()
    # A bad figure is refused by name, in French, with a non-zero exit, and nothing changes.
    path = tmp_path / "politique.yaml"
    for bad in (0, "deux"):
        wrong = json.loads(json.dumps(exported))
        _user(wrong, login)["max_sessions"] = bad
        path.write_text(yaml.safe_dump(wrong, allow_unicode=True))
        capsys.readouterr()
        assert main(["policy", "import", str(path)]) == 1
        errors = capsys.readouterr().err
        assert "max_sessions" in errors, errors
    assert export_document() == exported


def test_eng6_the_account_page_sets_the_session_limit(network, client):
    from django.urls import reverse

    account = network.user_a
    client.force_login(network.national_admin)
    url = reverse("directory:account-limit", args=[account.pk])
    page = client.get(url).content.decode()
    assert "Nombre de sessions ouvertes en même temps" in page and "une seule session à la fois" in page
    bad = client.post(url, {"max_roles": "", "max_sessions": "0"})
    assert bad.status_code == 200 and "supérieure ou égale à 1" in bad.content.decode()
    assert client.post(url, {"max_roles": "", "max_sessions": "2"}).status_code == 302
    assert AccountLimit.objects.get(account=account).max_sessions == 2
    detail = client.get(reverse("directory:account-detail", args=[account.pk])).content.decode()
    assert "Sessions ouvertes en même temps : 2 au plus (limite propre à ce compte)." in detail
