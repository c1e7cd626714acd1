"""ENG-3 org units: an assignment in unit X applies in X and its sub-units (when the role descends)."""

import pytest

from habpps.engine import RBAC, ConstraintViolation, NotFound


@pytest.fixture
def network() -> RBAC:
    rbac = RBAC()
    rbac.add_org("cnaf")
    rbac.add_org("caf75", parent="cnaf")
    rbac.add_org("caf13", parent="cnaf")
    rbac.add_org("ccas-paris", parent="caf75")
    rbac.add_role("instructeur")
    rbac.add_role("gestionnaire", descends=False)
    rbac.grant_permission(operation="consulter", obj="cdap:rsa", role="instructeur")
    rbac.grant_permission(operation="gerer", obj="partenaires", role="gestionnaire")
    rbac.add_user("ines")
    rbac.assign_user(user="ines", role="instructeur", org="caf75")
    rbac.assign_user(user="ines", role="gestionnaire", org="caf75")
    rbac.create_session(user="ines", session="s", roles=["instructeur", "gestionnaire"])
    return rbac


def test_permission_held_in_a_unit_applies_to_its_sub_units(network):
    assert network.check_access(session="s", operation="consulter", obj="cdap:rsa", org="caf75")
    assert network.check_access(session="s", operation="consulter", obj="cdap:rsa", org="ccas-paris")
    assert not network.check_access(session="s", operation="consulter", obj="cdap:rsa", org="caf13")
    assert not network.check_access(session="s", operation="consulter", obj="cdap:rsa", org="cnaf")


def test_a_role_that_does_not_descend_stays_in_its_unit(network):
    assert network.check_access(session="s", operation="gerer", obj="partenaires", org="caf75")
    assert not network.check_access(session="s", operation="gerer", obj="partenaires", org="ccas-paris")
    network.set_role_descends(role="gestionnaire", descends=True)
    assert network.check_access(session="s", operation="gerer", obj="partenaires", org="ccas-paris")


def test_an_assignment_without_org_applies_everywhere_and_no_org_means_plain_ansi(network):
    network.add_user("nadia")
    network.assign_user(user="nadia", role="instructeur")
    network.create_session(user="nadia", session="n", roles=["instructeur"])
    assert network.check_access(session="n", operation="consulter", obj="cdap:rsa", org="caf13")
    assert network.check_access(session="s", operation="consulter", obj="cdap:rsa")


def test_same_role_in_several_units_and_deassign_per_unit(network):
    network.assign_user(user="ines", role="instructeur", org="caf13")
    assert network.check_access(session="s", operation="consulter", obj="cdap:rsa", org="caf13")
    network.deassign_user(user="ines", role="instructeur", org="caf75")
    assert not network.check_access(session="s", operation="consulter", obj="cdap:rsa", org="caf75")
    assert network.session_roles(session="s") == {"instructeur", "gestionnaire"}


def test_ssd_on_role_org_pairs(network):
    network.add_role("verificateur")
    network.create_ssd_set(
        name="quatre-yeux", roles=[("gestionnaire", "caf75"), ("verificateur", "caf75")], cardinality=2
    )
    network.assign_user(user="ines", role="verificateur", org="caf13")  # another fund: allowed
    with pytest.raises(ConstraintViolation):
        network.assign_user(user="ines", role="verificateur", org="caf75")


def test_org_tree_administration(network):
    with pytest.raises(NotFound):
        network.add_org("x", parent="inconnue")
    with pytest.raises(ConstraintViolation) as err:
        network.delete_org("caf75")
    assert err.value.code == "org_has_children"
    network.delete_org("ccas-paris")
    assert "ccas-paris" not in network.org_units()
    with pytest.raises(NotFound):
        network.check_access(session="s", operation="consulter", obj="cdap:rsa", org="ccas-paris")


def test_deleting_a_unit_removes_the_assignments_made_in_it(network):
    network.add_org("caf33", parent="cnaf")
    network.add_user("hugo")
    network.assign_user(user="hugo", role="instructeur", org="caf33")
    network.create_session(user="hugo", session="h", roles=["instructeur"])
    network.delete_org("caf33")
    assert network.assigned_roles(user="hugo") == set()
    assert network.session_roles(session="h") == set()
