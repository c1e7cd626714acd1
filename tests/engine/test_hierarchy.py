"""ENG-2 general role hierarchy: a DAG; authorized roles include juniors; deletions do not reconnect."""

import pytest

from habpps.engine import AlreadyExists, ConstraintViolation, NotFound


def test_add_inheritance_refuses_self_cycle_and_longer_cycles(rbac):
    with pytest.raises(ConstraintViolation) as err:
        rbac.add_inheritance(ascendant="chef", descendant="chef")
    assert err.value.code == "hierarchy_cycle"
    rbac.add_inheritance(ascendant="lecteur", descendant="redacteur")
    with pytest.raises(ConstraintViolation) as err:
        rbac.add_inheritance(ascendant="redacteur", descendant="chef")
    assert err.value.code == "hierarchy_cycle"


def test_add_inheritance_refuses_existing_edge_but_allows_a_transitive_shortcut(rbac):
    with pytest.raises(AlreadyExists) as err:
        rbac.add_inheritance(ascendant="chef", descendant="lecteur")
    assert err.value.code == "inheritance_exists"
    rbac.add_inheritance(ascendant="lecteur", descendant="redacteur")
    rbac.add_inheritance(ascendant="chef", descendant="redacteur")  # ANSI forbids only immediate duplicates
    assert rbac.role_juniors("chef") == {"lecteur", "redacteur"}


def test_authorized_roles_are_assigned_roles_and_all_their_juniors(rbac):
    rbac.add_inheritance(ascendant="lecteur", descendant="redacteur")
    assert rbac.assigned_roles(user="alice") == {"chef"}
    assert rbac.authorized_roles(user="alice") == {"chef", "lecteur", "redacteur"}
    assert rbac.authorized_users(role="redacteur") == {"alice", "bob"}
    assert rbac.assigned_users(role="redacteur") == set()


def test_role_permissions_inherited_or_not(rbac):
    assert rbac.role_permissions(role="chef") == {("lire", "dossier")}
    assert rbac.role_permissions(role="chef", inherited=False) == set()


def test_delete_inheritance_drops_roles_no_longer_authorized_from_sessions(rbac):
    rbac.create_session(user="alice", session="s", roles=["chef", "lecteur"])
    rbac.delete_inheritance(ascendant="chef", descendant="lecteur")
    assert rbac.session_roles(session="s") == {"chef"}
    with pytest.raises(NotFound):
        rbac.delete_inheritance(ascendant="chef", descendant="lecteur")


def test_add_ascendant_and_add_descendant_create_the_new_role(rbac):
    rbac.add_ascendant(ascendant="directeur", descendant="chef")
    assert rbac.role_permissions(role="directeur") == {("lire", "dossier")}
    rbac.add_descendant(ascendant="lecteur", descendant="visiteur")
    assert "visiteur" in rbac.authorized_roles(user="bob")
    with pytest.raises(AlreadyExists):
        rbac.add_ascendant(ascendant="chef", descendant="lecteur")
    with pytest.raises(NotFound):
        rbac.add_descendant(ascendant="inconnu", descendant="nouveau")
    assert "nouveau" not in rbac.roles()
