"""ENG-10 for the extensions: contextual and temporal constraints, exclusions, administrative RBAC and data
scoping travel in the policy document — exact round trip (a sibling of the core round-trip property), schema
validation with paths and French messages, nothing applied when invalid."""

from __future__ import annotations

import contextlib
from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from habpps.engine import RBAC, PolicyDocumentError, RBACError, dumps, parse_text
from habpps.engine.context import attr

from .test_properties import OPERATIONS, PERMS, ROLES, SETUP, USERS

NOW = datetime(2024, 3, 4, 10, 0)


def _extended() -> RBAC:
    rbac = RBAC(clock=lambda: NOW)
    rbac.add_org("national")
    rbac.add_org("caf75", parent="national")
    rbac.add_org("cd75", parent="caf75")
    for role in ("T1", "T2", "verificateur", "complet"):
        rbac.add_role(role)
    rbac.add_inheritance("complet", "T1")
    rbac.grant_permission("consulter", "dossier", "T1")
    rbac.grant_permission("consulter", "paiement", "T2")
    rbac.grant_permission("valider", "convention", "verificateur")
    for user in ("alice", "bob", "admin", "delegue"):
        rbac.add_user(user)
    rbac.add_group("accueil")
    rbac.add_group_member("accueil", "bob")
    rbac.assign_user("alice", "T1", "cd75")
    rbac.assign_group("accueil", "T2", "cd75")
    rbac.add_context_attribute("heure", function="current_time")
    rbac.add_context_attribute("ip", function="client_ip")
    rbac.add_context_attribute("grade", function="subject_attribute", domain="int", parameter="grade")
    rbac.add_context_attribute("montant", function="object_attribute", domain="decimal", parameter="montant")
    rbac.add_context_constraint("bureau", [("between", [attr("heure"), "08:00", "18:30"]),
                                           ("within-network", [attr("ip"), "10.0.0.0/8"])])
    rbac.add_context_constraint("cadre", [("≥", [attr("grade"), 5]), ("in", [attr("grade"), [5, 6, 7]])])
    rbac.add_context_constraint("petit_montant", [("<", [attr("montant"), "1000.50"])])
    rbac.link_permission_constraint("consulter", "dossier", "bureau")
    rbac.link_activation_constraint("verificateur", "bureau")
    rbac.set_user_temporal("bob", end_date="2030-12-31")
    rbac.set_role_temporal("T2", begin_time="22:00", end_time="06:00", weekdays=[1, 2, 3],
                           blackouts=[("2024-08-01", "2024-08-15")], timeout_minutes=30)
    rbac.set_assignment_temporal("alice", "T1", "cd75", begin_date="2024-01-01")
    rbac.set_group_assignment_temporal("accueil", "T2", "cd75", end_date="2025-01-01")
    rbac.create_exclusion("cumul", ["T1", {"role": "T2", "org": "cd75"}], risk="report")
    rbac.create_exclusion("perm", [{"operation": "consulter", "object": "dossier"},
                                   {"operation": "valider", "object": "convention", "org": "caf75"}],
                          kind="dynamic", risk="block")
    rbac.create_history_exclusion("quatre_yeux", obj="convention", done=["saisir", "modifier"], then="valider")
    rbac.set_user_org("delegue", "cd75")
    rbac.add_admin_role("admin_caf", roles=["T1", "T2"], role_range=("T1", "complet"), orgs=["caf75"],
                        abilities=["assign", "revoke", "manage_user", "delegate"])
    rbac.add_admin_role("admin_groupes", roles=["T1"], groups=["accueil"])
    rbac.assign_admin("admin", "admin_caf", "caf75")
    rbac.delegate_authority("d1", grantor="admin", grantee="delegue", roles=["T1"], orgs=["cd75"],
                            groups=["accueil"], abilities=["assign"])
    rbac.set_perimeter("cd75", ["T1", "T2"], max_users={"T1": 3})
    rbac.add_population_rule("T1", "dossier", "unite", "org_subtree", field="org", default=True)
    rbac.add_population_rule("T1", "dossier", "liste", "explicit", field="numero", values=["1", "2"])
    rbac.add_population_rule("T2", "dossier", "le_sien", "own_file", field="numero", attribute="numero")
    rbac.add_population_rule("complet", "dossier", "tout", "all")
    rbac.set_field_access("T1", "dossier", "nom", "read")
    rbac.set_field_access("T1", "dossier", "salaire", "forbidden")
    rbac.set_field_access("T1", "dossier", "salaire", "read", when="cadre")
    rbac.set_action_limits("T1", "consulter_dossier", max_records=100, confirm_above=20, max_per_day=50,
                           max_seconds=30)
    return rbac


def test_every_extension_round_trips_exactly_through_yaml_and_json():
    rbac = _extended()
    doc = rbac.export()
    for fmt in ("yaml", "json"):
        loaded = RBAC.load(parse_text(dumps(doc, fmt)))
        assert loaded.export() == doc


