"""Supervision benchmark: a generated national year on PostgreSQL, the aggregation job, every dashboard query.

Run through ``bench/supervision/run.sh``, which starts a throw-away PostgreSQL server (as ``scripts/postgres.sh``
does for the tests) and sets ``DATABASE_URL``. The network and the journal are loaded with COPY: 100 funds,
15,000 partners, 300,000 partner users (each in their partner's group, which holds one CDAP profile), a year of
journal — 5,000,000 CDAP consultations with a skewed activity, one login per user and active week, freezes.
Then ``aggregate()`` folds the year into the daily aggregates (timed), and each dashboard query is timed at the
national, fund and partner levels — best of three, after a warm-up; the target is ≤ 1 s each.

    bench/supervision/run.sh                       # the national year
    bench/supervision/run.sh --users 30000 --consultations 500000   # a smaller one
    bench/supervision/run.sh --scale 0.2           # a fifth of the nation: funds, partners, users, consultations
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "habpps.settings")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--funds", type=int)
    parser.add_argument("--partners", type=int)
    parser.add_argument("--users", type=int)
    parser.add_argument("--consultations", type=int)
    parser.add_argument("--scale", type=float, default=1.0,
                        help="fraction de l'année nationale (caisses, partenaires, utilisateurs, consultations) "
                             "pour ce que les options précédentes ne fixent pas : 0.2 se charge ~5 fois plus vite")
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--reuse", action="store_true",
                        help="la base est déjà chargée et agrégée (DATABASE_URL) : seulement les fenêtres et les mesures")
    args = parser.parse_args()
    for name, national in NATIONAL.items():
        if getattr(args, name) is None:
            setattr(args, name, max(1, round(national * args.scale)))
    return args


NATIONAL = {"funds": 100, "partners": 15_000, "users": 300_000, "consultations": 5_000_000}
"""The national year's sizes (``--scale 1``)."""


