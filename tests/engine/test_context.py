"""ENG-5 contextual constraints (Strembeck & Neumann, thesis 4.5.9): typed attributes, context functions,
conditions type-checked at definition, constraints linked n:n to permissions, decisions naming the failed
condition — the same in the live engine and in compiled snapshots."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from habpps.engine import RBAC, AlreadyExists, ConstraintViolation, InvalidArgument, NotFound
from habpps.engine.context import attr

MONDAY_10H = datetime(2024, 3, 4, 10, 0)


def _engine() -> RBAC:
    rbac = RBAC(clock=lambda: MONDAY_10H)
    rbac.add_user("alice")
    rbac.add_role("agent")
    rbac.grant_permission(operation="consulter", obj="dossier", role="agent")
    rbac.grant_permission(operation="imprimer", obj="attestation", role="agent")
    rbac.assign_user(user="alice", role="agent")
    rbac.add_context_attribute("heure", function="current_time")
    rbac.add_context_attribute("jour", function="weekday")
    rbac.add_context_attribute("ip", function="client_ip")
    rbac.add_context_attribute("grade", function="subject_attribute", domain="int", parameter="grade")
    rbac.add_context_attribute("service", function="subject_attribute", domain="string", parameter="service")
    rbac.add_context_attribute("caf", function="object_attribute", domain="string", parameter="caf")
    rbac.add_context_attribute("caf_agent", function="subject_attribute", domain="string", parameter="caf")
    rbac.add_context_attribute("montant", function="object_attribute", domain="decimal", parameter="montant")
    rbac.add_context_attribute("echeance", function="object_attribute", domain="date", parameter="echeance")
    rbac.add_context_attribute("canal", function="context_value", domain="string", parameter="canal")
    rbac.add_context_attribute("urgent", function="context_value", domain="bool", parameter="urgent")
    return rbac


def _decide(rbac: RBAC, context: dict, operation: str = "consulter", obj: str = "dossier") -> tuple[bool, bool]:
    """(snapshot check, snapshot explain) — they must agree; returns both for the assertion."""
    snapshot = rbac.compile()
    return snapshot.check("alice", operation, obj, context=context), snapshot.explain(
        "alice", operation, obj, context=context
    ).granted


def _constrain(rbac: RBAC, *conditions: tuple) -> None:
    rbac.add_context_constraint("c", list(conditions))
    rbac.link_permission_constraint(operation="consulter", obj="dossier", constraint="c")


@pytest.mark.parametrize(
    ("condition", "granted_context", "denied_context"),
    [
        (("=", [attr("service"), "RSA"]), {"subject": {"service": "RSA"}}, {"subject": {"service": "AF"}}),
        (("≠", [attr("service"), "RSA"]), {"subject": {"service": "AF"}}, {"subject": {"service": "RSA"}}),
        (("<", [attr("grade"), 3]), {"subject": {"grade": 2}}, {"subject": {"grade": 3}}),
        (("≤", [attr("grade"), 3]), {"subject": {"grade": 3}}, {"subject": {"grade": 4}}),
        ((">", [attr("montant"), "100.50"]), {"object": {"montant": "100.51"}}, {"object": {"montant": 100}}),
        (("≥", [attr("echeance"), "2024-03-01"]), {"object": {"echeance": date(2024, 3, 1)}},
         {"object": {"echeance": "2024-02-29"}}),
        (("in", [attr("jour"), [1, 2, 3, 4, 5]]), {}, {"now": datetime(2024, 3, 9, 10, 0)}),
        (("not-in", [attr("canal"), ["guichet", "courrier"]]), {"canal": "portail"}, {"canal": "guichet"}),
        (("within-network", [attr("ip"), "10.0.0.0/8"]), {"client_ip": "10.2.3.4"}, {"client_ip": "192.168.0.1"}),
        (("between", [attr("heure"), "08:00", "18:00"]), {}, {"now": datetime(2024, 3, 4, 18, 30)}),
        (("=", [attr("caf"), attr("caf_agent")]), {"subject": {"caf": "Caf 75"}, "object": {"caf": "Caf 75"}},
         {"subject": {"caf": "Caf 75"}, "object": {"caf": "Caf 13"}}),
        (("=", [attr("urgent"), True]), {"urgent": True}, {"urgent": False}),
    ],
)
def test_each_operator_grants_when_the_condition_holds_and_denies_otherwise(
    condition, granted_context, denied_context
):
    rbac = _engine()
    _constrain(rbac, condition)
    assert _decide(rbac, granted_context) == (True, True)
    assert _decide(rbac, denied_context) == (False, False)


def test_time_window_between_reversed_bounds_crosses_midnight():
    rbac = _engine()
    _constrain(rbac, ("between", [attr("heure"), "22:00", "06:00"]))
    assert _decide(rbac, {"now": datetime(2024, 3, 4, 23, 30)}) == (True, True)
    assert _decide(rbac, {"now": datetime(2024, 3, 5, 5, 59)}) == (True, True)
    assert _decide(rbac, {"now": datetime(2024, 3, 4, 12, 0)}) == (False, False)


def test_missing_context_value_denies_and_says_which_value_is_missing():
    rbac = _engine()
    _constrain(rbac, ("within-network", [attr("ip"), "10.0.0.0/8"]))
    decision = rbac.compile().explain("alice", "consulter", "dossier", context={})
    assert not decision.granted
    assert decision.reason == "condition_failed"
    assert "client_ip" in decision.message and "absente" in decision.message


def test_context_value_outside_its_domain_denies_instead_of_raising():
    rbac = _engine()
    _constrain(rbac, ("<", [attr("grade"), 3]))
    assert _decide(rbac, {"subject": {"grade": "deux"}}) == (False, False)


def test_every_linked_constraint_must_hold():
    rbac = _engine()
    rbac.add_context_constraint("heures_ouvrees", [("between", [attr("heure"), "08:00", "18:00"])])
    rbac.add_context_constraint("reseau_caf", [("within-network", [attr("ip"), "10.0.0.0/8"])])
    rbac.link_permission_constraint("consulter", "dossier", "heures_ouvrees")
    rbac.link_permission_constraint("consulter", "dossier", "reseau_caf")
    assert _decide(rbac, {"client_ip": "10.0.0.1"}) == (True, True)
    decision = rbac.compile().explain("alice", "consulter", "dossier",
                                      context={"client_ip": "10.0.0.1", "now": datetime(2024, 3, 4, 20, 0)})
    assert [f["constraint"] for f in decision.failed_constraints] == ["heures_ouvrees"]
    assert "« heure » entre 08:00 et 18:00 (valeur : 20:00)" in decision.message


def test_one_constraint_serves_several_permissions_and_unconditioned_ones_are_untouched():
    rbac = _engine()
    rbac.add_context_constraint("reseau_caf", [("within-network", [attr("ip"), "10.0.0.0/8"])])
    rbac.link_permission_constraint("consulter", "dossier", "reseau_caf")
    rbac.link_permission_constraint("imprimer", "attestation", "reseau_caf")
    outside = {"client_ip": "8.8.8.8"}
    assert _decide(rbac, outside) == (False, False)
    assert _decide(rbac, outside, "imprimer", "attestation") == (False, False)
    rbac.unlink_permission_constraint("imprimer", "attestation", "reseau_caf")
    assert _decide(rbac, outside, "imprimer", "attestation") == (True, True)
    assert rbac.permission_constraints("consulter", "dossier") == {"reseau_caf"}


def test_live_engine_decides_like_the_snapshot_and_names_the_condition():
    rbac = _engine()
    _constrain(rbac, ("=", [attr("service"), "RSA"]))
    rbac.create_session(user="alice", session="s", roles=["agent"])
    assert rbac.check_access("s", "consulter", "dossier", context={"subject": {"service": "RSA"}})
    decision = rbac.explain_access("s", "consulter", "dossier", context={"subject": {"service": "AF"}})
    assert not decision.granted
    assert decision.failed_constraints[0]["condition"] == "« service » égal à RSA"
    assert decision.closest["assigned_role"] == "agent"
    assert decision.as_dict()["failed_constraints"][0]["actual"] == "AF"


def test_the_clock_gives_now_when_the_context_does_not():
    now = [MONDAY_10H]
    rbac = RBAC(clock=lambda: now[0])
    rbac.add_user("alice")
    rbac.add_role("agent")
    rbac.grant_permission("consulter", "dossier", "agent")
    rbac.assign_user("alice", "agent")
    rbac.add_context_attribute("heure", function="current_time")
    _constrain(rbac, ("between", [attr("heure"), "08:00", "18:00"]))
    snapshot = rbac.compile()
    assert snapshot.check("alice", "consulter", "dossier")
    now[0] = datetime(2024, 3, 4, 19, 0)
    assert not snapshot.check("alice", "consulter", "dossier")


@pytest.mark.parametrize(
    ("operator", "operands", "fragment"),
    [
        ("≈", [attr("grade"), 1], "opérateur inconnu"),
        ("<", [attr("service"), "RSA"], "valeurs ordonnées"),
        ("<", ["RSA", attr("service")], "premier opérande"),
        ("=", [attr("inconnu"), 1], "attribut de contexte inconnu"),
        ("=", [attr("grade"), "trois"], "n'est pas un(e) entier"),
        ("=", [attr("grade"), attr("service")], "est un(e) chaîne"),
        ("between", [attr("heure"), "08:00"], "prend 3 opérandes"),
        ("within-network", [attr("service"), "10.0.0.0/8"], "adresse IP"),
        ("within-network", [attr("ip"), "pas un réseau"], "réseau IP"),
        ("in", [attr("grade"), 3], "liste de valeurs"),
        ("in", [attr("grade"), [1, "x"]], "entier"),
    ],
)
def test_bad_condition_is_refused_when_defined_with_a_french_message(operator, operands, fragment):
    rbac = _engine()
    version = rbac.version
    with pytest.raises(InvalidArgument) as refused:
        rbac.add_context_constraint("c", [(operator, operands)])
    assert refused.value.code == "invalid_condition"
    assert fragment in refused.value.message
    assert rbac.version == version and "c" not in rbac.context_constraints()


def test_attribute_definition_is_checked_against_its_function():
    rbac = _engine()
    with pytest.raises(InvalidArgument, match="rend un"):
        rbac.add_context_attribute("h", function="current_time", domain="date")
    with pytest.raises(InvalidArgument, match="demande un paramètre"):
        rbac.add_context_attribute("g", function="subject_attribute", domain="int")
    with pytest.raises(InvalidArgument, match="Domaine inconnu"):
        rbac.add_context_attribute("g", function="subject_attribute", domain="float", parameter="g")
    with pytest.raises(InvalidArgument, match="Fonction de contexte inconnue"):
        rbac.add_context_attribute("g", function="lune")
    with pytest.raises(AlreadyExists):
        rbac.add_context_attribute("heure", function="current_time")


def test_links_need_known_permissions_and_constraints_and_attributes_in_use_stay():
    rbac = _engine()
    _constrain(rbac, ("<", [attr("grade"), 3]))
    with pytest.raises(NotFound):
        rbac.link_permission_constraint("supprimer", "dossier", "c")
    with pytest.raises(NotFound):
        rbac.link_permission_constraint("consulter", "dossier", "inconnue")
    with pytest.raises(AlreadyExists):
        rbac.link_permission_constraint("consulter", "dossier", "c")
    with pytest.raises(ConstraintViolation, match="utilisé"):
        rbac.delete_context_attribute("grade")
    rbac.delete_context_constraint("c")
    assert rbac.permission_constraints("consulter", "dossier") == set()
    rbac.delete_context_attribute("grade")
    assert "grade" not in rbac.context_attributes()


def test_activation_constraint_refuses_activation_outside_its_context():
    """Thesis 4.5.9: contextual constraints also apply to activation — here, only from the fund's network."""
    rbac = _engine()
    rbac.add_context_constraint("reseau_caf", [("within-network", [attr("ip"), "10.0.0.0/8"])])
    rbac.link_activation_constraint("agent", "reseau_caf")
    with pytest.raises(ConstraintViolation) as refused:
        rbac.create_session("alice", "s1", ["agent"], context={"client_ip": "192.0.2.1"})
    assert refused.value.code == "activation_condition"
    assert "« ip » dans le réseau 10.0.0.0/8 (valeur : 192.0.2.1)" in refused.value.message
    assert rbac.user_sessions("alice") == set()
    rbac.create_session("alice", "s1", [], context={"client_ip": "192.0.2.1"})
    with pytest.raises(ConstraintViolation):
        rbac.add_active_role("alice", "s1", "agent")  # no context: the address is missing
    rbac.add_active_role("alice", "s1", "agent", context={"client_ip": "10.9.8.7"})
    assert rbac.session_roles("s1") == {"agent"}
    assert rbac.activation_constraints("agent") == {"reseau_caf"}
    rbac.unlink_activation_constraint("agent", "reseau_caf")
    rbac.create_session("alice", "s2", ["agent"])