def test_loaded_policy_decides_the_same_with_context():
    rbac = _extended()
    loaded = RBAC.load(rbac.export())
    original, copy = rbac.compile(), loaded.compile()
    contexts = [
        {"now": NOW, "client_ip": "10.0.0.1"},
        {"now": NOW.replace(hour=20), "client_ip": "10.0.0.1"},
        {"now": NOW.replace(hour=23), "client_ip": "8.8.8.8", "subject": {"grade": 6, "numero": "9"}},
    ]
    for context in contexts:
        for user in ("alice", "bob"):
            for perm in (("consulter", "dossier"), ("consulter", "paiement")):
                assert original.check(user, *perm, context=context) == copy.check(user, *perm, context=context)
            assert original.population_filter(user, "dossier", context=context) == copy.population_filter(
                user, "dossier", context=context)
            assert original.field_access(user, "dossier", context=context) == copy.field_access(
                user, "dossier", context=context)
    assert loaded.can_assign("delegue", "alice", "T1", "cd75").granted == rbac.can_assign(
        "delegue", "alice", "T1", "cd75").granted


def test_invalid_extension_sections_report_every_error_and_apply_nothing():
    doc = _extended().export()
    doc["context_constraints"].append({"name": "faux", "conditions": [
        {"operator": "<", "operands": [{"attribute": "ip"}, {"value": 3}]}]})
    doc["temporal_constraints"].append({"on": "role", "role": "T1", "constraint": {"weekdays": [9]}})
    doc["exclusions"].append({"name": "x", "cardinality": 1, "members": []})
    with pytest.raises(PolicyDocumentError) as refused:
        RBAC.load(doc)
    paths = [e["path"] for e in refused.value.errors]
    assert any(p.startswith("/temporal_constraints/") for p in paths)
    assert any(p.startswith("/exclusions/") for p in paths)
    doc["temporal_constraints"].pop()
    doc["exclusions"].pop()
    with pytest.raises(PolicyDocumentError) as refused:
        RBAC.load(doc)
    (error,) = refused.value.errors
    assert error["path"] == f"/context_constraints/{len(doc['context_constraints']) - 1}"
    assert "valeurs ordonnées" in error["message"]


_EXTENSIONS = st.one_of(
    st.builds(lambda r, d: ("set_role_temporal", {"role": r, "weekdays": d}), st.sampled_from(ROLES),
              st.lists(st.integers(1, 7), min_size=1, max_size=3, unique=True)),
    st.builds(lambda u: ("set_user_temporal", {"user": u, "end_date": "2030-01-01"}), st.sampled_from(USERS)),
    st.builds(lambda p, c: ("link_permission_constraint", {"operation": p[0], "obj": p[1], "constraint": c}),
              st.sampled_from(PERMS), st.sampled_from(["jour", "reseau"])),
    st.builds(lambda n, rs, risk: ("create_exclusion", {"name": n, "members": rs, "risk": risk}),
              st.sampled_from(["e1", "e2"]), st.lists(st.sampled_from(ROLES), min_size=2, max_size=3, unique=True),
              st.sampled_from(["block", "report"])),
    st.builds(lambda r, k: ("add_population_rule", {"role": r, "resource": "f1", "name": k, "kind": k,
                                                    "field": "org"}),
              st.sampled_from(ROLES), st.sampled_from(["org_unit", "org_subtree"])),
    st.builds(lambda r, a: ("set_field_access", {"role": r, "resource": "f1", "field": "nom", "access": a}),
              st.sampled_from(ROLES), st.sampled_from(["read", "write", "forbidden"])),
    st.builds(lambda r, n: ("set_action_limits", {"role": r, "action": "lire", "max_per_day": n}),
              st.sampled_from(ROLES), st.integers(1, 9)),
    st.builds(lambda u, o: ("set_user_org", {"user": u, "org": o}), st.sampled_from(USERS),
              st.sampled_from(["o0", "o1", "o2"])),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(OPERATIONS, _EXTENSIONS, _EXTENSIONS), min_size=1, max_size=30))
def test_policy_document_round_trip_is_exact_with_extensions(calls):
    """Sibling of the core round-trip property: random core and extension calls, then export → load → export."""
    rbac = RBAC(clock=lambda: NOW)
    rbac.add_context_attribute("j", function="weekday")
    rbac.add_context_attribute("ip", function="client_ip")
    rbac.add_context_constraint("jour", [("in", [attr("j"), [1, 2, 3, 4, 5]])])
    rbac.add_context_constraint("reseau", [("within-network", [attr("ip"), "10.0.0.0/8"])])
    for name, kwargs in SETUP + calls:
        with contextlib.suppress(RBACError):
            getattr(rbac, name)(**kwargs)
    doc = rbac.export()
    loaded = RBAC.load(doc)
    assert loaded.export() == doc
    original, copy = rbac.compile(), loaded.compile()
    context = {"now": NOW, "client_ip": "10.1.1.1"}
    for user in USERS:
        for op, obj in PERMS:
            assert original.check(user, op, obj, context=context) == copy.check(user, op, obj, context=context)
