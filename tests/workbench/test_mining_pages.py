"""Mining runs (RE-5) from the web: the three sources, progress, result table and chart, accepted roles to a
model, one run at a time, interrupted runs, and the background thread."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from habpps.cdap.permissions import USE_CDAP
from habpps.roleeng.loading import parse_model
from habpps.roleeng.mining import UserPermissionAssignment, composition_errors, parse_upa
from habpps.roleeng.mining.result import MinedRole
from habpps.workbench import runs
from habpps.workbench.mined_models import dump_model, mined_model_document
from habpps.workbench.models import MiningRun, StoredRoleModel
from workbench.conftest import consult

# Two planted roles over five users: {a, b} for u1–u3, {b, c, d} for u3–u5.
PLANTED = "".join(
    f"{user} {permission}\n"
    for user, permissions in {
        "u1": "ab",
        "u2": "ab",
        "u3": "abcd",
        "u4": "bcd",
        "u5": "bcd",
    }.items()
    for permission in permissions
)


def start_from_file(client, text: str = PLANTED, name: str = "upa.txt"):
    upload = SimpleUploadedFile(name, text.encode(), "text/plain")
    return client.post(
        "/atelier-roles/fouilles/nouvelle/", {"source": "fichier", "upa_file": upload, "time_limit": "10"}
    )


def test_a_run_on_a_file_shows_the_proven_minimum_as_table_and_chart(net, login, inline_runs):
    client = login(net.national_admin)
    response = start_from_file(client)
    assert response.status_code == 302
    run = MiningRun.objects.get()
    assert run.state == MiningRun.State.DONE and (run.user_count, run.permission_count, run.pair_count) == (
        5,
        4,
        14,
    )
    upa = parse_upa(PLANTED.split("\n"))
    roles = tuple(MinedRole(r["id"], tuple(r["permissions"]), tuple(r["users"])) for r in run.result["roles"])
    assert composition_errors(upa, roles) == []
    assert run.result["optimal"] and run.result["lower_bound"] == len(roles) == 2
    page = client.get(response["Location"])
    text = page.content.decode()
    assert "Refresh" not in page
    assert "minimum prouvé" in text
    assert "<svg" in text and 'aria-hidden="true"' in text and "2 rôle(s) fouillé(s)" in text
    assert "Complexité structurelle pondérée" in text
    assert "<style" not in text.split("<main", 1)[1]  # the inline chart needs no inline style


def test_a_malformed_file_is_refused_with_its_line_number_and_no_run(net, login, inline_runs):
    response = start_from_file(login(net.national_admin), "u1 a\nu2 a b\n")
    assert "ligne 2" in response.content.decode()
    assert not MiningRun.objects.exists()


def test_a_run_on_the_policy_reproduces_what_users_hold(net, login, inline_runs):
    from habpps.authorization.policy_cache import current_policy

    client = login(net.national_admin)
    client.post("/atelier-roles/fouilles/nouvelle/", {"source": "politique", "time_limit": "10"})
    run = MiningRun.objects.get()
    rbac = current_policy().rbac
    held = {user for user in rbac.users() if rbac.user_permissions(user)}
    assert run.user_count == len(held)
    assert run.state == MiningRun.State.DONE
    # users holding the same permissions fall in the same roles: the two fund administrators, the two verifiers…
    assert len(run.result["roles"]) < run.user_count


def test_a_run_on_the_journal_mines_the_accesses_of_the_period(net, login, inline_runs):
    consult(net.user_a, sections=["dossier", "droits"], times=3)
    consult(net.user_b, sections=["dossier"])
    client = login(net.national_admin)
    today = timezone.localdate()
    client.post(
        "/atelier-roles/fouilles/nouvelle/",
        {"source": "journal", "start": today - timedelta(days=1), "end": today, "time_limit": "10"},
    )
    run = MiningRun.objects.get()
    pairs = set(tuple(line.split()) for line in run.upa.splitlines())
    cdap = "{}:{}".format(*USE_CDAP)
    assert {pair for pair in pairs if pair[0] in (net.user_a.login, net.user_b.login)} == {
        (net.user_a.login, "consulter:cdap.section.dossier"),
        (net.user_a.login, "consulter:cdap.section.droits"),
        (net.user_a.login, cdap),
        (net.user_b.login, "consulter:cdap.section.dossier"),
        (net.user_b.login, cdap),
    }
    # the network's conventions were entered by the fund administrators and validated by the verifiers
    assert (net.verifier_a.login, "valider:versions-convention") in pairs
    assert (net.fund_admin_a.login, "saisir:conventions") in pairs
    assert run.period_start == today - timedelta(days=1)
    assert run.result["optimal"]


def test_a_period_without_access_is_refused(net, login, inline_runs):
    long_ago = timezone.localdate() - timedelta(days=300)
    response = login(net.national_admin).post(
        "/atelier-roles/fouilles/nouvelle/",
        {"source": "journal", "start": long_ago, "end": long_ago, "time_limit": "10"},
    )
    assert "aucun couple" in response.content.decode()
    assert not MiningRun.objects.exists()


def test_accepted_roles_become_a_stored_model_in_one_click(net, login, inline_runs):
    client = login(net.national_admin)
    start_from_file(client)
    run = MiningRun.objects.get()
    first = run.result["roles"][0]["id"]
    response = client.post(
        f"/atelier-roles/fouilles/{run.pk}/modele/", {"roles": [first], "name": "Rôles observés", "save": ""}
    )
    assert response.status_code == 302
    stored = StoredRoleModel.objects.get()
    assert (stored.origin, stored.mining_run_id, stored.name) == (
        StoredRoleModel.Origin.MINING,
        run.pk,
        "Rôles observés",
    )
    model, _ = parse_model(stored.text)
    assert [profile.id for profile in model.profiles] == [first]
    assert model.role_permissions()[first] == {("acceder", p) for p in run.result["roles"][0]["permissions"]}
    assert client.get(response["Location"]).status_code == 200


def test_accepted_roles_download_as_yaml(net, login, inline_runs):
    client = login(net.national_admin)
    start_from_file(client)
    run = MiningRun.objects.get()
    ids = [role["id"] for role in run.result["roles"]]
    response = client.post(
        f"/atelier-roles/fouilles/{run.pk}/modele/", {"roles": ids, "name": "x", "download": ""}
    )
    assert response["Content-Disposition"].startswith("attachment")
    model, _ = parse_model(response.content.decode())
    assert len(model.profiles) == 2
    assert not StoredRoleModel.objects.exists()


def test_accepting_no_role_is_refused_on_the_run_page(net, login, inline_runs):
    client = login(net.national_admin)
    start_from_file(client)
    run = MiningRun.objects.get()
    response = client.post(f"/atelier-roles/fouilles/{run.pk}/modele/", {"name": "x", "save": ""})
    assert response.status_code == 200 and "minimum prouvé" in response.content.decode()
    assert not StoredRoleModel.objects.exists()


def test_generated_models_load_whatever_the_tokens():
    roles = [
        {"id": "R 1", "permissions": ["consulter:cdap.section.rsa", "é?trange", "P17"], "users": ["u1"]},
        {"id": "R1", "permissions": ["P17"], "users": ["u1", "u2"]},
    ]
    model, _ = parse_model(dump_model(mined_model_document(roles, name="essai")))
    assert len(model.profiles) == 2 and len({p.id for p in model.profiles}) == 2
    assert ("consulter", "cdap.section.rsa") in model.profile_permissions(model.profiles[0].id)
    with pytest.raises(ValueError):
        mined_model_document([], name="vide")


def test_one_run_at_a_time_and_a_dead_run_is_seen_as_interrupted(net, login):
    client = login(net.national_admin)
    upa = UserPermissionAssignment.from_pairs([("u1", "p1")])
    running = MiningRun.objects.create(
        source="fichier",
        label="x",
        time_limit=5,
        upa="u1 p1\n",
        state=MiningRun.State.RUNNING,
        started_at=timezone.now(),
        heartbeat_at=timezone.now(),
    )
    with pytest.raises(Exception, match="en cours"):
        runs.start_run(net.national_admin, "fichier", upa, label="y", time_limit=5)
    page = client.get(f"/atelier-roles/fouilles/{running.pk}/")
    assert page["Refresh"] == "2" and "cette page s'actualise" in page.content.decode()

    MiningRun.objects.filter(pk=running.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=10))
    running.refresh_from_db()
    assert running.is_interrupted and not running.is_active
    page = client.get(f"/atelier-roles/fouilles/{running.pk}/")
    assert "Refresh" not in page and "interrompue" in page.content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_run_executes_in_a_background_thread_and_records_its_progress():
    """Without the inline setting the request returns at once; the run's row moves on its own, as the page that
    refreshes itself sees it."""
    import time

    from workbench.conftest import make_workbench_network

    net = make_workbench_network()
    run = runs.start_run(
        net.national_admin, "fichier", parse_upa(PLANTED.split("\n")), label="planté", time_limit=10
    )
    deadline = time.monotonic() + 60
    while run.state in (MiningRun.State.QUEUED, MiningRun.State.RUNNING) and time.monotonic() < deadline:
        time.sleep(0.1)
        run.refresh_from_db()
    assert run.state == MiningRun.State.DONE
    assert run.progress and all("message" in line for line in run.progress)
    assert run.started_at <= run.finished_at
    assert run.result["optimal"]


def test_a_large_result_is_listed_page_by_page_and_can_be_accepted_whole(net, login):
    """Thousands of mined roles (COMP-sized runs): the table shows a page at a time, and one box accepts them
    all, the other pages included."""
    client = login(net.national_admin)
    roles = [{"id": f"R{k}", "users": [f"u{k}"], "permissions": [f"p{k}"]} for k in range(1, 251)]
    run = MiningRun.objects.create(
        source="fichier",
        label="grande",
        time_limit=5,
        upa="".join(f"u{k} p{k}\n" for k in range(1, 251)),
        state=MiningRun.State.DONE,
        started_at=timezone.now(),
        finished_at=timezone.now(),
        result={"roles": roles, "optimal": True, "lower_bound": 250, "seconds": 1.0,
                "complexity": {"value": 750, "user_assignments": 250, "permission_assignments": 250}, "notes": []},
    )
    first = client.get(f"/atelier-roles/fouilles/{run.pk}/").content.decode()
    assert "250 rôles trouvés" in first and "Rôles 1 à 100 sur 250 (page 1 sur 3)." in first
    assert 'value="R100"' in first and 'value="R101"' not in first
    last = client.get(f"/atelier-roles/fouilles/{run.pk}/?page=3").content.decode()
    assert 'value="R201"' in last and 'value="R250"' in last and 'value="R200"' not in last

    response = client.post(
        f"/atelier-roles/fouilles/{run.pk}/modele/",
        {"roles": ["R1"], "all_roles": "on", "name": "toutes", "download": ""},
    )
    model, _ = parse_model(response.content.decode())
    assert len(model.profiles) == 250
    response = client.post(
        f"/atelier-roles/fouilles/{run.pk}/modele/", {"roles": ["R1", "R2"], "name": "deux", "download": ""}
    )
    model, _ = parse_model(response.content.decode())
    assert [profile.id for profile in model.profiles] == ["R1", "R2"]
