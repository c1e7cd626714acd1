"""ENG-5 temporal constraints as Apache Fortress has them — on users, roles and assignments: validity dates,
daily window (also across midnight), weekdays, blackout dates, idle timeout — checked at activation and at
decision, with a controllable clock."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from habpps.engine import RBAC, ConstraintViolation, InvalidArgument, NotFound
from habpps.engine.scoping import Everything, Nothing
from habpps.engine.temporal import TemporalConstraint


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


MONDAY = datetime(2024, 3, 4, 10, 0)


@pytest.fixture()
def clock() -> Clock:
    return Clock(MONDAY)


@pytest.fixture()
def rbac(clock: Clock) -> RBAC:
    engine = RBAC(clock=clock)
    engine.add_org("caf75")
    engine.add_user("alice")
    engine.add_role("agent")
    engine.add_role("nuit")
    engine.grant_permission("consulter", "dossier", "agent")
    engine.grant_permission("surveiller", "serveur", "nuit")
    engine.assign_user("alice", "agent", org="caf75")
    engine.assign_user("alice", "nuit")
    return engine


def _granted(rbac: RBAC, when: datetime, operation: str = "consulter", obj: str = "dossier") -> bool:
    snapshot = rbac.compile()
    context = {"now": when}
    check = snapshot.check("alice", operation, obj, context=context)
    assert snapshot.explain("alice", operation, obj, context=context).granted == check
    return check


def test_role_validity_dates_include_both_ends(rbac):
    rbac.set_role_temporal("agent", begin_date="2024-03-01", end_date="2024-03-31")
    assert not _granted(rbac, datetime(2024, 2, 29, 12))
    assert _granted(rbac, datetime(2024, 3, 1, 0, 0))
    assert _granted(rbac, datetime(2024, 3, 31, 23, 59))
    assert not _granted(rbac, datetime(2024, 4, 1, 0, 0))


def test_daily_window_is_half_open(rbac):
    rbac.set_role_temporal("agent", begin_time="08:00", end_time="18:00")
    assert _granted(rbac, MONDAY.replace(hour=8))
    assert not _granted(rbac, MONDAY.replace(hour=18))
    assert not _granted(rbac, MONDAY.replace(hour=7, minute=59))


def test_daily_window_across_midnight(rbac):
    rbac.set_role_temporal("nuit", begin_time=time(22, 0), end_time=time(6, 0))
    assert _granted(rbac, MONDAY.replace(hour=23), "surveiller", "serveur")
    assert _granted(rbac, MONDAY.replace(hour=5, minute=59), "surveiller", "serveur")
    assert not _granted(rbac, MONDAY.replace(hour=6), "surveiller", "serveur")
    assert not _granted(rbac, MONDAY.replace(hour=12), "surveiller", "serveur")


def test_weekdays_and_blackout_dates(rbac):
    rbac.set_role_temporal("agent", weekdays=[1, 2, 3, 4, 5], blackouts=[("2024-03-05", "2024-03-06")])
    assert _granted(rbac, MONDAY)
    assert not _granted(rbac, MONDAY + timedelta(days=1))  # blackout
    assert not _granted(rbac, MONDAY + timedelta(days=2))  # blackout, last day included
    assert _granted(rbac, MONDAY + timedelta(days=3))
    assert not _granted(rbac, MONDAY + timedelta(days=5))  # Saturday
    decision = rbac.compile().explain("alice", "consulter", "dossier", context={"now": MONDAY + timedelta(days=5)})
    assert decision.reason == "unavailable"
    assert "pas le samedi" in decision.message


def test_user_constraint_denies_everything(rbac):
    rbac.set_user_temporal("alice", end_date=date(2024, 3, 3))
    assert not _granted(rbac, MONDAY)
    assert not _granted(rbac, MONDAY, "surveiller", "serveur")
    decision = rbac.compile().explain("alice", "consulter", "dossier")
    assert decision.failed_constraints[0]["on"] == "user"
    assert "jusqu'au 03/03/2024" in decision.message


def test_assignment_constraint_only_affects_that_assignment(rbac):
    rbac.set_assignment_temporal("alice", "agent", org="caf75", begin_date="2024-04-01")
    assert not _granted(rbac, MONDAY)
    assert _granted(rbac, MONDAY, "surveiller", "serveur")
    assert _granted(rbac, datetime(2024, 4, 1, 9))


def test_group_assignment_constraint_applies_to_every_member(rbac):
    rbac.add_user("bob")
    rbac.add_group("equipe")
    rbac.add_group_member("equipe", "bob")
    rbac.assign_group("equipe", "agent")
    rbac.set_group_assignment_temporal("equipe", "agent", weekdays=[6, 7])
    snapshot = rbac.compile()
    assert not snapshot.check("bob", "consulter", "dossier")
    assert snapshot.check("bob", "consulter", "dossier", context={"now": datetime(2024, 3, 9, 10)})


def test_another_available_assignment_still_grants(rbac):
    rbac.add_org("caf13")
    rbac.assign_user("alice", "agent", org="caf13")
    rbac.set_assignment_temporal("alice", "agent", org="caf75", end_date="2024-01-01")
    snapshot = rbac.compile()
    assert snapshot.check("alice", "consulter", "dossier", org="caf13")
    assert not snapshot.check("alice", "consulter", "dossier", org="caf75")
    assert snapshot.check("alice", "consulter", "dossier")


def test_activation_outside_the_window_is_refused_and_changes_nothing(rbac, clock):
    rbac.set_role_temporal("nuit", begin_time="22:00", end_time="06:00")
    with pytest.raises(ConstraintViolation) as refused:
        rbac.create_session("alice", "s1", ["nuit"])
    assert refused.value.code == "temporal_constraint"
    assert "de 22:00 à 06:00" in refused.value.message
    assert rbac.user_sessions("alice") == set()
    rbac.create_session("alice", "s1", ["agent"])
    with pytest.raises(ConstraintViolation):
        rbac.add_active_role("alice", "s1", "nuit")
    assert rbac.session_roles("s1") == {"agent"}
    clock.now = MONDAY.replace(hour=23)
    rbac.add_active_role("alice", "s1", "nuit")
    assert rbac.check_access("s1", "surveiller", "serveur")


def test_live_decision_rechecks_time_after_activation(rbac, clock):
    rbac.set_role_temporal("agent", begin_time="08:00", end_time="18:00")
    rbac.create_session("alice", "s1", ["agent"])
    assert rbac.check_access("s1", "consulter", "dossier")
    clock.now = MONDAY.replace(hour=19)
    decision = rbac.explain_access("s1", "consulter", "dossier")
    assert not decision.granted and decision.reason == "unavailable"
    assert decision.failed_constraints[0]["role"] == "agent"


def test_idle_timeout_in_a_live_session(rbac, clock):
    rbac.set_role_temporal("agent", timeout_minutes=30)
    rbac.create_session("alice", "s1", ["agent"])
    clock.now = MONDAY + timedelta(minutes=20)
    assert rbac.check_access("s1", "consulter", "dossier")  # activity at 10:20
    clock.now = MONDAY + timedelta(minutes=45)
    assert rbac.check_access("s1", "consulter", "dossier")  # 25 minutes idle
    clock.now = MONDAY + timedelta(minutes=80)
    decision = rbac.explain_access("s1", "consulter", "dossier")
    assert not decision.granted
    assert "inactif depuis plus de 30 minute(s)" in decision.message


def test_idle_timeout_in_a_snapshot_reads_last_activity_from_the_context(rbac):
    rbac.set_role_temporal("agent", timeout_minutes=30)
    snapshot = rbac.compile()
    recent = {"now": MONDAY, "last_activity": MONDAY - timedelta(minutes=10)}
    stale = {"now": MONDAY, "last_activity": (MONDAY - timedelta(minutes=31)).isoformat()}
    assert snapshot.check("alice", "consulter", "dossier", context=recent)
    assert not snapshot.check("alice", "consulter", "dossier", context=stale)
    assert not snapshot.check("alice", "consulter", "dossier", active_roles={"agent"}, context=stale)


def test_session_snapshot_check_uses_the_active_role_window(rbac):
    rbac.add_role("senior")
    rbac.add_inheritance("senior", "agent")
    rbac.assign_user("alice", "senior")
    rbac.set_role_temporal("agent", weekdays=[1])
    snapshot = rbac.compile()
    tuesday = {"now": MONDAY + timedelta(days=1)}
    assert not snapshot.check("alice", "consulter", "dossier", active_roles={"agent"}, context=tuesday)
    assert snapshot.check("alice", "consulter", "dossier", active_roles={"senior"}, context=tuesday)


def test_data_scoping_binds_a_role_window_where_decisions_do(rbac):
    """A junior's window binds it when it is the active role, not when a senior brings it along — in the lists
    (population, fields, limits) exactly as in the decisions above, so a list never hides what is granted."""
    rbac.add_role("senior")
    rbac.add_inheritance("senior", "agent")
    rbac.assign_user("alice", "senior")
    rbac.add_population_rule("agent", "dossier", "tout", "all", default=True)
    rbac.set_field_access("agent", "dossier", "montant", "read")
    rbac.set_role_temporal("agent", weekdays=[1])
    snapshot = rbac.compile()
    tuesday = {"now": MONDAY + timedelta(days=1)}
    for active, granted in (({"senior"}, True), ({"agent"}, False), (None, True)):
        assert snapshot.check("alice", "consulter", "dossier", active_roles=active, context=tuesday) is granted
        population = snapshot.population_filter("alice", "dossier", active_roles=active, context=tuesday)
        assert isinstance(population, Everything if granted else Nothing)
        fields = snapshot.field_access("alice", "dossier", active_roles=active, context=tuesday)
        assert fields == ({"montant": "read"} if granted else {})
    rbac.set_role_temporal("senior", weekdays=[1])
    snapshot = rbac.compile()
    assert isinstance(snapshot.population_filter("alice", "dossier", context=tuesday), Nothing)
    assert not snapshot.check("alice", "consulter", "dossier", context=tuesday)


def test_lifting_a_constraint_and_cleanup_on_deassignment(rbac):
    rbac.set_role_temporal("agent", weekdays=[7])
    assert not _granted(rbac, MONDAY)
    rbac.set_role_temporal("agent")
    assert _granted(rbac, MONDAY)
    rbac.set_assignment_temporal("alice", "agent", org="caf75", weekdays=[7])
    rbac.deassign_user("alice", "agent", org="caf75")
    rbac.assign_user("alice", "agent", org="caf75")
    assert _granted(rbac, MONDAY)
    assert rbac.temporal_constraints()["assignments"] == {}


@pytest.mark.parametrize(
    "fields",
    [
        {"begin_date": "2024-05-01", "end_date": "2024-04-01"},
        {"begin_time": "08:00"},
        {"begin_time": "08:00", "end_time": "08:00"},
        {"weekdays": [0]},
        {"blackouts": [("2024-05-02", "2024-05-01")]},
        {"timeout_minutes": 0},
        {"begin_date": "demain"},
        {"couleur": "bleu"},
    ],
)
def test_malformed_temporal_constraints_are_refused(rbac, fields):
    version = rbac.version
    with pytest.raises(InvalidArgument) as refused:
        rbac.set_role_temporal("agent", **fields)
    assert refused.value.code == "invalid_temporal"
    assert rbac.version == version


def test_assignment_constraint_needs_the_assignment(rbac):
    with pytest.raises(NotFound):
        rbac.set_assignment_temporal("alice", "agent", temporal={"weekdays": [1]})


def test_constraint_document_form_round_trips():
    constraint = TemporalConstraint.build(
        begin_date="2024-01-01", end_date="2024-12-31", begin_time="22:00", end_time="06:30", weekdays=[1, 5],
        blackouts=[{"start": "2024-08-01", "end": "2024-08-15"}], timeout_minutes=15,
    )
    assert TemporalConstraint.build(constraint.as_dict()) == constraint
