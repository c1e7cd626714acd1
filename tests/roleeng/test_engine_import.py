"""Importing a derived hierarchy into the engine: all-or-nothing, and its policy document (RE-3, ENG-10)."""

from __future__ import annotations

import pytest

from habpps.engine import RBAC, AlreadyExists
from habpps.roleeng.derivation import derive_hierarchy
from habpps.roleeng.engine_import import import_hierarchy, policy_document
from habpps.roleeng.loading import model_from_document


def test_import_into_an_existing_engine_keeps_its_policy(document):
    model, _ = model_from_document(document)
    rbac = RBAC()
    rbac.add_role(role="autre")
    rbac.grant_permission(operation="lire", obj="journal", role="autre")
    import_hierarchy(derive_hierarchy(model.role_permissions()), rbac)
    assert rbac.roles() == {"autre", "lecteur", "gestionnaire", "responsable"}
    assert rbac.role_permissions(role="responsable") == {
        ("lire", "dossier"),
        ("ecrire", "dossier"),
        ("valider", "dossier"),
    }
    assert rbac.role_permissions(role="responsable", inherited=False) == {("valider", "dossier")}


def test_import_is_refused_before_any_change_when_a_role_exists(document):
    model, _ = model_from_document(document)
    rbac = RBAC()
    rbac.add_role(role="gestionnaire")
    before = rbac.export()
    with pytest.raises(AlreadyExists) as raised:
        import_hierarchy(derive_hierarchy(model.role_permissions()), rbac)
    assert raised.value.code == "roles_exist"
    assert "« gestionnaire »" in raised.value.message
    assert rbac.export() == before


def test_policy_document_loads_back_into_the_engine(document):
    model, _ = model_from_document(document)
    doc = policy_document(derive_hierarchy(model.role_permissions()))
    rbac = RBAC.load(doc)
    assert rbac.role_juniors(role="responsable") == {"gestionnaire"}
    assert rbac.role_juniors(role="gestionnaire") == {"lecteur"}
