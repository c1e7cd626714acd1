"""Decisions over HTTP against the WSGI server's own floor (issue 19, API-1, ENG-11, OPS-1).

For each policy size, in the same run, on loopback, with the same gunicorn (workers, ``gthread`` threads) and the
same ``wrk`` load (threads, connections, duration, the same bodies):

* ``bare``: a WSGI app that reads the body and answers a fixed decision (``bare.py``) — the floor;
* ``habpps``: the lean decision server (``habpps.pdp``) — ``habpps serve --decisions`` on the demo network's
  database, ``habpps pdp --policy`` on the national policy (300,000 users, ``bench/engine/generate.py``);
* on the demo, also the platform's Django decision processes (``habpps.api.decision_settings``), for the record.

The servers of one policy run side by side and are measured in interleaved rounds (``--rounds``, median), so a
machine whose load varies weighs on each alike. Figures: requests/s, decisions/s, p50/p99 latency, and the ratio
of each rate to ``bare``'s in the same round. Nothing is asserted; the figures
are judged in ``bench/README.md``. ``wrk`` comes from Debian (``scripts/system-deps.sh --bench``).

    .venv/bin/python bench/pdp/run.py [--users 300000] [--workers 2] [--threads 4] [--duration 10]
        [--connections 16] [--delay-ms 0]

``--delay-ms D`` paces each connection (``wrk``'s ``delay()``: D ms between an answer and the next request), so the
latency is measured below saturation: at saturation a closed loop's mean latency is connections / rate (Little's
law), whatever the server does per request.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
THREADS = 4


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ensure_wrk() -> str:
    if shutil.which("wrk") is None:
        subprocess.run(["bash", str(ROOT / "scripts" / "system-deps.sh"), "--bench"], check=True)
    return shutil.which("wrk") or "wrk"


def start(command: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)


def gunicorn(app: str, port: int, workers: int, env: dict[str, str], chdir: Path | None = None,
             threads: int = THREADS) -> subprocess.Popen:
    command = [PYTHON, "-m", "gunicorn", app, "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
               "--worker-class", "gthread", "--threads", str(threads), "--graceful-timeout", "5",
               "--timeout", "900"]
    if chdir is not None:
        command += ["--chdir", str(chdir)]
    return start(command, env)


def wait_ready(process: subprocess.Popen, port: int, path: str, body: str, token: str, limit: float = 1200) -> None:
    """Until the server answers one real request (a national policy takes a while to load in every worker)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(process.stderr.read().decode()[-2000:])
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body.encode(), method="POST",
                                         headers={"Content-Type": "application/json",
                                                  **({"Authorization": f"Bearer {token}"} if token else {})})
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    raise RuntimeError("le serveur n'a pas répondu à temps")


def stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, 15)
        process.wait(timeout=20)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, 9)
        process.wait()


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    return float(match.group(1)) * _UNITS[match.group(2)] if match else float("nan")


def wrk(binary: str, port: int, path: str, bodies: Path, token: str, args: argparse.Namespace,
        duration: float) -> dict:
    env = {**os.environ, "BODIES_FILE": str(bodies), "BENCH_PATH": path, "BENCH_TOKEN": token,
           "BENCH_DELAY_MS": str(args.delay_ms)}
    output = subprocess.run(
        [binary, f"-t{args.wrk_threads}", f"-c{args.connections}", f"-d{int(duration)}s", "--latency",
         "-s", str(HERE / "bodies.lua"), f"http://127.0.0.1:{port}"],
        env=env, capture_output=True, text=True, check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", output, re.MULTILINE))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {"requests_per_s": rate, "p50_ms": _ms(latency.get("50", "")), "p99_ms": _ms(latency.get("99", "")),
            "non_2xx": int(errors.group(1)) if errors else 0}


