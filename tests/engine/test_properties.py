"""Differential property tests (ENG-1..4, 6, 9, 11): random administrative and session call sequences run on
the engine and on the naive reference model; after every step they must agree, and the invariants hold."""

from __future__ import annotations

import contextlib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from habpps.engine import RBAC, RBACError

from .reference import Reference, Refused

USERS = ["u0", "u1", "u2"]
ROLES = ["r0", "r1", "r2", "r3"]
ORGS = ["o0", "o1", "o2"]
GROUPS = ["g0", "g1"]
SESSIONS = ["s0", "s1", "s2"]
SETS = ["x", "y"]
PERMS = [("read", "f1"), ("write", "f1"), ("read", "f2")]

user = st.sampled_from(USERS)
role = st.sampled_from(ROLES)
org = st.sampled_from(ORGS)
opt_org = st.one_of(st.none(), org)
member = st.one_of(role, role, role, st.tuples(role, org))
perm = st.sampled_from(PERMS)

_assign = st.builds(lambda u, r, o: ("assign_user", {"user": u, "role": r, "org": o}), user, role, opt_org)
# Sessions mostly named with their owner, so that activation reaches the DSD checks.
_owned = st.sampled_from(list(zip(USERS, SESSIONS, strict=True)))
_activate = st.builds(lambda us, r: ("add_active_role", {"user": us[0], "session": us[1], "role": r}), _owned, role)
_sod = st.builds(lambda k, n, rs, c: (f"create_{k}_set", {"name": n, "roles": rs, "cardinality": c}),
                 st.sampled_from(["ssd", "dsd"]), st.sampled_from(SETS),
                 st.lists(member, min_size=2, max_size=4, unique=True), st.integers(2, 3))
_inherit = st.builds(lambda a, d: ("add_inheritance", {"ascendant": a, "descendant": d}), role, role)
_join = st.builds(lambda g, u: ("add_group_member", {"group": g, "user": u}), st.sampled_from(GROUPS), user)

CONSTRUCTIVE = st.one_of(
    _assign, _sod, _inherit, _join,
    st.builds(lambda u: ("add_user", {"user": u}), user),
    st.builds(lambda r: ("add_role", {"role": r}), role),
    st.builds(lambda p, r: ("grant_permission", {"operation": p[0], "obj": p[1], "role": r}), perm, role),
    st.builds(lambda k, n, m: (f"add_{k}_role_member", {"name": n, "role": m}),
              st.sampled_from(["ssd", "dsd"]), st.sampled_from(SETS), member),
    st.builds(lambda k, n, c: (f"set_{k}_set_cardinality", {"name": n, "cardinality": c}),
              st.sampled_from(["ssd", "dsd"]), st.sampled_from(SETS), st.integers(2, 3)),
    st.builds(lambda o, p: ("add_org", {"org": o, "parent": p}), org, opt_org),
    st.builds(lambda g: ("add_group", {"group": g}), st.sampled_from(GROUPS)),
    st.builds(lambda g, r, o: ("assign_group", {"group": g, "role": r, "org": o}),
              st.sampled_from(GROUPS), role, opt_org),
    st.builds(lambda r, d: ("set_role_descends", {"role": r, "descends": d}), role, st.booleans()),
)
SESSION_CALLS = st.one_of(
    _activate,
    st.builds(lambda u, s, rs: ("create_session", {"user": u, "session": s, "roles": rs}),
              user, st.sampled_from(SESSIONS), st.lists(role, max_size=3, unique=True)),
    st.builds(lambda u, s: ("delete_session", {"user": u, "session": s}), user, st.sampled_from(SESSIONS)),
    st.builds(lambda u, s, r: ("drop_active_role", {"user": u, "session": s, "role": r}),
              user, st.sampled_from(SESSIONS), role),
)
DESTRUCTIVE = st.one_of(
    st.builds(lambda u: ("delete_user", {"user": u}), user),
    st.builds(lambda r: ("delete_role", {"role": r}), role),
    st.builds(lambda u, r, o: ("deassign_user", {"user": u, "role": r, "org": o}), user, role, opt_org),
    st.builds(lambda p, r: ("revoke_permission", {"operation": p[0], "obj": p[1], "role": r}), perm, role),
    st.builds(lambda a, d: ("delete_inheritance", {"ascendant": a, "descendant": d}), role, role),
    st.builds(lambda k, n, m: (f"delete_{k}_role_member", {"name": n, "role": m}),
              st.sampled_from(["ssd", "dsd"]), st.sampled_from(SETS), member),
    st.builds(lambda k, n: (f"delete_{k}_set", {"name": n}), st.sampled_from(["ssd", "dsd"]),
              st.sampled_from(SETS)),
    st.builds(lambda o: ("delete_org", {"org": o}), org),
    st.builds(lambda g: ("delete_group", {"group": g}), st.sampled_from(GROUPS)),
    st.builds(lambda g, u: ("remove_group_member", {"group": g, "user": u}), st.sampled_from(GROUPS), user),
    st.builds(lambda g, r, o: ("deassign_group", {"group": g, "role": r, "org": o}),
              st.sampled_from(GROUPS), role, opt_org),
    st.builds(lambda r, c: ("set_role_max_users", {"role": r, "cardinality": c}), role, st.integers(1, 3)),
    st.builds(lambda u, c: ("set_user_max_roles", {"user": u, "cardinality": c}), user, st.integers(1, 3)),
    st.builds(lambda u, c: ("set_user_max_sessions", {"user": u, "cardinality": c}), user, st.integers(1, 3)),
)
# Weighted so that policies grow and sessions live long enough for constraints to bite.
OPERATIONS = st.one_of(CONSTRUCTIVE, CONSTRUCTIVE, CONSTRUCTIVE, SESSION_CALLS, SESSION_CALLS, DESTRUCTIVE)

