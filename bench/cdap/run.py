"""CDAP under load: gunicorn with several workers on PostgreSQL, simulated partner users consulting files.

1. a throw-away PostgreSQL server, started and stopped by the project's ``scripts/postgres.sh``;
2. the schema migrated and the demo network seeded through the administrative services (``habpps demo``'s
   data: 3 funds, every partner type, groups holding the CDAP profiles); the daily ceiling lifted for the run;
3. gunicorn serving the platform with ``--workers`` processes on loopback, the demo beneficiary-file source;
4. the load generator (``load.py``) in its own process: ``--users`` simulated users, each logged in through the
   login form with its own session, each repeating the CDAP journey — look a number up, read the summary
   sheet, open one of its granted sections over the default period — with ``--think`` seconds (mean,
   exponential) between actions;
5. every latency, from the request written to the answer read, quantiles per page and overall, and throughput;
   then the server-side count of journalled consultations, which must match the pages served.

Prints every figure; ``--json FILE`` also saves them. Nothing is asserted: ``bench/README.md`` judges them.

    .venv/bin/python bench/cdap/run.py --users 50 --workers 4 --duration 60 --think 1
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
PYTHON = str(BIN / "python")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def pg_start() -> dict[str, str]:
    """A throw-away server through ``scripts/postgres.sh``, and a database ``habpps`` in it."""
    script = 'source scripts/postgres.sh && pg_test_start >&2 && printf "%s\\n%s\\n" "$PG_TEST_DIR" "$DATABASE_URL"'
    out = subprocess.run(["bash", "-c", script], cwd=ROOT, check=True, capture_output=True, text=True)
    pg_dir, url = out.stdout.split()
    bin_dir = subprocess.run(
        ["bash", "-c", "source scripts/postgres.sh && pg_bin_dir"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    port = url.rsplit(":", 1)[1].split("/")[0]
    subprocess.run(
        [f"{bin_dir}/createdb", "-h", "127.0.0.1", "-p", port, "-U", "postgres", "habpps"], check=True
    )
    return {"PG_TEST_DIR": pg_dir, "DATABASE_URL": url}


def pg_stop(pg_dir: str) -> None:
    subprocess.run(
        ["bash", "-c", f'source scripts/postgres.sh && PG_TEST_DIR="{pg_dir}" pg_test_stop'],
        cwd=ROOT,
        check=False,
    )


def seed(users: int) -> list[str]:
    """Migrate, seed the demo network, lift the ceiling; the logins of ``users`` accounts that see sections."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "habpps.settings")
    django.setup()
    from django.core.management import call_command

    from habpps.accounts.models import Account, OrgLevel
    from habpps.cdap.doctrine import update_limits
    from habpps.cdap.sections import granted_sections
    from habpps.conventions.demo_network import seed_demo_network

    call_command("migrate", verbosity=0, interactive=False)
    started = time.perf_counter()
    seed_demo_network()
    log(f"réseau de démonstration créé en {time.perf_counter() - started:.1f} s")
    update_limits(None, daily_ceiling=1_000_000, alert_threshold=1_000_000)
    candidates = (
        Account.objects.filter(org_level=OrgLevel.PARTNER, memberships__ended_at__isnull=True)
        .distinct()
        .order_by("id")
    )
    logins = [account.login for account in candidates if granted_sections(account)]
    if len(logins) < users:
        raise SystemExit(f"seulement {len(logins)} utilisateurs CDAP dans le réseau de démonstration")
    # Spread the simulated users over profiles and funds rather than taking the first partner's staff.
    step = len(logins) / users
    return [logins[int(index * step)] for index in range(users)]


def start_gunicorn(env: dict[str, str], port: int, workers: int, threads: int) -> subprocess.Popen:
    """Sync workers, or with ``threads`` > 1 threaded ones (requests overlap while others wait on PostgreSQL)."""
    command = [
        str(BIN / "gunicorn"),
        "habpps.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        f"--threads={threads}",
        "--keep-alive=30",
        "--timeout=120",
        "--log-level=warning",
    ]
    return subprocess.Popen(command, cwd=ROOT, env=env)


def wait_until_up(port: int, deadline: float = 60) -> None:
    import http.client

    limit = time.monotonic() + deadline
    while True:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/compte/connexion/")
            connection.getresponse().read()
            return
        except OSError:
            if time.monotonic() > limit:
                raise
            time.sleep(0.3)


class CpuSampler(threading.Thread):
    """CPU seconds used so far by gunicorn's workers and by PostgreSQL's processes, sampled every 0.2 s.

    Wall-clock latencies depend on what else the machine runs; CPU per request does not, much: it is the figure
    from which the capacity of dedicated cores follows.
    """

    def __init__(self, gunicorn_pid: int, postmaster_pid: int) -> None:
        super().__init__(daemon=True)
        self.roots = {"app": gunicorn_pid, "db": postmaster_pid}
        self.samples: list[tuple[float, dict[str, float]]] = []
        self.stopped = threading.Event()
        #: last CPU time seen of every process of each tree, exited ones included: a PostgreSQL backend whose
        #: connection closed took its CPU with it, and a plain sum over the living went backwards (-0.3 ms).
        self.seen: dict[str, dict[tuple[int, float], float]] = {name: {} for name in self.roots}

    def cpu(self, name: str) -> float:
        seen = self.seen[name]
        try:
            root = psutil.Process(self.roots[name])
            for process in [root, *root.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):
                    times = process.cpu_times()
                    seen[(process.pid, process.create_time())] = times.user + times.system
        except psutil.Error:
            pass
        return sum(seen.values())

    def run(self) -> None:
        while not self.stopped.wait(0.2):
            self.samples.append((time.time(), {name: self.cpu(name) for name in self.roots}))

    def used_between(self, start: float, end: float) -> dict[str, float]:
        def at(moment: float) -> dict[str, float]:
            return min(self.samples, key=lambda sample: abs(sample[0] - moment))[1]

        before, after = at(start), at(end)
        return {name: after[name] - before[name] for name in before}