def scenario(label: str, data: Path, habpps: list[str], token: str, args: argparse.Namespace, binary: str,
             env: dict[str, str], django: bool) -> list[dict]:
    """Start every server of this policy, then measure them in interleaved rounds (bare, habpps, … again), so
    that a machine whose load varies weighs on each alike; each figure is the median over the rounds."""
    single = data / "authzen.jsonl"
    batch = (f"AuthZEN evaluations ×{args.batch}", "/access/v1/evaluations", data / "authzen-batch.jsonl", args.batch)
    evaluation = ("AuthZEN evaluation", "/access/v1/evaluation", single, 1)
    v1 = ("/api/v1/decisions", "/api/v1/decisions", data / "v1.jsonl", 1)
    servers: list[tuple[str, subprocess.Popen, int, list, str]] = []
    log(f"— {label}")
    try:
        port = free_port()
        servers.append(("bare WSGI", gunicorn("bare:application", port, args.workers, env, chdir=HERE,
                                                      threads=args.threads), port,
                        [evaluation, (batch[0], batch[1], batch[2], 1)], ""))
        port = free_port()
        lean = [evaluation, v1, batch]
        if (data / "authzen-granted.jsonl").exists():
            lean.append(("AuthZEN evaluation, accordées", "/access/v1/evaluation", data / "authzen-granted.jsonl", 1))
        servers.append(("habpps (lean)", start(habpps + ["--port", str(port), "--workers", str(args.workers),
                                                          "--threads", str(args.threads)], env),
                        port, lean, token))
        if django:
            port = free_port()
            servers.append(("Django decision procs", gunicorn(
                "habpps.wsgi:application", port, args.workers,
                {**env, "DJANGO_SETTINGS_MODULE": "habpps.api.decision_settings"}), port, [v1], token))
        for _name, process, port, endpoints, server_token in servers:
            first = endpoints[0]
            wait_ready(process, port, first[1], first[2].read_text().splitlines()[0], server_token)
            for _label, path, bodies, _n in endpoints:
                wrk(binary, port, path, bodies, server_token, args, 2)  # warm-up
        runs: dict[tuple[str, str], list[dict]] = {}
        for round_number in range(args.rounds):
            for name, _process, port, endpoints, server_token in servers:
                for endpoint_label, path, bodies, per_request in endpoints:
                    figures = wrk(binary, port, path, bodies, server_token, args, args.duration)
                    figures["decisions_per_s"] = figures["requests_per_s"] * per_request
                    figures["round"] = round_number
                    runs.setdefault((name, endpoint_label), []).append(figures)
    finally:
        for _name, process, *_rest in servers:
            stop(process)
    rows = []
    for (name, endpoint_label), figures in runs.items():
        row = {"policy": label, "server": name, "endpoint": endpoint_label, "runs": figures}
        for key in ("requests_per_s", "decisions_per_s", "p50_ms", "p99_ms"):
            row[key] = statistics.median(f[key] for f in figures)
        row["non_2xx"] = sum(f["non_2xx"] for f in figures)
        rows.append(row)
        log(f"  {name:<22} {endpoint_label:<26} {row['requests_per_s']:>8.0f} req/s {row['decisions_per_s']:>8.0f} "
            f"déc/s  p50 {row['p50_ms']:.2f} ms  p99 {row['p99_ms']:.2f} ms  non-2xx {row['non_2xx']}")
    return rows


def ratios(rows: list[dict]) -> list[dict]:
    """Each server's request rate against the bare app's in the same round (median over rounds)."""
    table = []
    for policy in sorted({r["policy"] for r in rows}):
        bare = next(r for r in rows if r["policy"] == policy and r["server"] == "bare WSGI"
                    and r["endpoint"] == "AuthZEN evaluation")
        for row in rows:
            if row["policy"] == policy and row["server"] != "bare WSGI":
                per_round = [run["requests_per_s"] / base["requests_per_s"]
                             for run, base in zip(row["runs"], bare["runs"], strict=True)]
                table.append({"policy": policy, "server": row["server"], "endpoint": row["endpoint"],
                              "ratio_to_bare": statistics.median(per_round)})
                log(f"  ratio {policy[:10]:<10} {row['server']:<22} {row['endpoint']:<26} "
                    f"{statistics.median(per_round):.0%}")
    return table


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=300_000, help="national policy size (0: skip it)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=THREADS, help="gthread threads per worker (bare and habpps)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--delay-ms", type=int, default=0,
                        help="pause of each connection between an answer and its next request (0: saturate)")
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--batch", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved measurement rounds (median)")
    parser.add_argument("--skip-demo", action="store_true")
    parser.add_argument("--national-data", type=Path,
                        help="a directory already written by queries.py national (skips the generation)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    binary = ensure_wrk()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="bench-pdp-") as tmp:
        tmp_path = Path(tmp)
        if not args.skip_demo:
            demo = tmp_path / "demo"
            demo.mkdir()
            demo_env = {**env, "HABPPS_VAR_DIR": str(demo)}
            log("Base de démonstration (habpps demo --sans-serveur)…")
            subprocess.run([PYTHON, "-m", "habpps", "demo", "--sans-serveur"], env=demo_env, check=True,
                           stdout=subprocess.DEVNULL)
            subprocess.run([PYTHON, str(HERE / "queries.py"), "demo", str(demo), "--batch", str(args.batch)],
                           env=demo_env, check=True)
            token = (demo / "token").read_text().strip()
            rows += scenario("démo (base SQLite, habpps serve --decisions)", demo,
                             [PYTHON, "-m", "habpps", "serve", "--decisions"], token, args, binary, demo_env,
                             django=True)
        if args.users:
            national = args.national_data or tmp_path / "national"
            if args.national_data is None:
                national.mkdir()
                log(f"Politique nationale ({args.users} utilisateurs)…")
                subprocess.run([PYTHON, str(HERE / "queries.py"), "national", str(national), "--users",
                                str(args.users), "--batch", str(args.batch)], env=env, check=True)
            rows += scenario(f"nationale ({args.users} utilisateurs, habpps pdp --policy)", national,
                             [PYTHON, "-m", "habpps", "pdp", "--policy", str(national / "policy.json")], "", args,
                             binary, env, django=False)
    result = {
        "machine": {"cpus": os.cpu_count(), "processor": platform.processor() or platform.machine(),
                    "python": platform.python_version()},
        "load": {"wrk_threads": args.wrk_threads, "connections": args.connections, "duration_s": args.duration,
                 "workers": args.workers, "threads_per_worker": args.threads,
                 "delay_ms": args.delay_ms},
        "rows": rows,
        "ratios": ratios(rows),
    }
    print(json.dumps(result, indent=2, ensure_ascii=False))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
