"""Gap analysis between declared and used rights, and the preview of proposed changes (RE-6)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from habpps.roleeng.gap import Change, DeclaredRights, analyse_gap, apply_changes, preview_changes

DECLARED = DeclaredRights(
    user_roles={"alice": {"instructeur"}, "bob": {"instructeur", "superviseur"}, "carole": {"superviseur"}},
    role_permissions={
        "instructeur": {"dossier:lire", "dossier:modifier"},
        "superviseur": {"tableau:lire", "alerte:acquitter"},
    },
    direct_permissions={"carole": {"export:csv"}},
)
USED = {
    "alice": {"dossier:lire", "dossier:modifier"},
    "bob": {"dossier:lire"},
    "carole": {"tableau:lire", "journal:lire"},
}


def test_unused_rights_are_reported_per_user_and_per_role():
    report = analyse_gap(DECLARED, USED)
    assert report.unused_by_user == {
        "bob": frozenset({"dossier:modifier", "tableau:lire", "alerte:acquitter"}),
        "carole": frozenset({"alerte:acquitter", "export:csv"}),
    }
    assert report.unused_by_role == {"superviseur": frozenset({"alerte:acquitter"})}
    assert report.unused_roles_by_user == {"bob": frozenset({"superviseur"})}


def test_uses_that_nothing_declares_are_reported():
    assert analyse_gap(DECLARED, USED).undeclared_uses == {"carole": frozenset({"journal:lire"})}


def test_users_outside_the_mined_role_patterns_are_listed_with_what_is_unexplained():
    mined = [{"dossier:lire"}, {"dossier:lire", "dossier:modifier"}, {"tableau:lire"}]
    report = analyse_gap(DECLARED, USED, mined_roles=mined)
    assert report.outside_patterns == {"carole": frozenset({"journal:lire"})}


def test_proposed_changes_and_their_preview_say_who_loses_what():
    report = analyse_gap(DECLARED, USED)
    kinds = {(c.kind, c.user, c.role, c.permission) for c in report.changes}
    assert kinds == {
        ("deassign_user", "bob", "superviseur", None),
        ("revoke_permission", None, "superviseur", "alerte:acquitter"),
        ("revoke_direct_permission", "carole", None, "export:csv"),
    }
    assert all(c.reason for c in report.changes)
    assert preview_changes(DECLARED, report.changes) == {
        "bob": frozenset({"tableau:lire", "alerte:acquitter"}),
        "carole": frozenset({"alerte:acquitter", "export:csv"}),
    }


def test_applying_changes_leaves_the_declared_policy_untouched():
    apply_changes(DECLARED, [Change("deassign_user", "test", user="alice", role="instructeur")])
    assert DECLARED.user_roles["alice"] == {"instructeur"}


_names = st.sampled_from(["a", "b", "c", "d"])
_perms = st.frozensets(st.sampled_from(["p1", "p2", "p3", "p4", "p5"]))


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(_names, st.frozensets(st.sampled_from(["r1", "r2", "r3"]))),
    st.dictionaries(st.sampled_from(["r1", "r2", "r3"]), _perms),
    st.dictionaries(_names, _perms),
    st.dictionaries(_names, _perms),
)
def test_applied_proposals_never_take_away_a_used_right(user_roles, role_permissions, direct, used):
    declared = DeclaredRights(user_roles, role_permissions, direct)
    report = analyse_gap(declared, used)
    after = apply_changes(declared, report.changes)
    for user in declared.users():
        before = declared.permissions_of(user)
        assert before & set(used.get(user, ())) <= after.permissions_of(user)
        assert after.permissions_of(user) <= before
        lost = preview_changes(declared, report.changes).get(user, frozenset())
        assert lost == before - after.permissions_of(user)
        assert not lost & set(used.get(user, ()))
