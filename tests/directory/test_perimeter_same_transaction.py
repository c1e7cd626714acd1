"""Decisions taken inside one transaction that makes several administrative changes (ENG-11).

Such a transaction cannot publish its changes before it commits — a service composed into a larger one, a test —
yet every decision taken after one of its ``policy_change`` blocks must see what it changed so far: the perimeter
checks decide with the engine between the changes of one action (a delegation given, then used). Each test runs
inside the test's own transaction.
"""

import pytest
from django.db import transaction

from habpps.authorization.decisions import is_allowed
from habpps.authorization.policy_cache import policy_change
from habpps.directory import services as directory

SECTION = ("consulter", "cdap.section.dossier")


def test_each_decision_sees_the_changes_made_before_it_in_the_transaction(network):
    user, role = network.user_a, network.roles["cdap-ass-cesf"]
    assert is_allowed(user, *SECTION)
    directory.unassign_group_role(None, network.group_a, role)
    assert not is_allowed(user, *SECTION)
    directory.assign_group_role(None, network.group_a, role)
    assert is_allowed(user, *SECTION)
    directory.remove_group_member(None, network.group_a, user)
    assert not is_allowed(user, *SECTION)
    directory.add_group_member(None, network.group_a, user)
    assert is_allowed(user, *SECTION)


def test_inside_a_change_decisions_see_the_policy_it_started_from(network):
    user, role = network.user_a, network.roles["cdap-ass-cesf"]
    with policy_change():
        directory.unassign_group_role(None, network.group_a, role)
        assert is_allowed(user, *SECTION)  # the change is checked by the engine only when the block ends
    assert not is_allowed(user, *SECTION)


def test_a_rolled_back_change_is_forgotten_by_the_next_decision(network):
    user, role = network.user_a, network.roles["cdap-ass-cesf"]
    with pytest.raises(RuntimeError), transaction.atomic():
        directory.unassign_group_role(None, network.group_a, role)
        assert not is_allowed(user, *SECTION)
        raise RuntimeError("abandon")
    assert is_allowed(user, *SECTION)
    directory.remove_group_member(None, network.group_a, user)
    assert not is_allowed(user, *SECTION)
