"""Policy freshness at national scale (ENG-11, issues 4 and 12): admin action time and propagation time.

    .venv/bin/python bench/policysync/run.py                  # 300,000 users, 2 other processes
    .venv/bin/python bench/policysync/run.py --users 10000    # a quick run

A throw-away PostgreSQL server (``scripts/postgres.sh``) is started, migrated and loaded with the engine
benchmark's national policy (``load.py``). Then:

- two or more *worker* processes (like gunicorn workers) each build their policy in full once (start-up), start
  their LISTEN/NOTIFY listener, and poll their compiled policy every millisecond as requests would;
- the *acting* process (this one) builds its policy once, then runs administrative actions through the real
  services (``habpps.directory.services``): each is timed end to end (permission check, writes, reconciliation
  into engine calls, apply, incremental recompile, log, commit, publish);
- after each action, every worker reports when its policy reached the new version and that the decision the
  action changes is enforced there. Propagation = that moment − the end of the action (its commit).

The same is then repeated with the listener off (version probe every second: the fallback). Figures are printed,
never asserted; the targets (action < 1 s, propagation ≤ 1 s) are shown with pass/fail.
"""

from __future__ import annotations

import argparse
import json
import os
import select
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT / "bench" / "engine"))
TARGET_ACTION_S = 1.0
TARGET_PROPAGATION_S = 1.0
UNCHANGED_AFTER_S = 30.0


# -- the throw-away server ----------------------------------------------------------------------------------------
def start_postgres() -> tuple[str, str]:
    out = subprocess.run(
        ["bash", "-c", 'source scripts/postgres.sh && pg_test_start >/dev/null && echo "$DATABASE_URL $PG_TEST_DIR"'],
        cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout.split()
    return out[0], out[1]


def create_database(database_url: str) -> None:
    import psycopg

    server, name = database_url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')


def stop_postgres(directory: str) -> None:
    subprocess.run(["bash", "-c", f'source scripts/postgres.sh && PG_TEST_DIR="{directory}" pg_test_stop'],
                   cwd=ROOT, check=False)


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "habpps.settings")
    os.environ.setdefault("HABPPS_LOG_LEVEL", "WARNING")
    import django

    django.setup()


def without_convention_perimeters() -> None:
    """The generated load has no conventions, and since CNV-2 a partner without a validated one has an empty
    perimeter: no membership, reactivation or profile could be given back there. Like the role hierarchy and
    the SSD set (see ``load.py``), the perimeters are left out of this load — in every process alike; `main`
    prints what deriving them costs each change at this scale."""
    from habpps.authorization import policy_rules
    from habpps.conventions.policy_rules import FOUR_EYES

    policy_rules.register("conventions", lambda partners=None: {
        "perimeters": [], "history_exclusions": [FOUR_EYES.as_dict()] if partners is None else []})


