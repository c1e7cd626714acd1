"""RE-6 gap analysis on the platform: declared rights against the journal's uses, proposals made by directory
services, preview before anything changes, one transaction, journalled, refused as a whole."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from habpps.authorization.policy_cache import current_policy
from habpps.directory.models import RolePermission
from habpps.journal.models import JournalEntry
from habpps.workbench import gap_analysis
from habpps.workbench.models import MiningRun
from workbench.conftest import consult

UNUSED_SECTION = "consulter:cdap.section.adresse"
PERMISSION_KEY = f"permission:cdap-ass-cesf:{UNUSED_SECTION}"


def today() -> date:
    return timezone.localdate()


def period() -> dict:
    return {"start": today().isoformat(), "end": today().isoformat()}


def test_the_analysis_lists_unused_rights_and_proposals_with_who_may_apply_them(net, login):
    consult(net.user_a, sections=["dossier", "droits"])
    response = login(net.national_admin).get("/atelier-roles/ecarts/", period())
    page = response.content.decode()
    assert response.status_code == 200
    analysis = response.context["analysis"]
    assert analysis.report.unused_by_user[net.user_a.login] >= {UNUSED_SECTION}
    assert "cdap-ass-cesf" in analysis.report.unused_roles_by_user[net.user_b.login]
    actions = {row["action"].key: row["allowed"] for row in response.context["actions"]}
    assert actions[PERMISSION_KEY] is True  # the national administrator manages the catalogue
    assert actions[f"groupe:group:{net.group_b.pk}:{net.user_b.login}"] is False  # not the partner's groups
    assert actions[f"compte:{net.national_admin.login}:NationalAdmin"] is False  # never locks oneself out
    assert "Retirer (consulter, cdap.section.adresse) au profil « cdap-ass-cesf »" in page


def test_previewing_shows_everyone_who_loses_and_changes_nothing(net, login):
    consult(net.user_a)
    client = login(net.national_admin)
    token = current_policy().token
    response = client.post("/atelier-roles/ecarts/", {**period(), "action": [PERMISSION_KEY], "preview": ""})
    losses = dict(response.context["losses"])
    assert set(losses) == {net.user_a.login, net.user_b.login}
    assert all(UNUSED_SECTION in lost for lost in losses.values())
    assert "Appliquer ces modifications" in response.content.decode()
    assert RolePermission.objects.filter(role__code="cdap-ass-cesf", obj="cdap.section.adresse").exists()
    assert current_policy().token == token


def test_applying_goes_through_the_directory_service_in_one_journalled_transaction(net, login):
    consult(net.user_a)
    client = login(net.national_admin)
    response = client.post(
        "/atelier-roles/ecarts/",
        {**period(), "action": [PERMISSION_KEY], "token": current_policy().token, "apply": ""},
    )
    assert response.status_code == 302
    assert not RolePermission.objects.filter(role__code="cdap-ass-cesf", obj="cdap.section.adresse").exists()
    assert JournalEntry.objects.filter(
        kind="admin.role.permissions", actor_identifier=net.national_admin.login
    ).exists()
    summary = JournalEntry.objects.get(kind="workbench.gap.apply")
    assert summary.data["losses"][net.user_b.login] == [UNUSED_SECTION]
    assert ("consulter", "cdap.section.adresse") not in current_policy().rbac.user_permissions(
        net.user_b.login
    )


def test_nothing_is_applied_when_the_policy_moved_since_the_preview(net, login):
    client = login(net.national_admin)
    response = client.post(
        "/atelier-roles/ecarts/", {**period(), "action": [PERMISSION_KEY], "token": "perime", "apply": ""}
    )
    assert response.status_code == 200 and "a changé depuis l" in response.content.decode()
    assert RolePermission.objects.filter(role__code="cdap-ass-cesf", obj="cdap.section.adresse").exists()


def test_one_refused_action_undoes_them_all(net, login):
    client = login(net.national_admin)
    forbidden = f"groupe:group:{net.group_b.pk}:{net.user_b.login}"
    response = client.post(
        "/atelier-roles/ecarts/",
        {**period(), "action": [PERMISSION_KEY, forbidden], "token": current_policy().token, "apply": ""},
    )
    assert response.status_code == 200 and "Rien n" in response.content.decode()
    assert RolePermission.objects.filter(role__code="cdap-ass-cesf", obj="cdap.section.adresse").exists()
    assert not JournalEntry.objects.filter(kind="workbench.gap.apply").exists()


def test_a_partner_administrator_removes_an_idle_member_through_the_group_service(net):
    """The same analysis, applied by someone who manages the partner's groups (the service decides)."""
    from habpps.directory.models import GroupMembership
    from habpps.workbench.permissions import USE_WORKBENCH

    analysis = gap_analysis.analyse(today(), today())
    action = analysis.by_key[f"groupe:group:{net.group_b.pk}:{net.user_b.login}"]
    assert action.kind == "remove_group_member"
    assert analysis.preview([action])[net.user_b.login] >= {UNUSED_SECTION}
    # the partner administrator has the service's permission but not the workbench's: the page refuses them,
    # the service itself accepts — the workbench adds no right of its own.
    assert not gap_analysis.is_allowed(net.partner_admin_b, *USE_WORKBENCH, "national")
    assert gap_analysis.may_apply(net.partner_admin_b, analysis, action)
    gap_analysis.apply_actions(net.partner_admin_b, analysis, [action])
    assert not GroupMembership.objects.current().filter(group=net.group_b, account=net.user_b).exists()


def test_usage_patterns_can_come_from_a_finished_run(net, login):
    consult(net.user_a, sections=["dossier", "droits"])
    consult(net.user_b, sections=["dossier"])
    run = MiningRun.objects.create(
        source="fichier",
        label="motifs",
        time_limit=5,
        upa="",
        state=MiningRun.State.DONE,
        result={
            "roles": [
                {
                    "id": "R1",
                    "permissions": ["acceder:cdap", "consulter:cdap.section.dossier"],
                    "users": ["x", "y"],
                },
                {"id": "R2", "permissions": ["consulter:cdap.section.droits"], "users": ["x"]},
            ],
            "optimal": True,
            "lower_bound": 2,
            "seconds": 0.1,
        },
    )
    response = login(net.national_admin).get("/atelier-roles/ecarts/", {**period(), "patterns": run.pk})
    report = response.context["analysis"].report
    assert net.user_b.login not in report.outside_patterns  # their usage is exactly the shared role R1
    assert report.outside_patterns[net.user_a.login] == {"consulter:cdap.section.droits"}  # R2 is no pattern
    assert response.context["analysis"].patterns == 1


def test_a_reversed_period_is_refused(net, login):
    response = login(net.national_admin).get(
        "/atelier-roles/ecarts/", {"start": "2025-02-01", "end": "2025-01-01"}
    )
    assert response.status_code == 400
