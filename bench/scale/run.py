"""The national-scale proof of the decision endpoint (issue 12, OPS-1, ENG-11).

1. a throw-away PostgreSQL server, started and stopped by the project's ``scripts/postgres.sh``;
2. the schema migrated and the engine benchmark's national policy loaded into it (``load.py``);
3. gunicorn serving the platform with several worker processes, on loopback;
4. the load generator (``loadgen.py``) in a second process: decisions per second and p50/p99 latency of
   ``POST /api/v1/decisions``, then of the batch form;
5. the memory of each worker (RSS, USS), once it holds the compiled policy;
6. the time an administrative change takes to reach every worker: an account is suspended through the
   directory's service (one transaction, version bump), while every worker is being asked about it over its own
   keep-alive connection (each connection is mapped to the worker process holding it); the figure is the time
   from the commit to the first refusal from the slowest worker. Then reactivated, the same way.

Prints every figure; ``--json FILE`` also saves them. Nothing is asserted: the figures are judged in
``bench/README.md``.

    .venv/bin/python bench/scale/run.py --users 300000 --workers 2 --threads 4
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
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


# -- PostgreSQL through the project's script ------------------------------------------------------------------------
def pg_start() -> dict[str, str]:
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


# -- gunicorn ---------------------------------------------------------------------------------------------------------
def start_gunicorn(env: dict[str, str], port: int, workers: int, threads: int) -> subprocess.Popen:
    command = [
        str(BIN / "gunicorn"),
        "habpps.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        "--worker-class=gthread",
        f"--threads={threads}",
        "--keep-alive=30",
        "--timeout=600",
        "--log-level=warning",
    ]
    return subprocess.Popen(command, cwd=ROOT, env=env)


def worker_processes(master: subprocess.Popen) -> list[psutil.Process]:
    return psutil.Process(master.pid).children()


def cpu_times(processes: list[psutil.Process]) -> dict[int, float]:
    times = {}
    for process in processes:
        try:
            used = process.cpu_times()
            times[process.pid] = used.user + used.system
        except psutil.NoSuchProcess:
            pass
    return times


def cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds between two readings; a process born in between counts from zero."""
    return sum(value - before.get(pid, 0.0) for pid, value in after.items())


def postgres_processes(pg_dir: str) -> list[psutil.Process]:
    """The server's processes now, including the backends serving the workers' connections."""
    pid = int((Path(pg_dir) / "data" / "postmaster.pid").read_text().split()[0])
    master = psutil.Process(pid)
    return [master, *master.children(recursive=True)]


