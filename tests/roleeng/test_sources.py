"""Assignments from the engine's policy and from observed accesses (RE-5 sources, RE-6 inputs)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from habpps.engine import RBAC
from habpps.roleeng.mining import Deadline, composition_errors, mine
from habpps.roleeng.sources import (
    TokenError,
    declared_rights,
    permission_token,
    policy_pairs,
    token_permission,
    upa_from_accesses,
    upa_from_policy,
    used_rights,
)


def small_policy() -> RBAC:
    """alice is a senior clerk (inherits the clerk's reading), bob a clerk through a group, carol holds nothing."""
    rbac = RBAC()
    for user in ("alice", "bob", "carol"):
        rbac.add_user(user)
    rbac.add_role("clerk")
    rbac.add_role("senior")
    rbac.grant_permission("lire", "dossier", "clerk")
    rbac.grant_permission("valider", "dossier", "senior")
    rbac.add_inheritance("senior", "clerk")
    rbac.assign_user("alice", "senior")
    rbac.add_group("guichet")
    rbac.add_group_member("guichet", "bob")
    rbac.assign_group("guichet", "clerk")
    return rbac


def test_tokens_round_trip_and_refuse_blanks():
    assert permission_token(("consulter", "cdap.section.rsa")) == "consulter:cdap.section.rsa"
    assert token_permission("consulter:cdap.section.rsa") == ("consulter", "cdap.section.rsa")
    assert token_permission("gerer:partner:12") == ("gerer", "partner:12")
    assert token_permission("P17") is None
    with pytest.raises(TokenError):
        permission_token(("lire", "dossier agent"))
    with pytest.raises(TokenError):
        permission_token(("a:b", "dossier"))


def test_policy_pairs_follow_groups_and_inheritance_and_skip_empty_users():
    pairs = policy_pairs(small_policy())
    assert pairs == [
        ("alice", "lire:dossier"),
        ("alice", "valider:dossier"),
        ("bob", "lire:dossier"),
    ]
    assert policy_pairs(small_policy().export()) == pairs
    upa = upa_from_policy(small_policy())
    assert set(upa.users) == {"alice", "bob"}
    assert upa.edge_count == 3


def test_declared_rights_give_assigned_roles_and_inherited_permissions():
    declared = declared_rights(small_policy())
    assert declared.user_roles["alice"] == {"senior"}
    assert declared.user_roles["bob"] == {"clerk"}
    assert declared.user_roles["carol"] == frozenset()
    assert declared.role_permissions["senior"] == {"lire:dossier", "valider:dossier"}
    assert declared.permissions_of("bob") == {"lire:dossier"}


def test_accesses_count_once_whatever_their_number():
    accesses = [("bob", ("lire", "dossier"))] * 3 + [("alice", ("valider", "dossier"))]
    upa = upa_from_accesses(accesses)
    assert upa.edge_count == 2
    assert used_rights(accesses) == {"alice": {"valider:dossier"}, "bob": {"lire:dossier"}}


users = st.sampled_from(["u1", "u2", "u3", "u4", "u5"])
permissions = st.tuples(st.sampled_from(["lire", "ecrire", "valider"]), st.sampled_from(["a", "b", "c.d"]))


@settings(deadline=None, max_examples=60)  # the miner's first call loads its modules
@given(st.lists(st.tuples(users, permissions), min_size=1, max_size=40))
def test_mined_roles_compose_exactly_into_observed_accesses(accesses):
    upa = upa_from_accesses(accesses)
    result = mine(upa, Deadline(5))
    assert composition_errors(upa, result.roles) == []
    for role in result.roles:
        assert all(token_permission(token) is not None for token in role.permissions)
