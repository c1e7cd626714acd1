"""CPU of one CDAP page, in process: the agent's journey through Django's whole request path, timed and profiled.

``run.py`` measures latencies under load; on a shared machine they mostly measure the queue for a core. This
script measures what a page *costs*: it seeds the demo network in a throw-away database (SQLite by default, or
``DATABASE_URL``), logs one partner agent in through the login form, then repeats the journey of ``load.py`` —
look a number up (POST), the summary sheet, one section — through Django's request handler (the full middleware
stack, sessions, the policy, the template, the journal), timing each page's CPU (``time.process_time``) and wall
time. ``--profile`` adds a cProfile of the measured journeys and prints the functions that cost the most.

    .venv/bin/python bench/cdap/cpu.py --journeys 200
    .venv/bin/python bench/cdap/cpu.py --journeys 100 --profile --top 40
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))
SECTION_LINK = re.compile(r'data-section="([a-z0-9-]+)"')
PASSWORD = "Partenaire#2025"  # habpps.conventions.demo_network.DEMO_PASSWORD


def setup(var_dir: str) -> str:
    """Migrate and seed the demo network (once per ``var_dir``); the login of an agent who sees most sections."""
    os.environ.setdefault("HABPPS_VAR_DIR", var_dir)
    os.environ.setdefault("HABPPS_CDAP_SOURCE", "demo")
    os.environ.setdefault("HABPPS_LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "habpps.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from habpps.accounts.models import Account, OrgLevel
    from habpps.cdap.doctrine import update_limits
    from habpps.cdap.models import DailyActionCount
    from habpps.cdap.sections import granted_sections
    from habpps.conventions.demo_network import seed_demo_network

    seeded = Path(var_dir) / "cdap-cpu-seeded"
    if not seeded.exists():
        call_command("migrate", verbosity=0, interactive=False)
        seed_demo_network()
        update_limits(None, daily_ceiling=1_000_000, alert_threshold=1_000_000)
        seeded.touch()
    candidates = (
        Account.objects.filter(org_level=OrgLevel.PARTNER, memberships__ended_at__isnull=True)
        .distinct()
        .order_by("id")
    )
    DailyActionCount.objects.all().delete()  # today's lookups of earlier runs would count against the ceiling
    return max(candidates, key=lambda account: len(granted_sections(account))).login


class Journey:
    """One signed-in agent's pages, each timed: CPU of this process and wall time."""

    def __init__(self, login: str, seed: int) -> None:
        from django.test import Client
        from django.urls import reverse

        self.client = Client()
        self.rng = random.Random(seed)
        self.lookups = 0
        self.samples: dict[str, list[tuple[float, float]]] = {"recherche": [], "synthèse": [], "rubrique": []}
        self.client.get("/compte/connexion/")
        response = self.client.post("/compte/connexion/", {"username": login, "password": PASSWORD})
        close_other = reverse("accounts:close-other-session")
        if response.status_code == 200 and close_other.encode() in response.content:
            # A session of an earlier run is still open (one session per account, AUT-6): close it.
            response = self.client.post(close_other)
        if response.status_code != 302:
            raise SystemExit(f"connexion refusée pour {login} ({response.status_code})")

    def page(self, name: str, method: str, path: str, expected: int, **data):
        cpu, wall = time.process_time(), time.perf_counter()
        response = getattr(self.client, method)(path, data or None)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        if response.status_code != expected:
            text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))
            raise SystemExit(f"{name} : {response.status_code} au lieu de {expected} — {text[text.find('Dossier ouvert'):][:700]}")
        self.samples[name].append((cpu, wall))
        return response

    def once(self) -> None:
        from habpps.cdap.models import DailyActionCount

        self.lookups += 1
        if self.lookups % 100 == 0:  # the profiles' daily ceiling (ENG-8, e.g. 120): not what is measured
            DailyActionCount.objects.all().delete()
        number = str(self.rng.randint(1_000_000, 8_999_999))
        self.page("recherche", "post", "/cdap/", 302, number=number)
        summary = self.page("synthèse", "get", "/cdap/dossier/", 200)
        sections = [code for code in SECTION_LINK.findall(summary.content.decode()) if code != "synthese"]
        if sections:
            self.page("rubrique", "get", f"/cdap/dossier/rubriques/{self.rng.choice(sections)}/", 200)

    def reset(self) -> None:
        for values in self.samples.values():
            values.clear()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--journeys", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--profile", action="store_true", help="cProfile des parcours mesurés")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sort", default="tottime", help="tottime ou cumulative")
    parser.add_argument("--stats", type=Path, help="enregistrer le profil (pstats) dans ce fichier")
    parser.add_argument("--var-dir", help="dossier de la base, gardée d'un lancement à l'autre (sinon temporaire)")
    args = parser.parse_args()

    var_dir = args.var_dir or tempfile.mkdtemp(prefix="habpps-bench-cdap-cpu-")
    login = setup(var_dir)
    journey = Journey(login, seed=7)
    for _ in range(args.warmup):
        journey.once()
    journey.reset()
    profiler = cProfile.Profile(time.process_time) if args.profile else None  # CPU, not waits
    if profiler:
        profiler.enable()
    for _ in range(args.journeys):
        journey.once()
    if profiler:
        profiler.disable()

    from django.db import connection

    print(f"Base : {connection.vendor} ; agent {login} ; {args.journeys} parcours ; charge {os.getloadavg()[0]:.2f}")
    print("| page | pages | CPU médian | CPU moyen | temps médian |")
    print("|---|---:|---:|---:|---:|")
    every = []
    for name, values in journey.samples.items():
        every.extend(values)
        cpu = [value[0] * 1000 for value in values]
        wall = [value[1] * 1000 for value in values]
        print(f"| {name} | {len(values)} | {statistics.median(cpu):.2f} ms | {statistics.fmean(cpu):.2f} ms "
              f"| {statistics.median(wall):.2f} ms |")
    cpu = [value[0] * 1000 for value in every]
    wall = [value[1] * 1000 for value in every]
    print(f"| ensemble | {len(every)} | {statistics.median(cpu):.2f} ms | {statistics.fmean(cpu):.2f} ms "
          f"| {statistics.median(wall):.2f} ms |")
    if profiler:
        stats = pstats.Stats(profiler)
        if args.stats:
            stats.dump_stats(args.stats)
        stats.sort_stats(args.sort).print_stats(args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
