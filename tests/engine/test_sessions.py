"""ENG-1/ENG-2 system functions: sessions, activation, closed-policy access checks."""

import pytest

from habpps.engine import AlreadyExists, ConstraintViolation, NotFound


def test_create_session_refuses_roles_the_user_is_not_authorized_for(rbac):
    with pytest.raises(ConstraintViolation) as err:
        rbac.create_session(user="bob", session="s", roles=["chef"])
    assert err.value.code == "role_not_authorized"
    with pytest.raises(NotFound):
        rbac.session_roles(session="s")
    rbac.create_session(user="alice", session="s", roles=["lecteur"])  # a junior of an assigned role
    with pytest.raises(AlreadyExists):
        rbac.create_session(user="bob", session="s")


def test_check_access_is_closed_and_follows_active_roles_and_their_juniors(rbac):
    rbac.create_session(user="alice", session="s")
    assert not rbac.check_access(session="s", operation="lire", obj="dossier")
    rbac.add_active_role(user="alice", session="s", role="chef")
    assert rbac.check_access(session="s", operation="lire", obj="dossier")
    assert not rbac.check_access(session="s", operation="ecrire", obj="dossier")
    assert not rbac.check_access(session="s", operation="lire", obj="inconnu")
    rbac.drop_active_role(user="alice", session="s", role="chef")
    assert not rbac.check_access(session="s", operation="lire", obj="dossier")


def test_session_review_functions(rbac):
    rbac.create_session(user="alice", session="s", roles=["chef"])
    assert rbac.session_roles(session="s") == {"chef"}
    assert rbac.session_permissions(session="s") == {("lire", "dossier")}
    assert rbac.user_sessions("alice") == {"s"}


def test_activation_preconditions(rbac):
    rbac.create_session(user="alice", session="s", roles=["chef"])
    with pytest.raises(AlreadyExists):
        rbac.add_active_role(user="alice", session="s", role="chef")
    with pytest.raises(NotFound) as err:
        rbac.add_active_role(user="bob", session="s", role="lecteur")
    assert err.value.code == "session_not_owned"
    with pytest.raises(ConstraintViolation):
        rbac.add_active_role(user="alice", session="s", role="redacteur")
    with pytest.raises(NotFound):
        rbac.drop_active_role(user="alice", session="s", role="lecteur")


def test_delete_session_belongs_to_its_user(rbac):
    rbac.create_session(user="alice", session="s", roles=["chef"])
    with pytest.raises(NotFound):
        rbac.delete_session(user="bob", session="s")
    rbac.delete_session(user="alice", session="s")
    with pytest.raises(NotFound):
        rbac.check_access(session="s", operation="lire", obj="dossier")
