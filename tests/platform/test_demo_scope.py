"""The demo shows the extended model (issue 16 §5): its policy export has non-empty inheritance, exclusions,
temporal_constraints, permission_constraints, populations, action_limits, admin_roles and perimeters; the
time-bound habilitation ends next month; and its policy goes through export → import → export unchanged."""

from datetime import date

from habpps.authorization.policy_sections import export_document
from habpps.conventions.demo_network import seed_demo_network
from habpps.conventions.demo_scope import DAILY_CEILINGS, WORKING_HOURS, end_of_next_month


def test_the_demo_policy_has_every_section_of_issue_16_and_round_trips(db):
    from habpps.authorization.models import ApprovalStatus, PendingApproval
    from habpps.authorization.policy_sections import import_document

    seed_demo_network(users_per_group=1)
    document = export_document()
    for key in ("inheritance", "exclusions", "temporal_constraints", "permission_constraints", "populations",
                "action_limits", "admin_roles", "perimeters",  # the eight of issue 16 §5
                "delegations", "ssd_sets", "dsd_sets", "context_attributes", "context_constraints", "field_rules"):
        assert document.get(key), key
    edges = {(i["ascendant"], i["descendant"]) for i in document["inheritance"]}
    assert ("PartnerAdmin", "PartnerDelegate") in edges  # among administrative roles
    assert {("cdap-cd-contentieux", "cdap-cd-controle"), ("cdap-cd-controle", "cdap-instructeur-rsa-cpam")} <= edges
    risks = {i["name"]: i["risk"] for i in document["exclusions"]}
    assert risks["Administrateur Caf et Vérificateur"] == "require_approval"
    assert "report" in risks.values()
    assert PendingApproval.objects.filter(status=ApprovalStatus.PENDING, role__code="Verifier").exists()
    # DSD: the approved fund administrator and verifier activates one of the two roles at a time.
    assert PendingApproval.objects.filter(status=ApprovalStatus.APPROVED, role__code="Verifier").exists()
    from habpps.authorization import sessions
    from habpps.conventions.demo_network import demo_logins
    from habpps.directory.demo_model import DSD_LOGIN_ROLE

    login = next(item.login for item in demo_logins() if item.role == DSD_LOGIN_ROLE)
    assert [set(choice.roles) for choice in sessions.choices_for(login)] == [{"FundAdmin", "Verifier"}]
    # ENG-8: a daily ceiling of CDAP lookups per profile (not one for all).
    ceilings = {i["role"]: i.get("max_per_day") for i in document["action_limits"]
                if i["action"] == "cdap.consulter-dossier"}
    assert len({ceilings[code] for code in DAILY_CEILINGS}) == len(DAILY_CEILINGS)

    ending = [i for i in document["temporal_constraints"] if i["on"] == "group_assignment"]
    assert ending[0]["constraint"] == {"end_date": end_of_next_month(date.today()).isoformat()}
    assert {"operation": "consulter", "object": "cdap.section.creances", "constraint": WORKING_HOURS} in document[
        "permission_constraints"]

    # The round trip of the demo's own policy: importing what was exported changes nothing.
    report = import_document(document)
    assert not any(report.added.values()) and not any(report.removed.values())
    assert export_document() == document


def test_end_of_next_month():
    assert end_of_next_month(date(2026, 12, 6)) == date(2027, 1, 31)
    assert end_of_next_month(date(2027, 1, 31)) == date(2027, 2, 28)