def derive_costs(repeat: int = 5) -> None:
    """What the acting process spends, at each change, on the rules derived from conventions and delegations
    (perimeters, partner administrators, delegations, account units): before (issue 16), every partner's were
    derived and compared; now only the partners the change touched (one, for a group, an account or a partner
    action). Median of ``repeat`` runs of each, in this same run; the engine's sections are the full derivation."""
    from types import SimpleNamespace

    from habpps.authorization import policy_rules
    from habpps.directory.models import Partner

    full = policy_rules.derive()
    engine = SimpleNamespace(platform_rules=policy_rules.RuleIndex(full))
    partner = Partner.objects.order_by("id").values_list("id", flat=True)[Partner.objects.count() // 2]

    def timed(partners) -> float:
        runs = []
        for _ in range(repeat):
            started = time.perf_counter()
            narrowing, widening = policy_rules.calls_for(engine, policy_rules.derivation(partners))
            runs.append(time.perf_counter() - started)
            assert not narrowing and not widening, "nothing moved: no call"
        return statistics.median(runs) * 1000

    before, after = timed(None), timed(frozenset({partner}))
    count = len(full["perimeters"])
    print(f"derived rules at each change ({count:,} partner units, median of {repeat}): every partner "
          f"{before:.0f} ms, the touched partner only {after:.1f} ms — {before / after:.0f}× less")


def rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024


def collector_pauses() -> list[float]:
    """The durations of the full (generation 2) garbage collections from now on, as they happen."""
    import gc

    pauses: list[float] = []
    started = [0.0]

    def callback(phase: str, info: dict) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        elif info["generation"] == 2:
            pauses.append(time.perf_counter() - started[0])

    gc.callbacks.append(callback)
    return pauses


# -- a worker process -----------------------------------------------------------------------------------------------
def worker(database_url: str, listen: bool) -> None:
    """Build once, listen, poll every millisecond; answer ``wait <version> <check json>`` on stdin."""
    setup_django(database_url)
    from django.conf import settings

    from habpps.authorization.policy_cache import policy_cache
    from habpps.authorization.policy_listener import start_policy_listener

    settings.HABPPS_POLICY_PROBE_SECONDS = 1.0
    settings.HABPPS_POLICY_LISTEN = listen
    without_convention_perimeters()
    started = time.perf_counter()
    policy_cache.current()
    build_s = time.perf_counter() - started
    pauses = collector_pauses()
    start_policy_listener()
    print(json.dumps({"ready": True, "build_s": build_s, "rss_mib": rss_mib()}), flush=True)
    seen: dict[int, float] = {}
    waiting: list[tuple[int, dict]] = []
    while True:
        compiled = policy_cache.current()
        now = time.time()
        seen.setdefault(compiled.number, now)
        for item in list(waiting):
            number, check, received = item
            if compiled.number >= number:
                granted = compiled.snapshot.check(check["user"], check["operation"], check["obj"], org=check["org"])
                # A decision the action does not change after all (the user holds it some other way) is
                # reported as such after a while, rather than waited for forever.
                if granted == check["expected"] or now - received > UNCHANGED_AFTER_S:
                    first = min(t for n, t in seen.items() if n >= number)
                    print(json.dumps({"number": number, "seen": first,
                                      "enforced": now if granted == check["expected"] else None,
                                      "full_builds": policy_cache.full_builds, "replayed": policy_cache.replayed,
                                      "gc_full_s": sum(pauses), "gc_full": len(pauses),
                                      "rss_mib": rss_mib()}), flush=True)
                    waiting.remove(item)
        if select.select([sys.stdin], [], [], 0.001)[0]:
            line = sys.stdin.readline()
            if not line:
                return
            command = json.loads(line)
            waiting.append((command["number"], command["check"], time.time()))


# -- the acting process ---------------------------------------------------------------------------------------------
def spawn_workers(database_url: str, count: int, listen: bool) -> list[subprocess.Popen]:
    workers = [
        subprocess.Popen([sys.executable, __file__, "--worker", database_url, "--listen", str(int(listen))],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)
        for _ in range(count)
    ]
    for process in workers:
        ready = json.loads(process.stdout.readline())
        print(f"  worker {process.pid}: full build at start-up {ready['build_s']:.2f} s, RSS {ready['rss_mib']:.0f} MiB")
    return workers


def actions(ids: dict, round_: int):
    """The administrative actions measured, each with a decision it changes: (label, action, check)."""
    from habpps.accounts.models import Account
    from habpps.authorization.orgs import partner_unit
    from habpps.directory import services
    from habpps.directory.models import Group, GroupRoleAssignment, Partner, ServiceRole

    def member_of(group: Group) -> Account:
        return group.memberships.filter(ended_at__isnull=True).select_related("account").order_by("pk")[0].account

    def first_permission(role: ServiceRole) -> tuple[str, str]:
        permission = role.permissions.order_by("obj", "operation")[0]
        return permission.operation, permission.obj

    group = Group.objects.get(pk=ids["group_id"][f"partenaire-{42 + 10 * round_:05d}/groupe-a"])
    held = GroupRoleAssignment.objects.filter(group=group, ended_at__isnull=True).select_related("role")[0].role
    user = member_of(group)
    unit = partner_unit(group.partner_id)
    operation, obj = first_permission(held)

    def check(login, expected, org=unit, perm=(operation, obj)):
        return {"user": login, "operation": perm[0], "obj": perm[1], "org": org, "expected": expected}

    # (Giving a profile back needs the partner's validated convention (CNV-2): not part of this load.)
    second = Group.objects.get(pk=ids["group_id"][f"partenaire-{43 + 10 * round_:05d}/groupe-a"])
    second_role = GroupRoleAssignment.objects.filter(group=second, ended_at__isnull=True)[0].role
    second_check = check(member_of(second).login, False, partner_unit(second.partner_id), first_permission(second_role))
    yield ("retirer un profil à un groupe (unassign_group_role)",
           lambda: services.unassign_group_role(None, second, second_role), second_check)
    other = Account.objects.get(pk=ids["account_id"][sorted(ids["account_id"])[-1]])
    other_group = Group.objects.filter(partner_id=other.partner_id).order_by("pk")[0]
    other_role = GroupRoleAssignment.objects.filter(group=other_group, ended_at__isnull=True)[0].role
    other_check = check(other.login, False, partner_unit(other.partner_id), first_permission(other_role))
    if other_group.memberships.filter(account=other, ended_at__isnull=True).exists():
        yield ("retirer un membre d'un groupe (remove_group_member)",
               lambda: services.remove_group_member(None, other_group, other), other_check)
        yield ("remettre le membre (add_group_member)",
               lambda: services.add_group_member(None, other_group, other), {**other_check, "expected": True})
    yield ("suspendre un compte (set_account_status)",
           lambda: services.set_account_status(None, user, "suspended"), check(user.login, False))
    yield ("réactiver le compte", lambda: services.set_account_status(None, user, "active"), check(user.login, True))
    partner = Partner.objects.get(pk=group.partner_id)
    yield ("suspendre un organisme partenaire (set_partner_status)",
           lambda: services.set_partner_status(None, partner, "suspended"), check(user.login, False))
    yield ("réactiver l'organisme", lambda: services.set_partner_status(None, partner, "active"),
           check(user.login, True))
    new_perm = ("consulter", "cdap:bench-nouvelle-rubrique")
    kept = list(held.permissions.values_list("operation", "obj"))
    yield ("donner une permission à un profil détenu par des milliers d'utilisateurs (set_role_permissions)",
           lambda: services.set_role_permissions(None, held, [*kept, new_perm]), check(user.login, True, perm=new_perm))
    yield ("la lui retirer", lambda: services.set_role_permissions(None, held, kept),
           check(user.login, False, perm=new_perm))
    fund = partner.fund
    yield ("suspendre une caisse entière (set_fund_status)",
           lambda: services.set_fund_status(None, fund, "suspended"), check(user.login, False))
    yield ("réactiver la caisse", lambda: services.set_fund_status(None, fund, "active"), check(user.login, True))


def measure(workers: list[subprocess.Popen], ids: dict, round_: int) -> list[dict]:
    from habpps.authorization.policy_cache import policy_cache

    rows = []
    for label, action, check in actions(ids, round_):
        started = time.perf_counter()
        wall_start = time.time()
        action()
        action_s = time.perf_counter() - started
        committed = time.time()
        number = policy_cache.current().number
        for process in workers:
            process.stdin.write(json.dumps({"number": number, "check": check}) + "\n")
            process.stdin.flush()
        reports = [json.loads(process.stdout.readline()) for process in workers]
        unchanged = any(report["enforced"] is None for report in reports)
        if unchanged:  # the version's arrival is all there is to time
            label = f"{label} (version reached; the decision checked did not change)"
        propagation = [max(0.0, (report["enforced"] or report["seen"]) - committed) for report in reports]
        rows.append({"action": label, "action_s": action_s, "propagation_s": max(propagation),
                     "since_start_s": max((report["enforced"] or report["seen"]) - wall_start for report in reports),
                     "full_builds": max(report["full_builds"] for report in reports),
                     "gc_full_s": max(report["gc_full_s"] for report in reports),
                     "rss_mib": max(report["rss_mib"] for report in reports)})
        row = rows[-1]
        print(f"  {label}: action {row['action_s'] * 1000:.0f} ms, enforced by every other process "
              f"{row['propagation_s'] * 1000:.0f} ms after the commit")
    return rows


def table(rows: list[dict], title: str) -> None:
    print(f"\n{title}\n")
    print("| action | admin action (end to end) | enforced by the other processes after commit |")
    print("|---|---:|---:|")
    for row in rows:
        print(f"| {row['action']} | {row['action_s'] * 1000:.0f} ms | {row['propagation_s'] * 1000:.0f} ms |")
    worst_action = max(row["action_s"] for row in rows)
    worst_propagation = max(row["propagation_s"] for row in rows)
    print(f"\nworst admin action {worst_action * 1000:.0f} ms (target < {TARGET_ACTION_S * 1000:.0f} ms: "
          f"{'pass' if worst_action < TARGET_ACTION_S else 'FAIL'}); median "
          f"{statistics.median(row['action_s'] for row in rows) * 1000:.0f} ms")
    print(f"worst propagation {worst_propagation * 1000:.0f} ms (target ≤ {TARGET_PROPAGATION_S * 1000:.0f} ms: "
          f"{'pass' if worst_propagation <= TARGET_PROPAGATION_S else 'FAIL'}); median "
          f"{statistics.median(row['propagation_s'] for row in rows) * 1000:.0f} ms")
    print("load average of the machine (1, 5, 15 min): " + ", ".join(f"{load:.1f}" for load in os.getloadavg()))
    print(f"full garbage collections in the workers after start-up: {rows[-1]['gc_full_s'] * 1000:.0f} ms in all")
    print(f"full builds in the workers after start-up: {max(row['full_builds'] for row in rows) - 1}; "
          f"worker RSS {max(row['rss_mib'] for row in rows):.0f} MiB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=300_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--listen", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--derive-only", action="store_true",
                        help="stop after the derived rules' figures (no workers, no actions)")
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, bool(args.listen))
        return 0

    database_url, directory = start_postgres()
    try:
        print(f"PostgreSQL de test : {database_url}")
        create_database(database_url)
        setup_django(database_url)
        from django.core.management import call_command
        from generate import generate_policy
        from load import load_plan

        from habpps.authorization.policy_cache import policy_cache

        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        plan = generate_policy(args.users)
        ids = load_plan(plan)
        print(f"national policy loaded: {plan.summary()} in {time.perf_counter() - started:.1f} s")
        derive_costs()
        if args.derive_only:
            return 0
        without_convention_perimeters()
        started = time.perf_counter()
        policy_cache.current()
        print(f"acting process: full build at start-up {time.perf_counter() - started:.2f} s, RSS {rss_mib():.0f} MiB")
        for round_, (listen, title) in enumerate(((True, "LISTEN/NOTIFY (listener thread per process)"),
                              (False, "version probe only (every second: the fallback)"))):
            print(f"\n{title}: {args.workers} other processes")
            workers = spawn_workers(database_url, args.workers, listen)
            try:
                rows = measure(workers, ids, round_)
            finally:
                for process in workers:
                    process.stdin.close()
                    process.wait(timeout=30)
            table(rows, f"{args.users:,} users — {title}")
        from django.db import connections

        connections.close_all()
    finally:
        stop_postgres(directory)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
