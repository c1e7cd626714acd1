"""The AuthZEN-only sections ``grant_constraints`` and ``user_attributes`` are stored by ``habpps policy import``
(rows, journal), replayed into the engine by the policy build and the change log, enforced, and exported back:
export → import → export is identical. An item the directory cannot hold is refused in French, with a non-zero
exit, and nothing is applied."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
import yaml
from django.utils import timezone

from habpps.authorization import clock
from habpps.authorization.decisions import is_allowed
from habpps.authorization.models import AccountAttributes, GrantConstraint
from habpps.authorization.policy_build import build_rbac
from habpps.authorization.policy_cache import current_policy
from habpps.authorization.policy_sections import PolicyImportError, export_document, import_document
from habpps.cli import main
from habpps.engine import RBAC, attr
from habpps.journal.models import JournalEntry

SOCIAL = "cdap-ass-cesf"


def _with_authzen_sections(network) -> dict:
    """The network's document, its CDAP profile's first permission granted only by day, and a grade on user A
    (written through the engine's own functions, as a document from another tool would say it)."""
    rbac = RBAC.load(export_document())
    rbac.add_context_attribute("heure", function="current_time")
    rbac.add_context_constraint("journee", [("between", [attr("heure"), "07:00", "20:00"])])
    rbac.link_grant_constraint(SOCIAL, *_first_permission(network), "journee")
    rbac.set_user_attributes(network.user_a.login, {"grade": 3, "service": "social"})
    return rbac.export()


def _first_permission(network) -> tuple[str, str]:
    first = network.roles[SOCIAL].permissions.order_by("obj", "operation").first()
    return first.operation, first.obj


def _at(monkeypatch, hour: int) -> None:
    moment = timezone.make_aware(datetime.combine(date(2030, 3, 4), time(hour)))
    monkeypatch.setattr(clock, "now", lambda: moment)


def test_both_sections_are_stored_enforced_and_exported_back(network, monkeypatch):
    document = _with_authzen_sections(network)
    import_document(document, actor=network.national_admin)

    grant = GrantConstraint.objects.select_related("role", "constraint").get()
    assert (grant.role.code, grant.constraint.name) == (SOCIAL, "journee")
    assert AccountAttributes.objects.get(account=network.user_a).attributes == {"grade": 3, "service": "social"}
    rbac = current_policy().rbac
    assert rbac.grant_constraints(SOCIAL, *_first_permission(network)) == {"journee"}
    assert rbac.user_attributes(network.user_a.login) == {"grade": 3, "service": "social"}
    assert rbac.export() == build_rbac().export()  # the change log's engine is the full build's
    assert JournalEntry.objects.filter(kind="admin.context.grant.import").exists()
    assert JournalEntry.objects.get(kind="admin.account.attributes.import").after == {"grade": 3, "service": "social"}

    exported = export_document()
    assert exported["grant_constraints"] == document["grant_constraints"]
    assert exported["user_attributes"] == document["user_attributes"]
    import_document(exported, actor=network.national_admin)
    assert export_document() == exported

    # Enforced: the profile's grant holds by day only (user B holds the profile through the same group kind).
    _at(monkeypatch, 10)
    assert is_allowed(network.user_b, *_first_permission(network))
    _at(monkeypatch, 22)
    assert not is_allowed(network.user_b, *_first_permission(network))


def test_an_import_without_them_removes_them(network):
    import_document(_with_authzen_sections(network), actor=network.national_admin)
    document = export_document()
    del document["grant_constraints"], document["user_attributes"]
    import_document(document, actor=network.national_admin)
    assert not GrantConstraint.objects.exists() and not AccountAttributes.objects.exists()
    rbac = current_policy().rbac
    assert not rbac.grant_constraints(SOCIAL, *_first_permission(network))
    assert rbac.user_attributes(network.user_a.login) == {}
    assert export_document() == document
    removed = JournalEntry.objects.filter(kind="admin.account.attributes.import").latest("sequence")
    assert removed.before == {"grade": 3, "service": "social"} and removed.after is None


def test_removing_a_constraint_keeps_the_engine_and_the_rows_in_step(network):
    import_document(_with_authzen_sections(network), actor=network.national_admin)
    document = export_document()
    del document["grant_constraints"]
    document["context_constraints"] = []
    document["context_attributes"] = []
    import_document(document, actor=network.national_admin)
    assert not GrantConstraint.objects.exists()
    assert current_policy().rbac.export() == build_rbac().export()


def test_an_unknown_account_or_profile_is_refused_in_french_with_a_non_zero_exit(network, tmp_path, capsys):
    document = _with_authzen_sections(network)
    document["users"] = [*document["users"], {"id": "inconnu.0001"}]
    document["user_attributes"].append({"user": "inconnu.0001", "attributes": {"grade": 1}})
    with pytest.raises(PolicyImportError) as refused:
        import_document(document)
    assert any("compte inconnu de l'annuaire : « inconnu.0001 »" in e for e in refused.value.errors)

    path = tmp_path / "politique.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True))
    capsys.readouterr()
    assert main(["policy", "import", str(path)]) != 0
    assert "inconnu.0001" in capsys.readouterr().err
    assert not GrantConstraint.objects.exists() and not AccountAttributes.objects.exists()