def postmaster_pid(pg_dir: str) -> int:
    return int((Path(pg_dir) / "data" / "postmaster.pid").read_text().split()[0])


def journalled() -> dict[str, int]:
    from django.db.models import Count

    from habpps.cdap.models import Consultation

    return dict(Consultation.objects.values_list("kind").annotate(n=Count("id")).values_list("kind", "n"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1, help="threads par worker (gthread au-delà de 1)")
    parser.add_argument("--duration", type=float, default=60.0, help="secondes mesurées")
    parser.add_argument("--warmup", type=float, default=10.0, help="secondes de chauffe non mesurées")
    parser.add_argument(
        "--think", type=float, default=1.0, help="temps de réflexion moyen entre deux pages (s)"
    )
    parser.add_argument("--json", type=Path, help="enregistrer les chiffres dans ce fichier")
    args = parser.parse_args()

    pg = pg_start()
    gunicorn = None
    var_dir = tempfile.mkdtemp(prefix="habpps-bench-cdap-")
    try:
        env = {
            **os.environ,
            "DATABASE_URL": pg["DATABASE_URL"],
            "HABPPS_VAR_DIR": var_dir,
            "HABPPS_LOG_LEVEL": "WARNING",
            "HABPPS_POLICY_PROBE_SECONDS": "1",
            "HABPPS_CDAP_SOURCE": "demo",
            "DJANGO_SETTINGS_MODULE": "habpps.settings",
        }
        os.environ.update(env)
        logins = seed(args.users)
        from django.db import connections

        connections.close_all()
        port = free_port()
        gunicorn = start_gunicorn(env, port, args.workers, args.threads)
        wait_until_up(port)
        log(f"gunicorn : {args.workers} workers sur le port {port} ; {args.users} utilisateurs simulés")
        logins_file = Path(var_dir) / "logins.json"
        logins_file.write_text(json.dumps(logins))
        before = journalled()
        sampler = CpuSampler(gunicorn.pid, postmaster_pid(pg["PG_TEST_DIR"]))
        sampler.start()
        load = subprocess.run(
            [
                PYTHON,
                str(Path(__file__).with_name("load.py")),
                f"--base=http://127.0.0.1:{port}",
                f"--logins={logins_file}",
                f"--duration={args.duration}",
                f"--warmup={args.warmup}",
                f"--think={args.think}",
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        sampler.stopped.set()
        figures = json.loads(load.stdout)
        served = figures["pages"]["ensemble"]["count"]
        cpu = sampler.used_between(*figures["window"])
        figures["cpu_ms_per_request"] = {name: 1000 * seconds / served for name, seconds in cpu.items()}
        after = journalled()
        figures["journalled"] = {kind: after.get(kind, 0) - before.get(kind, 0) for kind in after}
        figures["machine"] = {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "workers": args.workers,
            "threads": args.threads,
            "load_average": os.getloadavg(),
            "users": args.users,
            "think_seconds": args.think,
        }
        report(figures)
        if args.json:
            args.json.write_text(json.dumps(figures, indent=2))
    finally:
        if gunicorn is not None:
            gunicorn.terminate()
            gunicorn.wait(timeout=30)
        pg_stop(pg["PG_TEST_DIR"])
    return 0


def report(figures: dict) -> None:
    machine = figures["machine"]
    print(
        f"\nCDAP — {machine['users']} utilisateurs simulés, {machine['workers']} workers gunicorn × "
        f"{machine['threads']} threads, PostgreSQL, {machine['cpus']} cœurs (charge de la machine "
        f"{machine['load_average'][0]:.1f}), réflexion moyenne {machine['think_seconds']} s"
    )
    print(f"{'page':<12}{'requêtes':>10}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}{'max ms':>10}")
    for page, stats in figures["pages"].items():
        print(
            f"{page:<12}{stats['count']:>10}{stats['p50']:>10.1f}{stats['p95']:>10.1f}"
            f"{stats['p99']:>10.1f}{stats['max']:>10.1f}"
        )
    print(
        f"\ndébit : {figures['requests_per_second']:.1f} requêtes/s, {figures['files_per_second']:.1f} dossiers "
        f"ouverts/s sur {figures['elapsed']:.1f} s ; utilisateurs connectés : {figures['users_logged_in']} ; "
        f"erreurs : {figures['errors']} {figures['error_samples'][:3]}"
    )
    cpu = figures["cpu_ms_per_request"]
    total = cpu["app"] + cpu["db"]
    print(
        f"CPU par requête : application {cpu['app']:.1f} ms, PostgreSQL {cpu['db']:.1f} ms — soit au plus "
        f"{machine['cpus'] * 1000 / total:.0f} requêtes/s si les {machine['cpus']} cœurs leur étaient réservés"
    )
    print(f"consultations journalisées pendant la mesure et la chauffe : {figures['journalled']}")


if __name__ == "__main__":
    raise SystemExit(main())
