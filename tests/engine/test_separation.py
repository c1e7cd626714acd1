"""ENG-2 SSD (authorized roles, hierarchy included) and DSD (active roles and their juniors)."""

import pytest

from habpps.engine import AlreadyExists, ConstraintViolation, InvalidArgument, NotFound


def test_ssd_counts_authorized_roles_through_the_hierarchy(rbac):
    rbac.create_ssd_set(name="saisie-validation", roles=["lecteur", "verificateur"], cardinality=2)
    # alice is chef, hence authorized for lecteur: verificateur would make 2 members
    with pytest.raises(ConstraintViolation) as err:
        rbac.assign_user(user="alice", role="verificateur")
    assert err.value.code == "ssd_violation"
    assert "saisie-validation" in err.value.message
    rbac.assign_user(user="carol", role="verificateur")


def test_ssd_checked_on_creation_member_addition_cardinality_and_inheritance(rbac):
    rbac.assign_user(user="carol", role="lecteur")
    rbac.assign_user(user="carol", role="redacteur")
    with pytest.raises(ConstraintViolation):
        rbac.create_ssd_set(name="x", roles=["lecteur", "redacteur"], cardinality=2)
    rbac.create_ssd_set(name="x", roles=["lecteur", "redacteur", "verificateur"], cardinality=3)
    with pytest.raises(ConstraintViolation):
        rbac.set_ssd_set_cardinality(name="x", cardinality=2)
    rbac.create_ssd_set(name="y", roles=["verificateur", "chef"], cardinality=2)
    with pytest.raises(ConstraintViolation):
        rbac.add_inheritance(ascendant="chef", descendant="verificateur")  # alice would hold both
    rbac.create_ssd_set(name="w", roles=["redacteur", "verificateur"], cardinality=2)
    with pytest.raises(ConstraintViolation):
        rbac.add_ssd_role_member(name="w", role="lecteur")  # carol holds lecteur and redacteur
    assert rbac.ssd_role_set_roles(name="w") == {"redacteur", "verificateur"}


def test_ssd_checked_on_group_membership_and_group_assignment(rbac):
    rbac.create_ssd_set(name="x", roles=["lecteur", "verificateur"], cardinality=2)
    rbac.add_group("verifs")
    rbac.assign_group(group="verifs", role="verificateur")
    with pytest.raises(ConstraintViolation):
        rbac.add_group_member(group="verifs", user="bob")
    rbac.add_group("lecteurs")
    rbac.add_group_member(group="lecteurs", user="carol")
    rbac.add_group_member(group="verifs", user="carol")
    with pytest.raises(ConstraintViolation):
        rbac.assign_group(group="lecteurs", role="lecteur")


def test_sod_set_arguments_are_validated(rbac):
    with pytest.raises(InvalidArgument) as err:
        rbac.create_ssd_set(name="x", roles=["lecteur", "redacteur"], cardinality=1)
    assert err.value.code == "cardinality_too_small"
    with pytest.raises(InvalidArgument):
        rbac.create_ssd_set(name="x", roles=["lecteur", "redacteur"], cardinality=3)
    with pytest.raises(NotFound):
        rbac.create_ssd_set(name="x", roles=["lecteur", "inconnu"], cardinality=2)
    with pytest.raises(InvalidArgument):
        rbac.create_ssd_set(name="x", roles="lecteur", cardinality=2)
    rbac.create_ssd_set(name="x", roles=["lecteur", "redacteur"], cardinality=2)
    with pytest.raises(AlreadyExists):
        rbac.create_ssd_set(name="x", roles=["lecteur", "redacteur"], cardinality=2)


def test_delete_sod_member_keeps_at_least_cardinality_members(rbac):
    rbac.create_ssd_set(name="x", roles=["lecteur", "redacteur", "verificateur"], cardinality=2)
    rbac.delete_ssd_role_member(name="x", role="verificateur")
    with pytest.raises(ConstraintViolation) as err:
        rbac.delete_ssd_role_member(name="x", role="redacteur")
    assert err.value.code == "cardinality_exceeds_members"
    with pytest.raises(NotFound):
        rbac.delete_ssd_role_member(name="x", role="verificateur")
    assert rbac.ssd_role_sets() == {"x"}
    assert rbac.ssd_role_set_roles(name="x") == {"lecteur", "redacteur"}
    assert rbac.ssd_role_set_cardinality(name="x") == 2
    rbac.delete_ssd_set(name="x")
    assert rbac.ssd_role_sets() == set()
    with pytest.raises(NotFound):
        rbac.delete_ssd_set(name="x")


def test_dsd_counts_active_roles_and_their_juniors(rbac):
    rbac.assign_user(user="alice", role="verificateur")
    rbac.create_dsd_set(name="d", roles=["lecteur", "verificateur"], cardinality=2)
    rbac.create_session(user="alice", session="s", roles=["chef"])
    with pytest.raises(ConstraintViolation) as err:
        rbac.add_active_role(user="alice", session="s", role="verificateur")
    assert err.value.code == "dsd_violation"
    assert rbac.session_roles(session="s") == {"chef"}
    with pytest.raises(ConstraintViolation):
        rbac.create_session(user="alice", session="s2", roles=["chef", "verificateur"])
    rbac.create_session(user="alice", session="s3", roles=["verificateur"])
    assert rbac.session_roles(session="s3") == {"verificateur"}


def test_dsd_set_already_broken_by_a_live_session_is_refused(rbac):
    rbac.assign_user(user="bob", role="redacteur")
    rbac.create_session(user="bob", session="s", roles=["lecteur", "redacteur"])
    with pytest.raises(ConstraintViolation) as err:
        rbac.create_dsd_set(name="d", roles=["lecteur", "redacteur"], cardinality=2)
    assert err.value.code == "dsd_violation"
    assert rbac.dsd_role_sets() == set()
    rbac.create_dsd_set(name="d", roles=["lecteur", "redacteur", "verificateur"], cardinality=3)
    with pytest.raises(ConstraintViolation):
        rbac.set_dsd_set_cardinality(name="d", cardinality=2)
    assert rbac.dsd_role_set_cardinality(name="d") == 3
