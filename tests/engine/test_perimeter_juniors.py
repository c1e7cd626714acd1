"""A perimeter refuses a profile whose juniors (by inheritance) are outside it — with its details, not a crash."""

from habpps.engine import RBAC


def test_perimeter_decision_on_a_role_whose_junior_is_outside_the_perimeter():
    rbac = RBAC()
    rbac.add_org("national")
    rbac.add_org("p1", parent="national")
    for role in ("senior", "junior"):
        rbac.add_role(role)
    rbac.add_inheritance("senior", "junior")
    rbac.set_perimeter("p1", ["senior"])
    decision = rbac.perimeter_decision("senior", "p1")
    assert not decision
    assert decision.reason == "outside_perimeter"
    assert "« junior »" in decision.message