def test_activation_constraint_reads_the_users_stored_attributes_over_the_request():
    """At activation as at decision time, the user's stored attributes (the policy's information point) are the
    subject's, over those the request carries."""
    rbac = _engine()
    rbac.add_context_constraint("grade_3", [(">=", [attr("grade"), 3])])
    rbac.link_activation_constraint("agent", "grade_3")
    with pytest.raises(ConstraintViolation) as refused:
        rbac.create_session("alice", "s1", ["agent"], context={"subject": {"grade": 1}})
    assert refused.value.code == "activation_condition"
    rbac.create_session("alice", "s1", ["agent"], context={"subject": {"grade": 4}})
    rbac.set_user_attributes("alice", {"grade": 2})
    with pytest.raises(ConstraintViolation):
        rbac.create_session("alice", "s2", ["agent"], context={"subject": {"grade": 4}})
    rbac.set_user_attributes("alice", {"grade": 3})
    rbac.create_session("alice", "s2", ["agent"])
    rbac.create_session("alice", "s3", [])  # a role without activation constraints needs no context


def test_a_junior_activation_condition_binds_the_senior_that_inherits_it():
    """ENG-5 with ENG-2: a senior brings its junior's permissions, so the junior's activation condition must
    hold for the senior to be activated — refused otherwise, naming the junior (as DSD counts inherited juniors:
    the engine never activates part of a role). Regression: the junior's condition was not checked."""
    rbac = _engine()
    rbac.add_user("bob")
    rbac.add_role("chef")
    rbac.add_inheritance("chef", "agent")
    rbac.assign_user(user="bob", role="chef")
    rbac.add_context_constraint("reseau_caf", [("within-network", [attr("ip"), "10.0.0.0/8"])])
    rbac.link_activation_constraint("agent", "reseau_caf")
    outside = {"client_ip": "192.0.2.1"}
    for attempt in (
        lambda: rbac.create_session("bob", "s1", ["chef"], context=outside),
        lambda: rbac.check_activation("bob", ["chef"], context=outside),
    ):
        with pytest.raises(ConstraintViolation) as refused:
            attempt()
        assert refused.value.code == "activation_condition"
        assert refused.value.details["role"] == "chef" and refused.value.details["junior"] == "agent"
        assert "hérite du rôle « agent »" in refused.value.message
        assert "10.0.0.0/8" in refused.value.message
    rbac.create_session("bob", "s1", [], context=outside)
    with pytest.raises(ConstraintViolation):
        rbac.add_active_role("bob", "s1", "chef", context=outside)
    rbac.add_active_role("bob", "s1", "chef", context={"client_ip": "10.1.2.3"})
    assert rbac.session_roles("s1") == {"chef"}


def test_check_activation_does_not_count_as_a_session():
    """A decision's ``active_roles`` is checked like a session opening, but the user's maximum of sessions
    (ENG-6) counts only real sessions."""
    rbac = _engine()
    rbac.set_user_max_sessions("alice", 1)
    rbac.create_session("alice", "s1", ["agent"])
    rbac.check_activation("alice", ["agent"])
    with pytest.raises(ConstraintViolation) as refused:
        rbac.create_session("alice", "s2", ["agent"])
    assert refused.value.code == "user_max_sessions"
    rbac.delete_session("alice", "s1")
    rbac.create_session("alice", "s2", ["agent"])
