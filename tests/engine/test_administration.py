"""ENG-1/ENG-2 administrative functions: preconditions, effects, and refusals that change nothing."""

import pytest

from habpps.engine import RBAC, AlreadyExists, ConstraintViolation, InvalidArgument, NotFound


def test_add_user_refuses_duplicate_and_blank_names(rbac):
    with pytest.raises(AlreadyExists) as err:
        rbac.add_user(user="alice")
    assert err.value.code == "user_exists"
    assert "alice" in err.value.message
    with pytest.raises(InvalidArgument) as err:
        rbac.add_user(user="  ")
    assert err.value.code == "empty_name"
    with pytest.raises(InvalidArgument) as err:
        rbac.add_user(user=42)
    assert err.value.code == "wrong_type"


def test_delete_user_removes_assignments_memberships_and_sessions(rbac):
    rbac.add_group("g")
    rbac.add_group_member(group="g", user="alice")
    rbac.create_session(user="alice", session="s", roles=["chef"])
    rbac.delete_user(user="alice")
    assert "alice" not in rbac.users()
    assert rbac.assigned_users(role="chef") == set()
    assert rbac.group_members("g") == set()
    with pytest.raises(NotFound):
        rbac.session_roles(session="s")


def test_delete_role_removes_grants_assignments_edges_sod_and_session_activations(rbac):
    rbac.add_role("stagiaire")
    rbac.add_inheritance(ascendant="lecteur", descendant="stagiaire")
    rbac.create_ssd_set(name="x", roles=["lecteur", "redacteur"], cardinality=2)
    rbac.create_session(user="alice", session="s", roles=["chef", "lecteur"])
    rbac.delete_role(role="lecteur")
    assert "lecteur" not in rbac.roles()
    # the set {lecteur, redacteur} (n = 2) keeps one member: it could never bite nor be edited again, so it goes
    assert "x" not in rbac.ssd_role_sets()
    # no reconnection: chef does not inherit stagiaire through the deleted role
    assert rbac.role_juniors("chef") == set()
    assert rbac.authorized_roles(user="alice") == {"chef"}
    assert rbac.session_roles(session="s") == {"chef"}
    assert rbac.assigned_roles(user="bob") == set()
    assert rbac.role_permissions(role="chef") == set()
    assert rbac.user_permissions(user="alice") == set()


def test_assign_and_deassign_user(rbac):
    rbac.assign_user(user="carol", role="redacteur")
    assert rbac.assigned_roles(user="carol") == {"redacteur"}
    with pytest.raises(AlreadyExists):
        rbac.assign_user(user="carol", role="redacteur")
    rbac.deassign_user(user="carol", role="redacteur")
    assert rbac.assigned_roles(user="carol") == set()
    with pytest.raises(NotFound) as err:
        rbac.deassign_user(user="carol", role="redacteur")
    assert err.value.code == "assignment_not_found"


def test_assign_user_refuses_unknown_elements(rbac):
    with pytest.raises(NotFound) as err:
        rbac.assign_user(user="zoe", role="lecteur")
    assert err.value.code == "user_not_found"
    with pytest.raises(NotFound) as err:
        rbac.assign_user(user="carol", role="inconnu")
    assert err.value.code == "role_not_found"
    with pytest.raises(NotFound) as err:
        rbac.assign_user(user="carol", role="lecteur", org="nulle-part")
    assert err.value.code == "org_not_found"


def test_deassign_drops_roles_no_longer_authorized_from_sessions(rbac):
    rbac.create_session(user="alice", session="s", roles=["chef", "lecteur"])
    rbac.deassign_user(user="alice", role="chef")
    assert rbac.session_roles(session="s") == set()


def test_grant_and_revoke_permission(rbac):
    rbac.grant_permission(operation="imprimer", obj="dossier", role="lecteur")
    assert ("imprimer", "dossier") in rbac.role_permissions(role="lecteur", inherited=False)
    with pytest.raises(AlreadyExists):
        rbac.grant_permission(operation="imprimer", obj="dossier", role="lecteur")
    rbac.revoke_permission(operation="imprimer", obj="dossier", role="lecteur")
    with pytest.raises(NotFound):
        rbac.revoke_permission(operation="imprimer", obj="dossier", role="lecteur")
    # an inherited permission is not the senior's own grant
    with pytest.raises(NotFound):
        rbac.revoke_permission(operation="lire", obj="dossier", role="chef")


def test_refused_call_changes_nothing_and_keeps_version(rbac):
    before, version = rbac.export(), rbac.version
    for call in (
        lambda: rbac.add_inheritance(ascendant="lecteur", descendant="chef"),
        lambda: rbac.assign_user(user="alice", role="chef"),
        lambda: rbac.create_ssd_set(name="x", roles=["chef", "lecteur"], cardinality=2),
    ):
        with pytest.raises((AlreadyExists, ConstraintViolation)):
            call()
    assert rbac.export() == before
    assert rbac.version == version


def test_version_increases_with_every_policy_change():
    rbac = RBAC()
    versions = [rbac.version]
    rbac.add_user("u")
    versions.append(rbac.version)
    rbac.add_role("r")
    versions.append(rbac.version)
    rbac.assign_user(user="u", role="r")
    versions.append(rbac.version)
    assert versions == sorted(set(versions))


def test_every_parameter_is_keyword_callable():
    rbac = RBAC()
    rbac.add_user(user="u")
    rbac.add_role(role="r")
    rbac.add_org(org="o", parent=None)
    rbac.add_group(group="g")
    rbac.add_group_member(group="g", user="u")
    rbac.assign_group(group="g", role="r", org="o")
    rbac.grant_permission(operation="op", obj="ob", role="r")
    rbac.add_ascendant(ascendant="boss", descendant="r")
    rbac.add_descendant(ascendant="r", descendant="junior")
    rbac.create_dsd_set(name="d", roles=["boss", "junior"], cardinality=2)
    rbac.create_session(user="u", session="s1", roles=["r"])
    assert rbac.check_access(session="s1", operation="op", obj="ob", org="o")
    assert rbac.role_operations_on_object(role="boss", obj="ob") == {"op"}
    assert rbac.user_operations_on_object(user="u", obj="ob") == {"op"}
    assert rbac.dsd_role_set_cardinality(name="d") == 2
