"""ENG-4 groups and ENG-6 cardinalities."""

import pytest

from habpps.engine import AlreadyExists, ConstraintViolation, InvalidArgument, NotFound


def test_roles_assigned_to_a_group_apply_to_its_members(rbac):
    rbac.add_group("redaction")
    rbac.assign_group(group="redaction", role="redacteur")
    rbac.add_group_member(group="redaction", user="carol")
    assert rbac.assigned_roles(user="carol") == {"redacteur"}
    assert rbac.assigned_users(role="redacteur") == {"carol"}
    rbac.create_session(user="carol", session="c", roles=["redacteur"])
    assert rbac.check_access(session="c", operation="ecrire", obj="dossier")
    rbac.remove_group_member(group="redaction", user="carol")
    assert rbac.session_roles(session="c") == set()
    with pytest.raises(NotFound):
        rbac.remove_group_member(group="redaction", user="carol")


def test_deassign_and_delete_group_drop_session_roles(rbac):
    rbac.add_group("g")
    rbac.assign_group(group="g", role="redacteur")
    rbac.add_group_member(group="g", user="carol")
    with pytest.raises(AlreadyExists):
        rbac.add_group_member(group="g", user="carol")
    with pytest.raises(AlreadyExists):
        rbac.assign_group(group="g", role="redacteur")
    rbac.create_session(user="carol", session="c", roles=["redacteur"])
    rbac.deassign_group(group="g", role="redacteur")
    assert rbac.session_roles(session="c") == set()
    rbac.assign_group(group="g", role="redacteur")
    rbac.add_active_role(user="carol", session="c", role="redacteur")
    rbac.delete_group("g")
    assert rbac.session_roles(session="c") == set()
    assert rbac.user_groups("carol") == set()


def test_max_users_per_role(rbac):
    rbac.set_role_max_users(role="verificateur", cardinality=1)
    rbac.assign_user(user="carol", role="verificateur")
    with pytest.raises(ConstraintViolation) as err:
        rbac.assign_user(user="bob", role="verificateur")
    assert err.value.code == "role_max_users"
    rbac.add_group("g")
    rbac.add_group_member(group="g", user="bob")
    with pytest.raises(ConstraintViolation):
        rbac.assign_group(group="g", role="verificateur")
    with pytest.raises(InvalidArgument):
        rbac.set_role_max_users(role="lecteur", cardinality=0)


def test_max_roles_per_user_and_max_sessions(rbac):
    rbac.set_user_max_roles(user="carol", cardinality=1)
    rbac.assign_user(user="carol", role="redacteur")
    with pytest.raises(ConstraintViolation) as err:
        rbac.assign_user(user="carol", role="lecteur")
    assert err.value.code == "user_max_roles"
    rbac.set_user_max_sessions(user="carol", cardinality=1)
    rbac.create_session(user="carol", session="c1")
    with pytest.raises(ConstraintViolation) as err:
        rbac.create_session(user="carol", session="c2")
    assert err.value.code == "user_max_sessions"
    rbac.assign_user(user="alice", role="redacteur")
    with pytest.raises(ConstraintViolation):  # already held by carol and alice
        rbac.set_role_max_users(role="redacteur", cardinality=1)
