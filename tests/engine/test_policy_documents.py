"""ENG-10 policy as data: export/load round trip, validation with paths, diff."""

import json
from pathlib import Path

import pytest

from habpps.engine import POLICY_SCHEMA, RBAC, PolicyDocumentError, diff, dumps, parse_text

DOCS = Path(__file__).resolve().parents[2] / "docs" / "policy.schema.json"


def test_round_trip_through_yaml_and_json(rbac):
    rbac.add_org("cnaf")
    rbac.add_org("caf75", parent="cnaf")
    rbac.add_group("g")
    rbac.add_group_member(group="g", user="carol")
    rbac.assign_group(group="g", role="redacteur", org="caf75")
    rbac.create_ssd_set(name="x", roles=["redacteur", ("verificateur", "caf75")], cardinality=2)
    rbac.set_role_descends(role="verificateur", descends=False)
    rbac.set_user_max_sessions(user="bob", cardinality=1)
    doc = rbac.export()
    for fmt in ("yaml", "json"):
        loaded = RBAC.load(parse_text(dumps(doc, fmt)))
        assert loaded.export() == doc
    assert RBAC.load(dumps(doc)).export() == doc


def test_invalid_document_reports_every_error_with_its_path_and_applies_nothing(rbac):
    before = rbac.export()
    bad = {
        "format": "habpps-policy/1",
        "roles": [{"id": "a"}, {"id": ""}],
        "users": [{"id": "u", "couleur": "bleu"}],
    }
    with pytest.raises(PolicyDocumentError) as err:
        rbac.load(bad)
    paths = {e["path"] for e in err.value.errors}
    assert {"/roles/1/id", "/users/0"} <= paths
    assert all(e["message"] for e in err.value.errors)
    assert rbac.export() == before


def test_semantic_errors_are_collected_too(rbac):
    doc = {
        "format": "habpps-policy/1",
        "roles": [{"id": "a"}, {"id": "b"}],
        "users": [{"id": "u"}],
        "inheritance": [{"ascendant": "a", "descendant": "b"}, {"ascendant": "b", "descendant": "a"}],
        "assignments": [{"user": "u", "role": "inconnu"}, {"user": "u", "role": "a"}, {"user": "u", "role": "b"}],
        "ssd_sets": [{"name": "x", "cardinality": 2, "members": [{"role": "a"}, {"role": "b"}]}],
    }
    with pytest.raises(PolicyDocumentError) as err:
        RBAC.load(doc)
    by_path = {e["path"]: e["code"] for e in err.value.errors}
    assert by_path["/inheritance/1"] == "hierarchy_cycle"
    assert by_path["/assignments/0"] == "role_not_found"
    assert by_path["/ssd_sets/0"] == "ssd_violation"


def test_unparsable_text_is_refused_in_french():
    with pytest.raises(PolicyDocumentError) as err:
        RBAC.load("roles: [unclosed")
    assert "illisible" in err.value.errors[0]["message"]


def test_load_on_an_instance_replaces_its_policy_and_moves_its_version_forward(rbac):
    version = rbac.version
    rbac.load({"format": "habpps-policy/1", "users": [{"id": "zoe"}]})
    assert rbac.users() == {"zoe"}
    assert rbac.version > version


def test_diff_lists_permissions_gained_and_lost_per_user(rbac):
    before = rbac.export()
    rbac.deassign_user(user="bob", role="lecteur")
    rbac.assign_user(user="carol", role="redacteur")
    changes = diff(before, rbac)
    assert changes == {
        "bob": {"gained": set(), "lost": {("lire", "dossier")}},
        "carol": {"gained": {("ecrire", "dossier")}, "lost": set()},
    }


def test_published_schema_matches_the_engine():
    assert json.loads(DOCS.read_text(encoding="utf-8")) == POLICY_SCHEMA