def main() -> int:
    args = parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("DATABASE_URL doit désigner un serveur PostgreSQL : lancer bench/supervision/run.sh", file=sys.stderr)
        return 2
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from habpps.supervision.aggregation import aggregate, refresh_windows

    if args.reuse:
        world = existing_world()
    else:
        rng = np.random.default_rng(args.seed)
        started = time.perf_counter()
        world = load_network(args, rng)
        print(f"Réseau chargé (COPY) : {args.funds} caisses, {args.partners} partenaires, {args.users} utilisateurs "
              f"en {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        counts = load_journal(args, rng, world)
        print(f"Journal chargé (COPY) : {counts} en {time.perf_counter() - started:.1f} s")
        analyse()
        started = time.perf_counter()
        report = aggregate()
        print(f"Agrégation de l'année ({report.days} jours) : {time.perf_counter() - started:.1f} s — "
              f"{dict(report.rows)}")
        started = time.perf_counter()
        aggregate(since=report.last_day)
        print(f"Agrégation d'une journée (passage quotidien, fenêtres comprises) : "
              f"{time.perf_counter() - started:.2f} s")
    from habpps.supervision.models import AggregationState

    last_day = AggregationState.objects.get().last_day
    started = time.perf_counter()
    rows = refresh_windows(last_day)
    print(f"Fenêtres observées (SUP-2, SUP-7) sommées par le travail : {rows} lignes en "
          f"{time.perf_counter() - started:.2f} s (charge {os.getloadavg()[0]:.1f})")
    measure_window_slide(last_day)
    analyse()
    measure(world)
    return 0


def window_rows() -> list[tuple]:
    """Each window's sums, under the window's start (whatever key its rows are stored under)."""
    from habpps.supervision.models import ActivityWindow, WindowServiceActivity

    rows = []
    for window in ActivityWindow.objects.order_by("since"):
        rows += [(window.since, *row) for row in WindowServiceActivity.objects.filter(since=window.rows_since)
                 .order_by("account_id", "service")
                 .values_list("account_id", "fund_id", "partner_id", "service", "actions", "days", "last_day")]
    return rows


def measure_window_slide(last_day, rounds: int = 3) -> None:
    """The nightly pass's window sums both ways on the same data (issue 19 §3): the sums of the day before moved
    by difference to ``last_day`` (its rows added, the day leaving subtracted), then rewritten whole; the rows
    must be the same. Then the whole nightly pass both ways (``aggregate()``: fold the day, move the sums), by
    difference last, so that the dashboards are then measured on sums moved by difference."""
    from datetime import timedelta

    from django.db import connection, transaction
    from django.utils import timezone

    from habpps.supervision.aggregation import _lock_state, aggregate, refresh_windows, slide_windows
    from habpps.supervision.models import AggregationState

    today, day = timezone.localdate(), timedelta(days=1)
    for round_ in range(1, rounds + 1):
        refresh_windows(last_day - day, today - day)  # the sums as the previous night left them
        load = os.getloadavg()[0]
        statements = []

        def timed(execute, sql, params, many, context, statements=statements):
            began = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                statements.append((time.perf_counter() - began, " ".join(sql.split()[:3])))

        started = time.perf_counter()
        with transaction.atomic(), connection.execute_wrapper(timed):
            _lock_state()
            moved = slide_windows(last_day, today, last_day - day)
        by_difference = time.perf_counter() - started
        if round_ == 1:
            print("  requêtes de la différence (s) : " + ", ".join(
                f"{name} {seconds:.2f}" for seconds, name in sorted(statements, reverse=True)[:6]))
        slid = window_rows()
        started = time.perf_counter()
        rewritten = refresh_windows(last_day, today)
        whole = time.perf_counter() - started
        same = "oui" if window_rows() == slid else "NON"
        print(f"Fenêtres, passe {round_} (charge {load:.1f}) : par différence {by_difference:.2f} s "
              f"({'repli' if moved is None else f'{moved} lignes touchées'}), réécrites entières {whole:.2f} s "
              f"({rewritten} lignes) — mêmes lignes : {same}")
    for mode in ("réécriture entière", "par différence"):
        refresh_windows(last_day - day, today - day)
        AggregationState.objects.update(last_day=last_day - day)
        started = time.perf_counter()
        if mode == "par différence":
            aggregate(last_day)  # the nightly job: the sums are through the day before its first day
        else:
            aggregate(last_day, since=last_day)
        print(f"Passage quotidien (une journée + fenêtres {mode}) : {time.perf_counter() - started:.2f} s "
              f"(charge {os.getloadavg()[0]:.1f})")


def existing_world() -> dict:
    """The fund with the most partners and the partner with the most users of an already loaded database."""
    from django.db.models import Count

    from habpps.accounts.models import Account
    from habpps.directory.models import Partner

    fund = Partner.objects.values("fund_id").annotate(n=Count("id")).order_by("-n", "fund_id")[0]["fund_id"]
    partner = (Account.objects.filter(partner__isnull=False).values("partner_id").annotate(n=Count("id"))
               .order_by("-n", "partner_id")[0]["partner_id"])
    return {"fund": fund, "partner": partner}


def copy_rows(table: str, columns: list[str], rows) -> int:
    """COPY ``rows`` into ``table``; the model's other columns get their field defaults (the schema grows
    columns the generator need not know about: a column without a database default would refuse the row)."""
    from django.apps import apps
    from django.db import connection

    model = next(model for model in apps.get_models() if model._meta.db_table == table)
    extra = [
        field
        for field in model._meta.concrete_fields
        if field.column not in columns and not field.primary_key and not field.null
        and field.get_default() is not None
    ]
    defaults = [field.get_db_prep_save(field.get_default(), connection) for field in extra]
    count = 0
    statement = f"COPY {table} ({', '.join([*columns, *(field.column for field in extra)])}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row((*row, *defaults))
            count += 1
    return count


def reset_sequence(table: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")


def analyse() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def load_network(args, rng) -> dict:
    from django.utils import timezone

    from habpps.directory.models import PartnerType, ServiceRole

    now = timezone.now()
    year_ago = now - timedelta(days=365)
    profiles = {
        role.code: role
        for role in ServiceRole.objects.filter(code__in=["cdap-ass-cesf", "cdap-prestataire-action-sociale",
                                                          "cdap-instructeur-rsa-cpam"])
    }
    types_of = {
        "cdap-ass-cesf": PartnerType.objects.get(code="ccas").pk,
        "cdap-prestataire-action-sociale": PartnerType.objects.get(code="prestataire-action-sociale").pk,
        "cdap-instructeur-rsa-cpam": PartnerType.objects.get(code="instructeur-rsa").pk,
    }
    sections_of = {
        "cdap-ass-cesf": ["dossier", "droits", "adresse", "famille", "logement", "rsa", "paiement", "courrier",
                          "ressources", "creances", "attestation-paiement"],
        "cdap-prestataire-action-sociale": ["qf", "enfants"],
        "cdap-instructeur-rsa-cpam": ["rsa", "ressources"],
    }
    codes = list(profiles)
    copy_rows(
        "directory_fund",
        ["id", "code", "name", "department", "status", "created_at"],
        ((f, f"{f:03d}", f"Caf n° {f:03d}", f"{f % 95 + 1:02d}", "active", year_ago) for f in range(1, args.funds + 1)),
    )
    partner_fund = rng.integers(1, args.funds + 1, size=args.partners)
    partner_profile = rng.choice(len(codes), size=args.partners, p=[0.6, 0.25, 0.15])
    copy_rows(
        "directory_partner",
        ["id", "fund_id", "name", "siret", "partner_type_id", "person_kind", "street", "postal_code", "city",
         "status", "created_at"],
        ((p, int(partner_fund[p - 1]), f"Organisme {p}", f"{p:014d}", types_of[codes[partner_profile[p - 1]]],
          "legal", "1 rue de la Paix", "75001", "Paris", "active", year_ago) for p in range(1, args.partners + 1)),
    )
    copy_rows(
        "directory_group",
        ["id", "partner_id", "name", "description", "status", "created_at"],
        ((p, p, "Agents", "", "active", year_ago) for p in range(1, args.partners + 1)),
    )
    copy_rows(
        "directory_grouproleassignment",
        ["id", "group_id", "role_id", "started_at"],
        ((p, p, profiles[codes[partner_profile[p - 1]]].pk, year_ago - timedelta(days=30))
         for p in range(1, args.partners + 1)),
    )
    user_partner = rng.integers(1, args.partners + 1, size=args.users)
    # 85 % logged in within the last three months; the others long ago or never.
    last_login_days = np.where(rng.random(args.users) < 0.85, rng.integers(0, 90, args.users),
                               rng.integers(200, 700, args.users))
    never = rng.random(args.users) < 0.03
    start_days = rng.integers(0, 400, size=args.users)
    base = 1_000

    def accounts():
        for index in range(args.users):
            partner = int(user_partner[index])
            last_login = None if never[index] else now - timedelta(days=int(last_login_days[index]), hours=index % 24)
            yield (base + index, "!", last_login, f"u{index:06d}", "Prénom", f"Nom{index:06d}",
                   f"u{index:06d}@exemple.fr", "partner", None, partner, "active", now - timedelta(days=800),
                   False, 0)

    copy_rows(
        "accounts_account",
        ["id", "password", "last_login", "login", "first_name", "last_name", "email", "org_level", "fund_id",
         "partner_id", "status", "created_at", "must_change_password", "failed_login_count"],
        accounts(),
    )
    copy_rows(
        "directory_groupmembership",
        ["id", "group_id", "account_id", "started_at", "ended_at"],
        ((index + 1, int(user_partner[index]), base + index, now - timedelta(days=int(start_days[index])),
          (now - timedelta(days=int(start_days[index]) // 3)) if index % 20 == 0 else None)
         for index in range(args.users)),
    )
    for table in ("directory_fund", "directory_partner", "directory_group", "directory_grouproleassignment",
                  "accounts_account", "directory_groupmembership"):
        reset_sequence(table)
    busiest_fund = int(np.bincount(partner_fund).argmax())
    busiest_partner = int(np.bincount(user_partner).argmax())
    return {
        "now": now, "user_partner": user_partner, "partner_fund": partner_fund, "partner_profile": partner_profile,
        "codes": codes, "sections_of": sections_of, "base": base, "fund": busiest_fund,
        "partner": busiest_partner, "partner_fund_of_busiest": int(partner_fund[busiest_partner - 1]),
    }


def load_journal(args, rng, world) -> dict:
    """A year of consultations (skewed: a few heavy users), logins and freezes, in time order."""
    now, users = world["now"], args.users
    # Activity follows a Zipf-like law: user k consults in proportion to 1 / (k + 10).
    weights = 1.0 / (np.arange(users) + 10.0)
    weights /= weights.sum()
    actors = rng.choice(users, size=args.consultations, p=weights)
    seconds = rng.integers(0, 365 * 86400, size=args.consultations)
    logins = rng.integers(0, users, size=users * 4)
    login_seconds = rng.integers(0, 365 * 86400, size=users * 4)
    frozen = rng.integers(0, users, size=20_000)
    freeze_seconds = rng.integers(0, 365 * 86400, size=20_000)
    kind_names = ("cdap.consultation", "auth.login.success", "auth.account.freeze")
    kind_of = np.concatenate([np.zeros(len(actors), np.int8), np.ones(len(logins), np.int8),
                              np.full(len(frozen), 2, np.int8)])
    actor_of = np.concatenate([actors, logins, frozen])
    second_of = np.concatenate([seconds, login_seconds, freeze_seconds])
    order = np.argsort(second_of, kind="stable")
    start = now - timedelta(days=365)
    pick = random.Random(args.seed)
    user_partner, partner_fund = world["user_partner"], world["partner_fund"]
    codes, partner_profile, sections_of = world["codes"], world["partner_profile"], world["sections_of"]

    def rows():
        for sequence, position in enumerate(order, start=1):
            kind = kind_names[kind_of[position]]
            actor, second = int(actor_of[position]), int(second_of[position])
            partner = int(user_partner[actor])
            fund = int(partner_fund[partner - 1])
            login = f"u{actor:06d}"
            scope = f"national/fund:{fund}/partner:{partner}"
            occurred = start + timedelta(seconds=second)
            if kind == "cdap.consultation":
                profile = codes[partner_profile[partner - 1]]
                available = sections_of[profile]
                shown = pick.sample(available, k=min(len(available), pick.randint(1, 3)))
                data = json.dumps({"beneficiary_number": f"{pick.randint(1, 9_999_999):07d}", "partner": partner,
                                   "view": "section", "sections": shown, "profiles": [profile]})
                yield (sequence, occurred, kind, str(world["base"] + actor), login, scope, "dossier", data, "",
                       "0" * 64, f"{sequence:064x}")
            else:
                yield (sequence, occurred, kind, str(world["base"] + actor) if kind == "auth.login.success" else "",
                       login if kind == "auth.login.success" else "", scope, login, "{}", "", "0" * 64,
                       f"{sequence:064x}")

    count = copy_rows(
        "journal_journalentry",
        ["sequence", "occurred_at", "kind", "actor_pk", "actor_identifier", "org_scope", "target", "data",
         "request_id", "previous_hash", "hash"],
        rows(),
    )
    return {"entries": count, "consultations": args.consultations, "logins": users * 4, "freezes": 20_000}


def best_of(function, rounds: int = 3) -> float:
    function()  # warm-up: caches and the plan
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        function()
        timings.append(time.perf_counter() - started)
    return min(timings)


def measure(world) -> None:
    from django.utils import timezone

    from habpps.authorization.orgs import fund_unit, partner_unit
    from habpps.directory.models import Partner
    from habpps.supervision.dashboards.activity import top_business_actions, top_freezes
    from habpps.supervision.dashboards.habilitations import habilitation_series
    from habpps.supervision.dashboards.inactivity import inactive_users, inactivity_cutoff
    from habpps.supervision.dashboards.least_privilege import unused_habilitations
    from habpps.supervision.dashboards.partner import partner_indicators
    from habpps.supervision.dashboards.sections import section_consultations
    from habpps.supervision.periods import months_before
    from habpps.supervision.supervised import Supervised

    now = timezone.now()
    today = timezone.localdate()
    since = months_before(today, 6)
    cutoff = inactivity_cutoff(now, 6)
    year = (today - timedelta(days=365), today)
    partner = Partner.objects.get(pk=world["partner"])
    scopes = {
        # The populations the seeded rules give (ENG-8): everything, a fund's unit and its partners', a partner's.
        "national": Supervised.everything(),
        "caisse": Supervised.units(fund_unit(world["fund"]), *(
            partner_unit(pk) for pk in Partner.objects.filter(fund_id=world["fund"]).values_list("pk", flat=True))),
        "partenaire": Supervised.units(partner_unit(partner.pk)),
    }
    queries = {
        "SUP-1 non connectés (nombre + 1re page)": lambda s: (inactive_users(s, cutoff).count(),
                                                             list(inactive_users(s, cutoff)[:50])),
        "SUP-2 actions métier (top 50, 6 mois)": lambda s: top_business_actions(s, "cdap", since, 50),
        "SUP-3 gels (top 50, 6 mois)": lambda s: top_freezes(s, since, 50),
        "SUP-4 habilitations (1 an, tous profils)": lambda s: habilitation_series(s, *year),
        "SUP-4 habilitations (1 an, un profil)": lambda s: habilitation_series(s, *year, ["cdap-ass-cesf"]),
        "SUP-5 rubriques (1 an, tous profils)": lambda s: section_consultations(s, *year),
        "SUP-5 rubriques (1 an, un profil)": lambda s: section_consultations(s, *year, "cdap-ass-cesf"),
        "SUP-6 indicateurs d'un organisme": lambda s: partner_indicators(
            partner, since=since, inactivity_cutoff=cutoff, now=now),
        "SUP-7 inutilisées (nombre + 1re page)": lambda s: (
            unused_habilitations(s, since).count(), list(unused_habilitations(s, since)[:50])),
    }
    print()
    print(f"Charge moyenne au début des mesures : {os.getloadavg()}")
    print(f"| requête (meilleur de 3, en ms) | {' | '.join(scopes)} |")
    print("|---|" + "---:|" * len(scopes))
    for name, query in queries.items():
        cells = [f"{best_of(lambda q=query, s=scope: q(s)) * 1000:.0f}" for scope in scopes.values()]
        print(f"| {name} | {' | '.join(cells)} |")
    # The same two dashboards without the job's window sums (as before issue 19), in this same run; the results
    # must be the same.
    from django.db import transaction

    from habpps.supervision.models import ActivityWindow

    windowed = {name: [comparable(queries[name](scope)) for scope in scopes.values()] for name in WINDOWED}
    with transaction.atomic():
        ActivityWindow.objects.all().delete()
        for name in WINDOWED:
            cells = [f"{best_of(lambda q=queries[name], s=scope: q(s)) * 1000:.0f}" for scope in scopes.values()]
            print(f"| {name}, sans les sommes de la fenêtre (avant) | {' | '.join(cells)} |")
            same = [comparable(queries[name](scope)) for scope in scopes.values()] == windowed[name]
            print(f"|   mêmes résultats avec et sans : {'oui' if same else 'NON'} | | | |")
        transaction.set_rollback(True)
    measure_sup7_pages(scopes, since)
    print(f"Charge moyenne à la fin des mesures : {os.getloadavg()}")


def measure_sup7_pages(scopes, since) -> None:
    """SUP-7's page as the paginator read it (a COUNT of the whole list, then the page by OFFSET) and read by key
    (issue 19: the rows after a cursor, partner range by partner range, no count), in this same run: the first
    page, a page in the middle of the list, the last one; each page read by key must be the same rows as the
    whole list cut there."""
    from habpps.supervision.dashboards.least_privilege import (
        SORT_KEY,
        unused_habilitations,
        unused_habilitations_page,
    )

    def key(row):
        return tuple(row[field] for field, _alias in SORT_KEY)

    print()
    print("SUP-7, page de 50 : paginateur (COUNT + OFFSET, avant) et lecture par clé (après), meilleur de 3, ms")
    print(f"| lecture | {' | '.join(scopes)} |")
    print("|---|" + "---:|" * len(scopes))
    wholes = {name: list(unused_habilitations(scope, since)) for name, scope in scopes.items()}
    print(f"| (lignes de la liste entière) | {' | '.join(str(len(whole)) for whole in wholes.values())} |")
    middles = {name: len(whole) // 2 for name, whole in wholes.items()}
    variants = {
        "avant : nombre + 1re page (paginateur)": lambda name, s: (
            unused_habilitations(s, since).count(), list(unused_habilitations(s, since)[:50])),
        "avant : nombre + page du milieu (OFFSET)": lambda name, s: (
            unused_habilitations(s, since).count(),
            list(unused_habilitations(s, since)[middles[name] + 1: middles[name] + 51])),
        "après : 1re page par clé": lambda name, s: unused_habilitations_page(s, since).rows,
        "après : page du milieu par clé (« page suivante »)": lambda name, s: unused_habilitations_page(
            s, since, after=key(wholes[name][middles[name]]) if wholes[name] else None).rows,
        "après : page précédente par clé (« page précédente »)": lambda name, s: unused_habilitations_page(
            s, since, before=key(wholes[name][middles[name]]) if wholes[name] else None,
            last=not wholes[name]).rows,
        "après : dernière page par clé (« fin »)": lambda name, s: unused_habilitations_page(
            s, since, last=True).rows,
        "par clé en une passe, sans tranches d'organismes : 1re page": lambda name, s: unused_habilitations_page(
            s, since, batches=(None,)).rows,
        "par clé en une passe, sans tranches d'organismes : page du milieu": lambda name, s: unused_habilitations_page(
            s, since, after=key(wholes[name][middles[name]]) if wholes[name] else None, batches=(None,)).rows,
    }
    for label, variant in variants.items():
        cells = [f"{best_of(lambda v=variant, n=name, s=scope: v(n, s)) * 1000:.0f}" for name, scope in scopes.items()]
        print(f"| {label} | {' | '.join(cells)} |")
    same = all(
        unused_habilitations_page(scope, since).rows == whole[:50]
        and unused_habilitations_page(scope, since, after=key(whole[middles[name]])).rows
        == whole[middles[name] + 1: middles[name] + 51]
        and unused_habilitations_page(scope, since, before=key(whole[middles[name]])).rows
        == whole[max(0, middles[name] - 50): middles[name]]
        and unused_habilitations_page(scope, since, last=True).rows == whole[-50:]
        for name, scope in scopes.items()
        for whole in [wholes[name]]
        if whole
    )
    print(f"Pages par clé = la liste entière coupée au même endroit : {'oui' if same else 'NON'}")


WINDOWED = ("SUP-2 actions métier (top 50, 6 mois)", "SUP-7 inutilisées (nombre + 1re page)")


def comparable(result):
    """A dashboard's answer in plain values (rankings hold model instances)."""
    if isinstance(result, list):
        return [(row.account.pk, row.total, row.days, row.last_day) for row in result]
    count, page = result
    return count, page


if __name__ == "__main__":
    sys.exit(main())
