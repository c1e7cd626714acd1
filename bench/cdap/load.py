"""Simulated CDAP users for ``run.py``, in their own process: one thread and one session per user.

Each user logs in through the login form (not measured), then repeats the journey of a partner agent: look a
beneficiary number up (POST, answered by a redirect), read the summary sheet, open one of the sections the sheet
links to — all measured — with an exponential think time between pages. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import threading
import time
from pathlib import Path

import requests

PASSWORD = "Partenaire#2025"  # habpps.conventions.demo_network.DEMO_PASSWORD
LOGIN_TIMEOUT = 600
SECTION_LINK = re.compile(r'data-section="([a-z0-9-]+)"')


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class User(threading.Thread):
    def __init__(
        self,
        base: str,
        login: str,
        think: float,
        seed: int,
        logged_in: threading.Semaphore,
        go: threading.Event,
    ):
        super().__init__(daemon=True)
        self.base, self.login, self.think = base, login, think
        self.logged_in, self.go = logged_in, go
        # Set by the main thread before ``go``: when this user starts, when measuring starts and stops.
        self.start_at = self.measure_from = self.stop_at = 0.0
        self.rng = random.Random(seed)
        self.samples: list[tuple[str, float]] = []
        self.errors: list[str] = []
        self.files = 0
        self.started = False
        self.session = requests.Session()

    def request(self, page: str, method: str, path: str, **kwargs) -> requests.Response | None:
        started = time.perf_counter()
        response = self.session.request(method, self.base + path, allow_redirects=False, timeout=30, **kwargs)
        elapsed = time.perf_counter() - started
        expected = 302 if method == "POST" else 200
        if response.status_code != expected:
            self.errors.append(f"{page} {response.status_code}")
            return None
        if started >= self.measure_from and time.perf_counter() <= self.stop_at:
            self.samples.append((page, elapsed))
        return response

    def pause(self) -> None:
        time.sleep(self.rng.expovariate(1 / self.think) if self.think > 0 else 0)

    def log_in(self) -> None:
        # Fifty Argon2id verifications at once queue behind each other: a generous timeout for this phase.
        self.session.get(f"{self.base}/compte/connexion/", timeout=LOGIN_TIMEOUT)
        response = self.session.post(
            f"{self.base}/compte/connexion/",
            data={
                "username": self.login,
                "password": PASSWORD,
                "csrfmiddlewaretoken": self.session.cookies["csrftoken"],
            },
            allow_redirects=False,
            timeout=LOGIN_TIMEOUT,
        )
        if response.status_code != 302:
            raise RuntimeError(f"connexion refusée pour {self.login} ({response.status_code})")

    def run(self) -> None:
        try:
            # Logging in costs an Argon2id verification each (deliberately slow): everyone logs in first, and
            # the journeys — what is measured — start once they all have.
            try:
                self.log_in()
            finally:
                self.logged_in.release()
            self.started = True
            self.go.wait()
            time.sleep(max(0.0, self.start_at - time.perf_counter()))
            while time.perf_counter() < self.stop_at:
                number = str(self.rng.randint(1_000_000, 8_999_999))
                csrf = self.session.cookies["csrftoken"]
                if (
                    self.request(
                        "recherche", "POST", "/cdap/", data={"number": number, "csrfmiddlewaretoken": csrf}
                    )
                    is None
                ):
                    continue
                if self.measure_from <= time.perf_counter() <= self.stop_at:
                    self.files += 1
                self.pause()
                summary = self.request("synthèse", "GET", "/cdap/dossier/")
                if summary is None:
                    continue
                sections = [code for code in SECTION_LINK.findall(summary.text) if code != "synthese"]
                self.pause()
                if sections:
                    self.request("rubrique", "GET", f"/cdap/dossier/rubriques/{self.rng.choice(sections)}/")
                    self.pause()
        except Exception as error:  # noqa: BLE001 — reported in the figures, never hidden
            self.errors.append(f"{type(error).__name__}: {error}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--logins", type=Path, required=True)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--warmup", type=float, default=10)
    parser.add_argument("--think", type=float, default=1.0)
    args = parser.parse_args()

    logins = json.loads(args.logins.read_text())
    logged_in, go = threading.Semaphore(0), threading.Event()
    users = [User(args.base, login, args.think, index, logged_in, go) for index, login in enumerate(logins)]
    for user in users:
        user.start()
    for _ in users:
        logged_in.acquire()
    now = time.perf_counter()
    epoch = time.time() - now  # to report the measured window in wall-clock time for the CPU sampler
    ramp = min(5.0, args.warmup)  # users start their journeys over a few seconds, not all in the same instant
    for index, user in enumerate(users):
        user.start_at = now + ramp * index / len(users)
        user.measure_from = now + args.warmup
        user.stop_at = now + args.warmup + args.duration
    go.set()
    for user in users:
        user.join()

    by_page: dict[str, list[float]] = {}
    for user in users:
        for page, elapsed in user.samples:
            by_page.setdefault(page, []).append(elapsed * 1000)
    everything = [value for values in by_page.values() for value in values]
    by_page["ensemble"] = everything

    def stats(values: list[float]) -> dict:
        return {
            "count": len(values),
            "p50": statistics.median(values),
            "p95": quantile(values, 0.95),
            "p99": quantile(values, 0.99),
            "max": max(values),
        }

    errors = [error for user in users for error in user.errors]
    print(
        json.dumps(
            {
                "pages": {page: stats(values) for page, values in by_page.items() if values},
                "elapsed": args.duration,
                "requests_per_second": len(everything) / args.duration,
                "files_per_second": sum(user.files for user in users) / args.duration,
                "window": [epoch + now + args.warmup, epoch + now + args.warmup + args.duration],
                "errors": len(errors),
                "users_logged_in": sum(1 for user in users if user.started),
                "error_samples": errors[:10],
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
