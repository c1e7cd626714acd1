"""The demo shows time, context and data scoping (issue 16 §5): its policy export has non-empty
temporal_constraints, permission_constraints, populations and action_limits, and the time-bound habilitation
ends next month."""

from datetime import date

from habpps.authorization.policy_sections import export_document
from habpps.conventions.demo_network import seed_demo_network
from habpps.conventions.demo_scope import WORKING_HOURS, end_of_next_month


def test_the_demo_policy_carries_time_context_and_scoping(db):
    seed_demo_network(users_per_group=1)
    document = export_document()
    for key in ("temporal_constraints", "permission_constraints", "populations", "action_limits",
                "context_attributes", "context_constraints", "field_rules"):
        assert document.get(key), key
    ending = [i for i in document["temporal_constraints"] if i["on"] == "group_assignment"]
    assert ending[0]["constraint"] == {"end_date": end_of_next_month(date.today()).isoformat()}
    assert {"operation": "consulter", "object": "cdap.section.creances", "constraint": WORKING_HOURS} in document[
        "permission_constraints"]
    assert {i["role"] for i in document["action_limits"]} >= {"cdap-ass-cesf"}


def test_end_of_next_month():
    assert end_of_next_month(date(2026, 12, 6)) == date(2027, 1, 31)
    assert end_of_next_month(date(2027, 1, 31)) == date(2027, 2, 28)