# Sequences start from a small populated policy so that most random calls are meaningful.
SETUP = (
    [("add_user", {"user": u}) for u in USERS]
    + [("add_role", {"role": r}) for r in ROLES]
    + [("add_org", {"org": "o0", "parent": None}), ("add_org", {"org": "o1", "parent": "o0"}),
       ("add_org", {"org": "o2", "parent": "o1"})]
    + [("add_group", {"group": g}) for g in GROUPS]
    + [("grant_permission", {"operation": p[0], "obj": p[1], "role": r}) for p, r in zip(PERMS, ROLES, strict=False)]
    + [("assign_user", {"user": "u0", "role": "r0", "org": None}),
       ("assign_user", {"user": "u0", "role": "r1", "org": "o2"}),
       ("assign_user", {"user": "u1", "role": "r1", "org": "o1"}),
       ("add_group_member", {"group": "g0", "user": "u2"}),
       ("assign_group", {"group": "g0", "role": "r2", "org": "o0"})]
    + [("create_session", {"user": u, "session": s, "roles": []}) for u, s in zip(USERS, SESSIONS, strict=True)]
)


def _observable(rbac: RBAC) -> tuple:
    sessions = {s: (rbac._state.sessions[s].user, frozenset(rbac.session_roles(s))) for s in rbac._state.sessions}
    return (rbac.export(), sessions)


def _assert_agree(rbac: RBAC, ref: Reference) -> None:
    snapshot = rbac.compile()
    assert set(rbac.users()) == set(ref.users)
    assert set(rbac.roles()) == set(ref.roles)
    for u in ref.users:
        assert rbac.authorized_roles(u) == ref.authorized(u), u
        assert rbac.assigned_roles(u) == ref.assigned_roles(u), u
        all_active = ref.authorized(u)
        for op, obj in PERMS:
            for where in [None, *ref.orgs]:
                expected = ref.granted(u, all_active, op, obj, where)
                assert snapshot.check(u, op, obj, where) == expected, (u, op, obj, where)
                assert snapshot.explain(u, op, obj, where).granted == expected
    for s, (u, active) in ref.sessions.items():
        assert rbac.session_roles(s) == active
        for op, obj in PERMS:
            for where in [None, *ref.orgs]:
                expected = ref.granted(u, active, op, obj, where)
                assert rbac.check_access(session=s, operation=op, obj=obj, org=where) == expected
                decision = rbac.explain_access(session=s, operation=op, obj=obj, org=where)
                assert decision.granted == expected
                assert bool(decision.message)
                assert snapshot.check(u, op, obj, where, active_roles=active) == expected
                assert snapshot.explain(u, op, obj, where, active_roles=active).granted == expected
    # SSD / DSD never violated, whatever was called.
    for members, n in ref.ssd.values():
        for u in ref.users:
            assert sum(ref.holds_static(u, m) for m in members) < n
    for members, n in ref.dsd.values():
        for u, active in ref.sessions.values():
            assert sum(ref.holds_dynamic(u, active, m) for m in members) < n
    assert rbac.ssd_role_sets() == set(ref.ssd)
    assert rbac.dsd_role_sets() == set(ref.dsd)
    for name, (members, n) in ref.ssd.items():
        assert rbac.ssd_role_set_roles(name) == members
        assert rbac.ssd_role_set_cardinality(name) == n


def _run(rbac: RBAC, ref: Reference, name: str, kwargs: dict) -> None:
    before = _observable(rbac)
    version = rbac.version
    try:
        ref.apply(name, {k: v for k, v in kwargs.items()})
        ref_ok = True
    except Refused:
        ref_ok = False
    try:
        getattr(rbac, name)(**kwargs)
        engine_ok = True
    except RBACError as exc:
        engine_ok = False
        assert exc.code and exc.message
        assert _observable(rbac) == before, f"{name} refused but changed the policy"
        assert rbac.version == version
    assert engine_ok == ref_ok, f"{name}({kwargs}): engine {'accepted' if engine_ok else 'refused'}"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(OPERATIONS, min_size=10, max_size=50))
def test_engine_agrees_with_reference_model_on_random_sequences(calls):
    rbac, ref = RBAC(), Reference()
    for name, kwargs in SETUP:
        _run(rbac, ref, name, kwargs)
    for name, kwargs in calls:
        _run(rbac, ref, name, kwargs)
        _assert_agree(rbac, ref)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(OPERATIONS, min_size=1, max_size=30))
def test_policy_document_round_trip_is_exact(calls):
    """ENG-10: export → load → export gives the same document, and the loaded engine decides the same."""
    rbac = RBAC()
    for name, kwargs in SETUP + calls:
        with contextlib.suppress(RBACError):
            getattr(rbac, name)(**kwargs)
    doc = rbac.export()
    loaded = RBAC.load(doc)
    assert loaded.export() == doc
    original, copy = rbac.compile(), loaded.compile()
    for u in USERS:
        for op, obj in PERMS:
            for where in [None, *rbac.org_units()]:
                assert original.check(u, op, obj, where) == copy.check(u, op, obj, where)