def http_post(port: int, path: str, token: str, body: dict, timeout: float = 900) -> tuple[int, dict]:
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    connection.request(
        "POST",
        path,
        json.dumps(body),
        {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    response = connection.getresponse()
    data = json.loads(response.read() or b"{}")
    connection.close()
    return response.status, data


# -- propagation of a change to every worker --------------------------------------------------------------------------
async def open_worker_connections(port: int, workers: list[psutil.Process], most: int = 64):
    """Keep-alive connections until every worker holds at least one; each tagged with its worker's pid."""
    by_worker: dict[int, tuple] = {}
    spare = []
    for _ in range(most):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            b"GET /api/v1/openapi.json HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        )  # makes the worker accept
        await read_response(reader)
        local_port = writer.get_extra_info("sockname")[1]
        owner = next(
            (
                worker.pid
                for worker in workers
                for conn in worker.net_connections(kind="tcp")
                if conn.raddr and conn.raddr.port == local_port
            ),
            None,
        )
        if owner is not None and owner not in by_worker:
            by_worker[owner] = (reader, writer)
        else:
            spare.append(writer)
        if len(by_worker) == len(workers):
            break
    for writer in spare:
        writer.close()
    return by_worker


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    body = await reader.readexactly(length) if length else b""
    return int(head[9:12]), body


def change(account, status: str, watch: Watch) -> None:
    """The administrative change, timed at its commit.

    The clock starts in the first commit hook, before the hook that installs the new policy in this process:
    dropping the previous national policy frees millions of objects, which takes seconds that belong to this
    process, not to the propagation.
    """
    from django.db import transaction

    from habpps.directory import services

    with transaction.atomic():
        transaction.on_commit(lambda: setattr(watch, "committed_at", time.perf_counter()))
        services.set_account_status(None, account, status)


class Watch:
    """Every worker asked in a loop over its own connection (keeping it alive) until it answers ``expected``
    at or after the commit time, which is set once the change has committed."""

    def __init__(self, connections: dict, request: bytes) -> None:
        self.connections, self.request = connections, request
        self.expected: bool | None = None
        self.committed_at: float | None = None

    async def until_flipped(self, limit: float) -> dict[int, float]:
        async def one(reader, writer) -> float:
            while True:
                writer.write(self.request)
                _status, body = await read_response(reader)
                granted = b'"granted": true' in body or b'"granted":true' in body
                now = time.perf_counter()
                committed = self.committed_at
                if committed is not None and granted == self.expected and now >= committed:
                    return now - committed
                if committed is not None and now - committed > limit:
                    return float("inf")

        results = await asyncio.gather(*(one(r, w) for r, w in self.connections.values()))
        return dict(zip(self.connections, results, strict=True))


def measure_propagation(
    port: int, token: str, workers: list[psutil.Process], login: str, query: dict, rounds: int
):
    from habpps.accounts.models import Account

    body = json.dumps({**query, "user": login}).encode()
    request = (
        f"POST /api/v1/decisions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body

    async def scenario():
        connections = await open_worker_connections(port, workers)
        log(f"propagation : {len(connections)} connexions, une par worker ({sorted(connections)})")
        figures = []
        loop = asyncio.get_running_loop()
        watch = Watch(connections, request)
        for _ in range(rounds):
            for status, expected in (("suspended", False), ("active", True)):
                account = await loop.run_in_executor(None, lambda: Account.objects.get(login=login))
                watch.expected, watch.committed_at = expected, None
                watching = asyncio.ensure_future(watch.until_flipped(limit=900))
                began = time.perf_counter()
                await loop.run_in_executor(None, lambda s=status, a=account: change(a, s, watch))
                committed = watch.committed_at
                per_worker = await watching
                figures.append(
                    {
                        "change": status,
                        "service_call_s": round(committed - began, 3),
                        "slowest_worker_s": round(max(per_worker.values()), 3),
                        "per_worker_s": {str(pid): round(value, 3) for pid, value in per_worker.items()},
                    }
                )
                log(f"propagation {status}: {figures[-1]}")
        for _reader, writer in connections.values():
            writer.close()
        return figures

    return asyncio.run(scenario())


# -- the run ----------------------------------------------------------------------------------------------------------
def run(args) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix="habpps-scale-"))
    pg = pg_start()
    master = None
    try:
        env = {
            **os.environ,
            "DATABASE_URL": pg["DATABASE_URL"],
            "HABPPS_VAR_DIR": str(workdir),
            "HABPPS_LOG_LEVEL": "ERROR",
            "HABPPS_POLICY_PROBE_SECONDS": str(args.probe),
            "DJANGO_SETTINGS_MODULE": "habpps.settings",
        }
        log("migration")
        subprocess.run([PYTHON, "-m", "django", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        log(f"chargement de la politique nationale ({args.users} utilisateurs)")
        queries = workdir / "queries.json"
        loaded = json.loads(
            subprocess.run(
                [
                    PYTHON,
                    str(Path(__file__).parent / "load.py"),
                    f"--users={args.users}",
                    f"--queries={queries}",
                ],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
        log(f"chargé : {loaded}")

        os.environ.update({k: env[k] for k in ("DATABASE_URL", "HABPPS_VAR_DIR", "DJANGO_SETTINGS_MODULE")})
        os.environ["HABPPS_LOG_LEVEL"] = "ERROR"
        import django

        django.setup()
        from habpps.api.tokens import register_service

        token = register_service("banc-echelle").secret
        results: dict = {
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "load_average": [round(x, 2) for x in os.getloadavg()],
            },
            "policy": loaded,
            "server": {"workers": args.workers, "threads": args.threads, "probe_s": args.probe},
            "profiles": {},
        }
        granted = None
        for index, profile in enumerate(args.profiles):
            last = index == len(args.profiles) - 1
            port = free_port()
            master = start_gunicorn(
                {**env, "DJANGO_SETTINGS_MODULE": PROFILES[profile]}, port, args.workers, args.threads
            )
            log(
                f"gunicorn « {profile} » : {args.workers} workers × {args.threads} threads sur le port {port}"
            )
            measured, workers = measure_profile(args, pg, master, port, token, queries)
            if granted is None:
                granted = granted_queries(queries, workdir / "granted.json")
            # The same single decisions, granted ones only: the decision path without any journal write.
            figures = loadgen(
                port, token, granted, connections=args.connections[0], duration=args.duration, batch=1
            )
            figures["granted_only"] = True
            log(f"charge (accordées seulement) : {figures}")
            measured["load"].append(figures)
            if last:
                sample = json.loads(queries.read_text(encoding="utf-8"))[0]
                login, query = propagation_subject(sample, queries)
                measured["propagation"] = measure_propagation(port, token, workers, login, query, args.rounds)
                slowest = [item["slowest_worker_s"] for item in measured["propagation"]]
                measured["propagation_summary_s"] = {
                    "median": statistics.median(slowest),
                    "max": max(slowest),
                }
            results["profiles"][profile] = measured
            if not last:
                master.terminate()
                master.wait(timeout=60)
                master = None
        results["journal"] = journal_check(DENIALS_ANSWERED[0])
        log(f"journal : {results['journal']}")
        return results
    finally:
        if master is not None:
            master.terminate()
            master.wait(timeout=60)
        pg_stop(pg["PG_TEST_DIR"])
        shutil.rmtree(workdir, ignore_errors=True)


def journal_check(denials_answered: int, wait: float = 60.0) -> dict:
    """Refusals answered by the load runs vs refusals in the journal, once the workers' writers caught up."""
    from habpps.api.pdp import DENIAL_KIND
    from habpps.journal.models import JournalEntry

    started = time.perf_counter()
    journalled = 0
    while time.perf_counter() - started < wait:
        journalled = JournalEntry.objects.filter(kind=DENIAL_KIND).count()
        if journalled >= denials_answered:
            break
        time.sleep(1)
    return {
        "denials_answered": denials_answered,
        "denials_journalled": journalled,
        "catch_up_s": round(time.perf_counter() - started, 1),
    }


PROFILES = {"full": "habpps.settings", "decisions": "habpps.api.decision_settings"}
"""Process profiles: the platform's whole request path, or processes dedicated to the decision endpoint."""

DENIALS_ANSWERED = [0]


def measure_profile(
    args, pg: dict, master: subprocess.Popen, port: int, token: str, queries: Path
) -> tuple[dict, list[psutil.Process]]:
    """Warm the workers of the gunicorn on ``port``, then load runs, CPU per decision and memory per worker."""
    sample = json.loads(queries.read_text(encoding="utf-8"))[0]
    deadline = time.monotonic() + 900
    while True:
        try:
            status, _ = http_post(port, "/api/v1/decisions", token, sample, timeout=900)
            if status == 200:
                break
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("gunicorn ne répond pas")
        time.sleep(0.5)
    # Every worker compiles the policy on its first decision: warm them all before measuring.
    started = time.perf_counter()
    warm = loadgen(port, token, queries, connections=4 * args.workers, duration=args.warmup, batch=1)
    log(f"chauffe ({time.perf_counter() - started:.0f} s) : {warm['requests']} requêtes")
    workers = worker_processes(master)
    runs = []
    for connections in args.connections:
        for batch in args.batches:
            before = cpu_times(workers), cpu_times(postgres_processes(pg["PG_TEST_DIR"]))
            figures = loadgen(
                port, token, queries, connections=connections, duration=args.duration, batch=batch
            )
            # CPU the server side spent per decision: independent of what else the machine runs, it says
            # what two dedicated cores would sustain.
            server_cpu = cpu_used(before[0], cpu_times(workers))
            database_cpu = cpu_used(before[1], cpu_times(postgres_processes(pg["PG_TEST_DIR"])))
            figures["cpu_ms_per_decision"] = {
                "workers": round(1000 * server_cpu / max(1, figures["decisions"]), 3),
                "postgresql": round(1000 * database_cpu / max(1, figures["decisions"]), 3),
            }
            figures["decisions_per_s_on_2_dedicated_cores"] = round(
                2 * figures["decisions"] / max(1e-9, server_cpu + database_cpu)
            )
            log(f"charge : {figures}")
            runs.append(figures)
    DENIALS_ANSWERED[0] += sum(r["decisions"] - r["granted"] for r in [warm, *runs])
    memory = [
        {"pid": worker.pid, "rss": round(info.rss / 2**20), "uss": round(info.uss / 2**20)}
        for worker in workers
        for info in [worker.memory_full_info()]
    ]
    log(f"mémoire : {memory}")
    return {"load": runs, "memory_per_worker_mib": memory}, workers


def granted_queries(queries: Path, target: Path) -> Path:
    """The sampled queries the current policy grants, written to ``target``."""
    from habpps.authorization.policy_cache import current_policy

    snapshot = current_policy().snapshot
    items = json.loads(queries.read_text(encoding="utf-8"))
    kept = [q for q in items if snapshot.check(q["user"], q["operation"], q["object"], q["org"])]
    target.write_text(json.dumps(kept), encoding="utf-8")
    return target


def propagation_subject(sample: dict, queries: Path) -> tuple[str, dict]:
    """A partner user and a decision it is granted now (from the sampled queries)."""
    from habpps.authorization.policy_cache import current_policy

    snapshot = current_policy().snapshot
    for item in json.loads(queries.read_text(encoding="utf-8")):
        if item["user"].startswith("u") and snapshot.check(
            item["user"], item["operation"], item["object"], item["org"]
        ):
            return item["user"], {k: item[k] for k in ("operation", "object", "org")}
    raise RuntimeError("aucune requête accordée dans l'échantillon")


def loadgen(port: int, token: str, queries: Path, *, connections: int, duration: float, batch: int) -> dict:
    out = subprocess.run(
        [
            PYTHON,
            str(Path(__file__).parent / "loadgen.py"),
            f"--port={port}",
            f"--token={token}",
            f"--queries={queries}",
            f"--connections={connections}",
            f"--duration={duration}",
            f"--batch={batch}",
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=300_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--probe", type=float, default=1.0, help="HABPPS_POLICY_PROBE_SECONDS des workers")
    parser.add_argument("--duration", type=float, default=20.0, help="secondes par mesure de charge")
    parser.add_argument("--warmup", type=float, default=10.0)
    parser.add_argument("--connections", type=lambda s: [int(x) for x in s.split(",")], default=[8])
    parser.add_argument("--batches", type=lambda s: [int(x) for x in s.split(",")], default=[1, 20])
    parser.add_argument("--rounds", type=int, default=3, help="suspensions/réactivations mesurées")
    parser.add_argument(
        "--profiles",
        type=lambda value: value.split(","),
        default=["full", "decisions"],
        help="processus mesurés, dans l'ordre : full (chemin complet), decisions (processus dédiés)",
    )
    parser.add_argument("--json", type=Path, help="enregistrer les chiffres dans ce fichier")
    args = parser.parse_args()
    results = run(args)
    text = json.dumps(results, indent=2, ensure_ascii=False)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
