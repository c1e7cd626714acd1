"""Helpers of the fault tests: a worker process on the test database, and the PostgreSQL server's life."""

from __future__ import annotations

import os
import shlex
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.request import urlopen

from django.db import connection

PROJECT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    """The URL of the database the tests use (pytest-django's ``test_…`` copy), for a child process."""
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


def start_worker(code: str, tmp_path: Path) -> subprocess.Popen:
    """Run ``code`` (after Django's set-up) in a child process on the test database."""
    env = worker_environment(tmp_path)
    script = "import django\ndjango.setup()\n" + code
    return subprocess.Popen([sys.executable, "-c", script], env=env, cwd=PROJECT)


def worker_environment(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "habpps.settings",
        "HABPPS_VAR_DIR": str(tmp_path),
    }


@contextmanager
def running_server(tmp_path: Path, **settings: str):
    """gunicorn serving the platform on the test database (two workers, two threads); yields its base URL.
    ``settings`` are extra environment variables for the server (``HABPPS_...=value``)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "habpps.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "2",
        "--threads",
        "2",
    ]
    server = subprocess.Popen(command, env={**worker_environment(tmp_path), **settings}, cwd=PROJECT)
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urlopen(f"{base_url}/compte/connexion/", timeout=5)
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "gunicorn n'a pas démarré"
                time.sleep(0.3)
        yield base_url
    finally:
        server.terminate()
        server.wait(timeout=30)


def wait_until_blocked(worker: subprocess.Popen, timeout: float = 120) -> None:
    """Wait until another backend of this database waits for a lock (the worker reached the held one)."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            assert worker.poll() is None, f"le processus s'est arrêté seul (code {worker.returncode})"
            # The statistics views are a snapshot per transaction, and the test holds its lock in one.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.1)
    raise AssertionError("le processus n'a jamais atteint le verrou tenu par le test")


def server_directory() -> Path | None:
    """The throw-away server's directory (``scripts/postgres.sh``), or None when the tests run elsewhere."""
    value = os.environ.get("PG_TEST_DIR")
    return Path(value) if value and (Path(value) / "data").is_dir() else None


def _as_owner(command: list[str]) -> list[str]:
    return ["runuser", "-u", "nobody", "--", *command] if os.geteuid() == 0 else command


class Server:
    """The running server of ``directory``: its ``postmaster.opts`` gives the binary and the options to start
    it again exactly as ``scripts/postgres.sh`` did."""

    def __init__(self, directory: Path) -> None:
        self.data = directory / "data"
        self.log = directory / "server.log"
        postmaster, *options = shlex.split((self.data / "postmaster.opts").read_text())
        self.pg_ctl = str(Path(postmaster).parent / "pg_ctl")
        # Drop the data directory (pg_ctl passes it) and keep the rest: port, socket, settings.
        self.options = [o for i, o in enumerate(options) if o != "-D" and (i == 0 or options[i - 1] != "-D")]

    def stop(self) -> None:
        """Stop at once, as a crash would (no checkpoint, clients cut)."""
        subprocess.run(
            _as_owner([self.pg_ctl, "-D", str(self.data), "-m", "immediate", "-w", "stop"]),
            check=True,
            capture_output=True,
        )

    def start(self) -> None:
        command = [
            self.pg_ctl,
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-w",
            "start",
            "-o",
            shlex.join(self.options),
        ]
        subprocess.run(_as_owner(command), check=True, capture_output=True)
