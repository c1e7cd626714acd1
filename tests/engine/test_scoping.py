"""ENG-8 data scoping (thesis 3.1.4 and 3.2): population rules (own org unit and below, own file, explicit
list; several per role with one default; parameterised by the role instance), information rules per field
(static and dynamic, anything unlisted forbidden) and action limits (all-or-nothing max records, confirmation
threshold, daily ceiling with counters behind a port)."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest

from habpps.engine import RBAC, InvalidArgument
from habpps.engine.context import attr
from habpps.engine.limits import InMemoryActionCounter, consume_daily
from habpps.engine.scoping import AnyOf, Everything, FieldIn, Nothing, union

NOW = datetime(2024, 3, 4, 10, 0)
RECORDS = [
    {"numero": "1", "org": "caf75", "nom": "Martin"},
    {"numero": "2", "org": "cd75", "nom": "Bernard"},
    {"numero": "3", "org": "ccas75", "nom": "Petit"},
    {"numero": "4", "org": "caf13", "nom": "Durand"},
]


@pytest.fixture()
def rbac() -> RBAC:
    engine = RBAC(clock=lambda: NOW)
    engine.add_org("national")
    engine.add_org("caf75", parent="national")
    engine.add_org("cd75", parent="caf75")
    engine.add_org("ccas75", parent="caf75")
    engine.add_org("caf13", parent="national")
    for role in ("gestionnaire", "salarie", "auditeur", "manager"):
        engine.add_role(role)
    engine.add_inheritance("manager", "salarie")
    for user in ("gina", "sam", "audrey", "max"):
        engine.add_user(user)
    engine.add_population_rule("gestionnaire", "dossier", "perimetre", "org_subtree", field="org", default=True)
    engine.add_population_rule("gestionnaire", "dossier", "unite_seule", "org_unit", field="org")
    engine.add_population_rule("salarie", "dossier", "le_sien", "own_file", field="numero", attribute="numero")
    engine.add_population_rule("auditeur", "dossier", "echantillon", "explicit", field="numero", values=["1", "4"])
    engine.add_population_rule("manager", "dossier", "tout", "all")
    return engine


def _visible(snapshot, user, **kwargs) -> list[str]:
    population = snapshot.population_filter(user, "dossier", **kwargs)
    return [r["numero"] for r in RECORDS if population.matches(r)]


def test_own_org_unit_and_below_parameterised_by_the_role_instance(rbac):
    rbac.assign_user("gina", "gestionnaire", org="caf75")
    snapshot = rbac.compile()
    population = snapshot.population_filter("gina", "dossier")
    assert population == FieldIn("org", frozenset({"caf75", "cd75", "ccas75"}))
    assert _visible(snapshot, "gina") == ["1", "2", "3"]
    rbac.assign_user("gina", "gestionnaire", org="caf13")
    assert _visible(rbac.compile(), "gina") == ["1", "2", "3", "4"]


def test_named_population_instead_of_the_default(rbac):
    rbac.assign_user("gina", "gestionnaire", org="caf75")
    assert _visible(rbac.compile(), "gina", population="unite_seule") == ["1"]


def test_own_file_reads_the_subject_attribute(rbac):
    rbac.assign_user("sam", "salarie")
    snapshot = rbac.compile()
    assert _visible(snapshot, "sam", context={"subject": {"numero": "3"}}) == ["3"]
    assert snapshot.population_filter("sam", "dossier") == Nothing()


def test_explicit_list_and_all(rbac):
    rbac.assign_user("audrey", "auditeur")
    rbac.assign_user("max", "manager")
    snapshot = rbac.compile()
    assert _visible(snapshot, "audrey") == ["1", "4"]
    assert snapshot.population_filter("max", "dossier") == Everything()


def test_no_rule_means_no_record_closed_policy(rbac):
    rbac.add_role("stagiaire")
    rbac.assign_user("sam", "stagiaire")
    assert rbac.compile().population_filter("sam", "dossier") == Nothing()
    assert rbac.compile().population_filter("sam", "autre_ressource") == Nothing()


def test_populations_inherit_and_union_over_role_instances(rbac):
    rbac.assign_user("sam", "manager")  # inherits « salarie »: own file, plus « tout »
    rbac.assign_user("audrey", "auditeur")
    rbac.assign_user("audrey", "gestionnaire", org="cd75")
    snapshot = rbac.compile()
    assert snapshot.population_filter("sam", "dossier", context={"subject": {"numero": "3"}}) == Everything()
    assert snapshot.population_filter("audrey", "dossier") == AnyOf(
        (FieldIn("numero", frozenset({"1", "4"})), FieldIn("org", frozenset({"cd75"}))))
    assert _visible(snapshot, "audrey") == ["1", "2", "4"]


def test_session_roles_limit_the_population(rbac):
    rbac.assign_user("audrey", "auditeur")
    rbac.assign_user("audrey", "gestionnaire", org="cd75")
    assert _visible(rbac.compile(), "audrey", active_roles={"auditeur"}) == ["1", "4"]


def test_union_simplifies():
    assert union([]) == Nothing()
    assert union([Nothing(), FieldIn("a", frozenset({1}))]) == FieldIn("a", frozenset({1}))
    assert union([FieldIn("a", frozenset({1})), FieldIn("a", frozenset({2}))]) == FieldIn("a", frozenset({1, 2}))
    assert union([FieldIn("a", frozenset({1})), Everything()]) == Everything()
    both = union([FieldIn("a", frozenset({1})), FieldIn("b", frozenset({2}))])
    assert isinstance(both, AnyOf) and both.matches({"b": 2}) and not both.matches({"a": 2})


def test_only_one_default_population_and_rule_validation(rbac):
    with pytest.raises(InvalidArgument, match="déjà une population par défaut"):
        rbac.add_population_rule("gestionnaire", "dossier", "autre", "org_unit", field="org", default=True)
    with pytest.raises(InvalidArgument, match="field"):
        rbac.add_population_rule("gestionnaire", "dossier", "x", "org_unit")
    with pytest.raises(InvalidArgument, match="attribute"):
        rbac.add_population_rule("gestionnaire", "dossier", "x", "own_file", field="numero")
    with pytest.raises(InvalidArgument):
        rbac.add_population_rule("gestionnaire", "dossier", "x", "voisins", field="org")


# -- information rules ---------------------------------------------------------------------------------------------
@pytest.fixture()
def hr(rbac) -> RBAC:
    """Thesis 3.1.4: « en fonction du grade de l'utilisateur il pourra visualiser ou non l'information Salaire »."""
    rbac.add_context_attribute("grade", function="subject_attribute", domain="int", parameter="grade")
    rbac.add_context_attribute("statut", function="object_attribute", domain="string", parameter="statut")
    rbac.add_context_constraint("cadre_superieur", [("≥", [attr("grade"), 7])])
    rbac.add_context_constraint("dossier_ouvert", [("=", [attr("statut"), "ouvert"])])
    rbac.set_field_access("gestionnaire", "dossier", "nom", "write")
    rbac.set_field_access("gestionnaire", "dossier", "adresse", "read")
    rbac.set_field_access("gestionnaire", "dossier", "adresse", "write", when="dossier_ouvert")
    rbac.set_field_access("gestionnaire", "dossier", "salaire", "forbidden")
    rbac.set_field_access("gestionnaire", "dossier", "salaire", "read", when="cadre_superieur")
    rbac.set_field_access("salarie", "dossier", "nom", "read")
    rbac.assign_user("gina", "gestionnaire", org="caf75")
    return rbac


def test_static_field_access_and_unlisted_fields_are_forbidden(hr):
    access = hr.compile().field_access("gina", "dossier", context={"subject": {"grade": 3}})
    assert access == {"nom": "write", "adresse": "read"}
    assert "iban" not in access
    explained = hr.compile().explain_field("gina", "dossier", "iban")
    assert explained.access == "forbidden" and "non listé" in explained.message


def test_dynamic_information_profile_on_subject_attributes(hr):
    snapshot = hr.compile()
    assert snapshot.field_access("gina", "dossier", context={"subject": {"grade": 8}})["salaire"] == "read"
    assert "salaire" not in snapshot.field_access("gina", "dossier", context={"subject": {"grade": 6}})
    decision = snapshot.explain_field("gina", "dossier", "salaire", context={"subject": {"grade": 8}})
    assert decision.role == "gestionnaire" and decision.when == "cadre_superieur"


def test_update_restriction_depends_on_field_values(hr):
    snapshot = hr.compile()
    assert snapshot.field_access("gina", "dossier", context={"object": {"statut": "ouvert"}})["adresse"] == "write"
    assert snapshot.field_access("gina", "dossier", context={"object": {"statut": "clos"}})["adresse"] == "read"


def test_strongest_access_over_roles_and_inherited_rules(hr):
    hr.assign_user("gina", "salarie")
    hr.assign_user("max", "manager")
    snapshot = hr.compile()
    assert snapshot.field_access("gina", "dossier")["nom"] == "write"
    assert snapshot.field_access("max", "dossier") == {"nom": "read"}


def test_field_rules_validation_and_cleanup(hr):
    with pytest.raises(InvalidArgument):
        hr.set_field_access("gestionnaire", "dossier", "nom", "peut-etre")
    hr.delete_context_constraint("cadre_superieur")
    assert [r.when for r in hr.field_rules("gestionnaire", "dossier")["salaire"]] == [None]


# -- action limits -----------------------------------------------------------------------------------------------
def test_max_records_is_all_or_nothing_and_confirmation_threshold(rbac):
    rbac.set_action_limits("gestionnaire", "requete", max_records=100, confirm_above=20)
    rbac.assign_user("gina", "gestionnaire", org="caf75")
    limits = rbac.compile().action_limits("gina", "requete")
    assert limits.selection(20).outcome == "allowed"
    asked = limits.selection(21)
    assert asked.outcome == "confirm" and not asked and "confirmez" in asked.message
    assert limits.selection(21, confirmed=True)
    refused = limits.selection(101, confirmed=True)
    assert refused.outcome == "refused" and "aucun dossier n'est sélectionné" in refused.message


def test_limits_combine_to_the_most_permissive_of_the_roles_that_set_them(rbac):
    rbac.set_action_limits("gestionnaire", "consulter", max_per_day=50, max_records=10)
    rbac.set_action_limits("auditeur", "consulter", max_per_day=200)
    rbac.assign_user("gina", "gestionnaire")
    rbac.assign_user("gina", "auditeur")
    limits = rbac.compile().action_limits("gina", "consulter")
    assert (limits.max_per_day, limits.max_records) == (200, None)
    assert rbac.compile().action_limits("sam", "consulter") is None
    with pytest.raises(InvalidArgument):
        rbac.set_action_limits("gestionnaire", "consulter", max_records=10, confirm_above=10)


def test_daily_ceiling_counts_outside_the_snapshot_and_resets_each_day(rbac):
    """CDP-9: per-user daily consultation ceiling."""
    rbac.set_action_limits("gestionnaire", "consulter", max_per_day=3)
    rbac.assign_user("gina", "gestionnaire")
    limits = rbac.compile().action_limits("gina", "consulter")
    counter = InMemoryActionCounter()
    assert [bool(consume_daily(limits, counter, "gina", "consulter", NOW)) for _ in range(4)] == [
        True, True, True, False]
    refused = consume_daily(limits, counter, "gina", "consulter", NOW)
    assert refused.count == 3 and "Plafond quotidien atteint" in refused.message
    assert consume_daily(limits, counter, "gina", "consulter", NOW + timedelta(days=1)).count == 1


def test_daily_ceiling_holds_under_concurrency(rbac):
    rbac.set_action_limits("gestionnaire", "consulter", max_per_day=100)
    rbac.assign_user("gina", "gestionnaire")
    limits = rbac.compile().action_limits("gina", "consulter")
    counter = InMemoryActionCounter()
    granted = []

    def worker() -> None:
        granted.extend(bool(consume_daily(limits, counter, "gina", "consulter", NOW)) for _ in range(50))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert granted.count(True) == 100 and counter.count("gina", "consulter", NOW.date()) == 100
