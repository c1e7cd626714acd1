"""Conditional grants and stored subject attributes (ENG-5): one permission, unconditional through one role and
conditional through another, decided alike by the live engine and by snapshots."""

from __future__ import annotations

import pytest

from habpps.engine import RBAC, AlreadyExists, NotFound
from habpps.engine.context import attr


@pytest.fixture
def todo() -> RBAC:
    rbac = RBAC()
    for role in ("editor", "genius"):
        rbac.add_role(role)
    rbac.add_inheritance("genius", "editor")
    rbac.grant_permission("update", "todo", "editor")
    rbac.grant_permission("update", "todo", "genius")
    for user, role, email in (("morty", "editor", "morty@x"), ("rick", "genius", "rick@x")):
        rbac.add_user(user)
        rbac.assign_user(user, role)
        rbac.set_user_attributes(user, {"email": email})
    rbac.add_context_attribute("owner", function="object_attribute", domain="string", parameter="ownerID")
    rbac.add_context_attribute("email", function="subject_attribute", domain="string", parameter="email")
    rbac.add_context_constraint("own", [("=", [attr("owner"), attr("email")])])
    rbac.link_grant_constraint("editor", "update", "todo", "own")
    return rbac


def _decisions(rbac: RBAC, user: str, owner: str, **extra) -> tuple[bool, bool, bool, bool]:
    context = {"object": {"ownerID": owner}, **extra}
    snapshot = rbac.compile()
    return (
        snapshot.check(user, "update", "todo", context=context),
        snapshot.explain(user, "update", "todo", context=context).granted,
        rbac.compile().check(user, "update", "todo", active_roles=rbac.authorized_roles(user), context=context),
        _live(rbac, user, context),
    )


def _live(rbac: RBAC, user: str, context: dict) -> bool:
    session = f"s-{user}"
    if session not in rbac._state.sessions:
        rbac.create_session(user, session, roles=rbac.authorized_roles(user))
    return rbac.check_access(session, "update", "todo", context=context)


def test_the_condition_binds_only_the_role_it_is_linked_to(todo):
    assert _decisions(todo, "morty", "morty@x") == (True, True, True, True)
    assert _decisions(todo, "morty", "rick@x") == (False, False, False, False)
    # rick holds the permission through genius without condition, and through editor with it
    assert _decisions(todo, "rick", "morty@x") == (True, True, True, True)


def test_a_denial_names_the_failed_condition_and_the_role(todo):
    decision = todo.compile().explain("morty", "update", "todo", context={"object": {"ownerID": "rick@x"}})
    assert decision.reason == "condition_failed"
    assert decision.failed_constraints[0]["constraint"] == "own"
    assert decision.failed_constraints[0]["role"] == "editor"
    assert "« owner » égal à « email »" in decision.message


def test_stored_attributes_win_over_the_request(todo):
    forged = {"subject": {"email": "rick@x"}}
    assert _decisions(todo, "morty", "rick@x", **forged) == (False, False, False, False)
    todo.set_user_attributes("morty", None)
    assert todo.user_attributes("morty") == {}
    assert todo.compile().check("morty", "update", "todo", context={"object": {"ownerID": "x"},
                                                                     "subject": {"email": "x"}})


def test_links_refuse_unknown_or_duplicate_grants_and_round_trip(todo):
    with pytest.raises(NotFound):
        todo.link_grant_constraint("editor", "delete", "todo", "own")
    with pytest.raises(AlreadyExists):
        todo.link_grant_constraint("editor", "update", "todo", "own")
    doc = todo.export()
    assert doc["grant_constraints"] == [{"role": "editor", "operation": "update", "object": "todo",
                                         "constraint": "own"}]
    assert doc["user_attributes"][0] == {"user": "morty", "attributes": {"email": "morty@x"}}
    assert RBAC.load(doc).export() == doc
    todo.unlink_grant_constraint("editor", "update", "todo", "own")
    assert todo.compile().check("morty", "update", "todo", context={"object": {"ownerID": "nobody"}})


def test_deleting_the_role_or_the_constraint_forgets_the_link(todo):
    todo.delete_context_constraint("own")
    assert todo.grant_constraints("editor", "update", "todo") == set()
    assert todo.compile().check("morty", "update", "todo")
