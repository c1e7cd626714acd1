"""ENG-5/ENG-11 property: with contextual and temporal constraints, the live engine, the snapshot's fast
`check` (guarded path) and `explain` decide the same, in every org unit and context — and without them the
snapshot decides exactly as before (unconditioned decisions unchanged)."""

from __future__ import annotations

import contextlib
from datetime import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from habpps.engine import RBAC, RBACError, attr

from .test_properties import OPERATIONS, PERMS, ROLES, SETUP, USERS

MOMENTS = [datetime(2024, 3, 4, 9, 0), datetime(2024, 3, 4, 23, 0), datetime(2024, 3, 9, 12, 0),
           datetime(2025, 6, 2, 9, 0)]
CONTEXTS = [{"now": now, "client_ip": ip} for now in MOMENTS for ip in ("10.0.0.5", "192.0.2.7")]

_TIMED = st.one_of(
    st.builds(lambda r, d: ("set_role_temporal", {"role": r, "weekdays": d}), st.sampled_from(ROLES),
              st.lists(st.integers(1, 7), min_size=1, max_size=3, unique=True)),
    st.builds(lambda r: ("set_role_temporal", {"role": r, "begin_time": "22:00", "end_time": "06:00"}),
              st.sampled_from(ROLES)),
    st.builds(lambda u: ("set_user_temporal", {"user": u, "end_date": "2024-12-31"}), st.sampled_from(USERS)),
    st.builds(lambda u, r, o: ("set_assignment_temporal", {"user": u, "role": r, "org": o,
                                                            "begin_date": "2025-01-01"}),
              st.sampled_from(USERS), st.sampled_from(ROLES), st.sampled_from([None, "o0", "o1", "o2"])),
    st.builds(lambda p, c: ("link_permission_constraint", {"operation": p[0], "obj": p[1], "constraint": c}),
              st.sampled_from(PERMS), st.sampled_from(["jour", "reseau"])),
)


def _engine(now: datetime) -> RBAC:
    rbac = RBAC(clock=lambda: now)
    rbac.add_context_attribute("j", function="weekday")
    rbac.add_context_attribute("ip", function="client_ip")
    rbac.add_context_constraint("jour", [("in", [attr("j"), [1, 2, 3, 4, 5]])])
    rbac.add_context_constraint("reseau", [("within-network", [attr("ip"), "10.0.0.0/8"])])
    return rbac


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(OPERATIONS, _TIMED, _TIMED), min_size=1, max_size=30))
def test_live_snapshot_and_explain_agree_under_conditions(calls):
    rbac = _engine(MOMENTS[0])
    for name, kwargs in SETUP + calls:
        with contextlib.suppress(RBACError):
            getattr(rbac, name)(**kwargs)
    snapshot = rbac.compile()
    orgs = [None, *sorted(rbac.org_units())]
    for context in CONTEXTS:
        for user in USERS:
            for op, obj in PERMS:
                for org in orgs:
                    check = snapshot.check(user, op, obj, org, context=context)
                    decision = snapshot.explain(user, op, obj, org, context=context)
                    assert decision.granted == check, (user, op, obj, org, context, decision.message)
                    if not check:
                        assert decision.message.startswith("Accès refusé")
        for session in sorted(rbac._state.sessions):
            user = rbac._state.sessions[session].user
            active = rbac.session_roles(session)
            for op, obj in PERMS:
                for org in orgs:
                    live = rbac.explain_access(session, op, obj, org, context={**context, "last_activity": None})
                    assert live.granted == snapshot.check(user, op, obj, org, active, context), (
                        session, op, obj, org, context, live.message)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(OPERATIONS, min_size=1, max_size=30))
def test_constraints_on_other_permissions_leave_unconditioned_decisions_unchanged(calls):
    plain = RBAC()
    for name, kwargs in SETUP + calls:
        with contextlib.suppress(RBACError):
            getattr(plain, name)(**kwargs)
    conditioned = RBAC.load(plain.export())
    conditioned.add_context_attribute("ip", function="client_ip")
    conditioned.add_context_constraint("reseau", [("within-network", [attr("ip"), "10.0.0.0/8"])])
    linked = PERMS[0]
    with contextlib.suppress(RBACError):
        conditioned.link_permission_constraint(linked[0], linked[1], "reseau")
    before, after = plain.compile(), conditioned.compile()
    for user in USERS:
        for op, obj in PERMS:
            for org in [None, *sorted(plain.org_units())]:
                expected = before.check(user, op, obj, org)
                if (op, obj) == linked:
                    assert after.check(user, op, obj, org, context={"client_ip": "10.1.1.1"}) == expected
                    assert not after.check(user, op, obj, org, context={"client_ip": "192.0.2.1"})
                else:
                    assert after.check(user, op, obj, org) == expected
