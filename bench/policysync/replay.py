"""What a worker spends replaying the national-wide changes of issue 19 (a profile's permission, a whole fund).

    .venv/bin/python bench/policysync/replay.py --users 300000 --reference 9ce14d2
    .venv/bin/python bench/policysync/replay.py --users 30000 --profile /tmp/replay-prof

``run.py`` times the propagation end to end (notification, replay, the worker's next decision); this script
isolates the replay itself. A throw-away PostgreSQL server is loaded with the national policy (``load.py``, as
``run.py``; ``--database URL`` reuses a loaded one, ``--keep`` leaves the server running). The acting process
(this one) builds its policy, then for each code variant — the code of ``--reference REV`` (``git archive`` into
a temporary folder) and the current tree — starts one worker process on that code, which builds its policy in
full once and, after each of the four actions (grant a permission to the profile of ``partenaire-00042``'s first
group, revoke it, suspend that partner's fund, reactivate it; the cycle leaves the directory as it found it),
replays the change log exactly as a worker woken by a notification does (``PolicyCache.refresh``), timed, and
optionally under cProfile. It reports the replay time, how many engine calls were replayed, whether the
incremental compile fell back to a full ``RBAC.compile()``, and that the decision the action changes is enforced.
At most two processes hold a national policy at a time (the acting one and one worker). Figures are printed,
never asserted.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "bench" / "engine"))
sys.path.insert(0, str(HERE))  # first: bench/engine has a run.py too

from run import (  # noqa: E402 - the end-to-end benchmark's server and process helpers
    create_database,
    rss_mib,
    setup_django,
    start_postgres,
    stop_postgres,
    without_convention_perimeters,
)

GROUP = "partenaire-00042/groupe-a"
NEW_PERMISSION = ("consulter", "cdap:bench-nouvelle-rubrique")


# -- the worker ------------------------------------------------------------------------------------------------------
def worker(database_url: str, profile_dir: str | None, label: str) -> None:
    """Build once; on each ``{"action": …, "check": …}`` line replay the log now and report."""
    setup_django(database_url)
    from django.conf import settings

    from habpps.authorization.policy_cache import policy_cache
    from habpps.engine.rbac import RBAC

    settings.HABPPS_POLICY_LISTEN = False
    settings.HABPPS_POLICY_PROBE_SECONDS = 10**9  # replays happen on command only
    without_convention_perimeters()
    full_compiles = [0]
    compile_ = RBAC.compile

    def counted(self):  # noqa: ANN001, ANN202
        if self._snapshot is None or self._snapshot.version != self._state.version:
            full_compiles[0] += 1
        return compile_(self)

    started = time.perf_counter()
    policy_cache.current()
    build_s = time.perf_counter() - started
    RBAC.compile = counted
    print(json.dumps({"ready": True, "build_s": build_s, "rss_mib": rss_mib()}), flush=True)
    for line in sys.stdin:
        command = json.loads(line)
        before = full_compiles[0]
        profiler = cProfile.Profile() if profile_dir else None
        started, cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        compiled = policy_cache.refresh()
        if profiler:
            profiler.disable()
        replay_s, cpu_s = time.perf_counter() - started, time.process_time() - cpu
        check = command["check"]
        granted = compiled.snapshot.check(check["user"], check["operation"], check["obj"], org=check["org"])
        if profiler:
            name = f"{label}-{command['index']}"
            profiler.dump_stats(os.path.join(profile_dir, f"{name}.prof"))
            text = io.StringIO()
            pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(35)
            Path(profile_dir, f"{name}.txt").write_text(text.getvalue())
        print(json.dumps({"number": compiled.number, "replay_s": replay_s, "cpu_s": cpu_s, "enforced": granted == check["expected"],
                          "full_builds": policy_cache.full_builds, "full_compiles": full_compiles[0] - before,
                          "rss_mib": rss_mib()}), flush=True)


# -- the acting process ----------------------------------------------------------------------------------------------
def actions():
    """(label, action, check) of the four actions, on the profile and the fund of ``GROUP``."""
    from habpps.authorization.orgs import partner_unit
    from habpps.directory import services
    from habpps.directory.models import Group, GroupRoleAssignment

    group = Group.objects.select_related("partner__fund").get(name=GROUP)
    held = GroupRoleAssignment.objects.filter(group=group, ended_at__isnull=True).select_related("role")[0].role
    user = group.memberships.filter(ended_at__isnull=True).select_related("account").order_by("pk")[0].account
    unit = partner_unit(group.partner_id)
    kept = sorted(held.permissions.values_list("operation", "obj"))
    first = kept[0]
    fund = group.partner.fund

    def check(expected: bool, perm: tuple[str, str]) -> dict:
        return {"user": user.login, "operation": perm[0], "obj": perm[1], "org": unit, "expected": expected}

    return [
        ("grant a permission to a profile", lambda: services.set_role_permissions(None, held, [*kept, NEW_PERMISSION]),
         check(True, NEW_PERMISSION)),
        ("revoke it", lambda: services.set_role_permissions(None, held, kept), check(False, NEW_PERMISSION)),
        ("suspend a whole fund", lambda: services.set_fund_status(None, fund, "suspended"), check(False, first)),
        ("reactivate it", lambda: services.set_fund_status(None, fund, "active"), check(True, first)),
    ]


def reference_tree(revision: str) -> Path:
    """The ``src`` folder of ``revision``, exported into a temporary folder."""
    folder = Path(tempfile.mkdtemp(prefix="habpps-replay-ref-"))
    archive = subprocess.run(["git", "archive", revision, "src"], cwd=ROOT, check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder / "src"


def run_variant(database_url: str, label: str, src: Path, profile_dir: str | None) -> list[dict]:
    from habpps.directory.models import PolicyChange

    env = {**os.environ, "PYTHONPATH": str(src)}
    command = [sys.executable, __file__, "--worker", database_url, "--label", label]
    if profile_dir:
        command += ["--profile", profile_dir]
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT, env=env)
    rows = []
    try:
        ready = json.loads(process.stdout.readline())
        print(f"  worker on {label} code ({src}): full build {ready['build_s']:.1f} s, RSS {ready['rss_mib']:.0f} MiB")
        for index, (name, action, check) in enumerate(actions()):
            started = time.perf_counter()
            action()
            action_s = time.perf_counter() - started
            change = PolicyChange.objects.order_by("-number")[0]
            process.stdin.write(json.dumps({"index": index, "check": check}) + "\n")
            process.stdin.flush()
            report = json.loads(process.stdout.readline())
            assert report["number"] == change.number, (report, change.number)
            rows.append({"label": label, "action": name, "action_s": action_s, "calls": len(change.calls), **report})
            print(f"  {label}: {name}: {len(change.calls):,} calls, action {action_s * 1000:.0f} ms, worker replay "
                  f"{report['replay_s'] * 1000:.0f} ms (CPU {report['cpu_s'] * 1000:.0f} ms), full compiles {report['full_compiles']}, full builds "
                  f"{report['full_builds'] - 1}, decision enforced: {report['enforced']}", flush=True)
    finally:
        process.stdin.close()
        process.wait(timeout=120)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=300_000)
    parser.add_argument("--reference", help="also replay on the code of this git revision (before/after)")
    parser.add_argument("--profile", help="folder for a cProfile of each replay (.prof and top-35 .txt)")
    parser.add_argument("--database", help="a database already loaded by this script (--keep)")
    parser.add_argument("--keep", action="store_true", help="leave the PostgreSQL server running")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--label", default="current", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.profile:
        os.makedirs(args.profile, exist_ok=True)
    if args.worker:
        worker(args.worker, args.profile, args.label)
        return 0

    directory = None
    if args.database:
        database_url = args.database
    else:
        database_url, directory = start_postgres()
    try:
        print(f"PostgreSQL: {database_url}" + (f" ({directory})" if directory else ""), flush=True)
        if not args.database:
            create_database(database_url)
        setup_django(database_url)
        from habpps.authorization.policy_cache import policy_cache

        if not args.database:
            from django.core.management import call_command
            from generate import generate_policy
            from load import load_plan

            call_command("migrate", verbosity=0)
            started = time.perf_counter()
            plan = generate_policy(args.users)
            load_plan(plan)
            print(f"national policy loaded: {plan.summary()} in {time.perf_counter() - started:.1f} s", flush=True)
        without_convention_perimeters()
        started = time.perf_counter()
        policy_cache.current()
        print(f"acting process: full build {time.perf_counter() - started:.1f} s, RSS {rss_mib():.0f} MiB", flush=True)
        variants = ([("reference", reference_tree(args.reference))] if args.reference else []) + [
            ("current", ROOT / "src")]
        rows = []
        for label, src in variants:
            rows += run_variant(database_url, label, src, args.profile)
        users = len(policy_cache.current().snapshot._grants)
        print(f"\n{users:,} users in force, load average (1, 5, 15 min): "
              + ", ".join(f"{load:.1f}" for load in os.getloadavg()))
        print("\n| action | calls | " + " | ".join(f"{label}: worker replay, wall (CPU)" for label, _ in variants) + " |")
        print("|---|---:|" + "---:|" * len(variants))
        for name in dict.fromkeys(row["action"] for row in rows):
            mine = [row for row in rows if row["action"] == name]
            cells = [f"{row['replay_s'] * 1000:,.0f} ms (CPU {row['cpu_s'] * 1000:,.0f} ms)" + (f" ({row['full_compiles']} full compile)"
                                                           if row["full_compiles"] else "") for row in mine]
            print(f"| {name} | {mine[0]['calls']:,} | " + " | ".join(cells) + " |")
        from django.db import connections

        connections.close_all()
    finally:
        if directory and not args.keep:
            stop_postgres(directory)
        elif directory:
            print(f"server kept: DATABASE_URL={database_url} PG_TEST_DIR={directory}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
