"""Cost per check of conditional permissions and temporal constraints (issue 6, ENG-5) on the engine benchmark's
national-shape policy.

    .venv/bin/python bench/engine/conditional.py                  # 10k and 100k users
    .venv/bin/python bench/engine/conditional.py --scales 1k,10k --markdown

For each scale: the snapshot of the plain policy (the issue 3 baseline), then the same policy with context
constraints linked to a third of its permissions (business hours, the fund's network, a subject attribute) and
a weekday/time-window constraint on one profile. On the second snapshot it measures, with a request context:
unconditioned permissions of users under no temporal constraint (they must keep the fast path), conditional
permissions (the guarded path: grant path, then conditions), users under a temporal constraint, and `explain`.
Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import gc
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import build_rbac, generate_policy, sample_queries  # noqa: E402 - sibling module
from run import ROUNDS, _best_round, _timed, _timer_overhead_ns, parse_scales  # noqa: E402

from habpps.engine import RBAC, attr  # noqa: E402

CONTEXT = {"now": datetime(2024, 3, 4, 10, 30), "client_ip": "10.12.0.7", "subject": {"grade": 5}}
"""A Monday morning, from inside the fund's network, by a grade-5 agent: every condition holds."""
OUTSIDE = {**CONTEXT, "client_ip": "192.0.2.10"}
"""The same request from outside the network: conditional permissions are denied."""


def add_conditions(rbac: RBAC, share: int = 3) -> tuple[set[tuple[str, str]], str]:
    """Link context constraints to one permission in ``share`` and a temporal constraint to one profile."""
    rbac.add_context_attribute("heure", function="current_time")
    rbac.add_context_attribute("ip", function="client_ip")
    rbac.add_context_attribute("grade", function="subject_attribute", domain="int", parameter="grade")
    rbac.add_context_constraint("heures_ouvrees", [("between", [attr("heure"), "07:30", "19:00"])])
    rbac.add_context_constraint("reseau_caf", [("within-network", [attr("ip"), "10.0.0.0/8"])])
    rbac.add_context_constraint("grade_suffisant", [("≥", [attr("grade"), 3])])
    conditional = set()
    for index, (operation, obj) in enumerate(sorted(rbac.permissions())):
        if index % share == 0:
            for constraint in ("heures_ouvrees", "reseau_caf", "grade_suffisant"):
                rbac.link_permission_constraint(operation, obj, constraint)
            conditional.add((operation, obj))
    timed_role = sorted(rbac.roles())[len(rbac.roles()) // 2]
    rbac.set_role_temporal(timed_role, weekdays=[1, 2, 3, 4, 5], begin_time="07:00", end_time="20:00")
    return conditional, timed_role


def measure(users: int, seed: int, checks: int) -> dict[str, Any]:
    figures: dict[str, Any] = {"users": users}
    plan = generate_policy(users, seed)
    rbac = build_rbac(plan)
    baseline = rbac.compile()
    queries = sample_queries(plan, checks, seed=seed + 1)
    gc.collect()
    gc.freeze()
    figures["timer_overhead_ns"] = _timer_overhead_ns()
    _best_round(baseline.check, queries[:20_000], 1)  # warm-up
    figures["baseline"], _, baseline_results = _best_round(baseline.check, queries, ROUNDS)

    conditional, timed_role = add_conditions(rbac)
    snapshot, figures["compile_s"] = _timed(rbac.compile)
    timed_users = {u for u in plan.users if timed_role in snapshot.authorized_roles(u)}
    figures["conditional_share"] = len(conditional) / len(rbac.permissions())
    figures["timed_users_share"] = len(timed_users) / len(plan.users)

    def with_context(context: dict[str, Any]) -> list[tuple[Any, ...]]:
        return [(u, op, obj, org, None, context) for u, op, obj, org in queries]

    inside = with_context(CONTEXT)
    plain = [q for q in inside if (q[1], q[2]) not in conditional and q[0] not in timed_users]
    guarded = [q for q in inside if (q[1], q[2]) in conditional and q[0] not in timed_users]
    timed = [q for q in inside if q[0] in timed_users]
    figures["unconditioned_baseline"], _, _ = _best_round(baseline.check, [q[:4] for q in plain], ROUNDS)
    figures["unconditioned"], _, plain_results = _best_round(snapshot.check, plain, ROUNDS)
    figures["conditional"], _, guarded_results = _best_round(snapshot.check, guarded, ROUNDS)
    figures["conditional_granted_share"] = sum(guarded_results) / max(1, len(guarded_results))
    figures["conditional_outside"], _, outside_results = _best_round(
        snapshot.check, [(*q[:5], OUTSIDE) for q in guarded], ROUNDS)
    figures["conditional_outside_granted"] = sum(outside_results)
    figures["timed"], _, _ = _best_round(snapshot.check, timed, ROUNDS)
    figures["explain_conditional"], _, decisions = _best_round(
        lambda u, op, obj, org, active, context: snapshot.explain(u, op, obj, org, active, context),
        guarded[:5_000], ROUNDS)
    figures["explain_agrees"] = [d.granted for d in decisions] == guarded_results[: len(decisions)]
    # Unconditioned decisions must not change: same answers as the plain snapshot on the same queries.
    expected = {q[:4]: r for q, r in zip(queries, baseline_results, strict=True)}
    figures["unconditioned_agrees"] = all(expected[q[:4]] == r for q, r in zip(plain, plain_results, strict=True))
    return figures


def _us(ns: float) -> str:
    return f"{ns / 1000:.2f} µs"


def print_figures(f: dict[str, Any]) -> None:
    base = f["baseline"]["median_ns"]
    print(f"\n== {f['users']:,} utilisateurs ==")
    print(f"  permissions conditionnelles : {f['conditional_share']:.0%} ; utilisateurs sous contrainte "
          f"temporelle : {f['timed_users_share']:.0%} ; compilation : {f['compile_s']:.2f} s")
    rows = [
        ("snapshot sans condition (référence issue 3)", f["baseline"]),
        ("mêmes requêtes non conditionnelles, sans condition", f["unconditioned_baseline"]),
        ("permission non conditionnelle, avec contexte", f["unconditioned"]),
        ("permission conditionnelle (3 contraintes)", f["conditional"]),
        ("permission conditionnelle, hors réseau (refus)", f["conditional_outside"]),
        ("utilisateur sous contrainte temporelle", f["timed"]),
        ("explain d'une permission conditionnelle", f["explain_conditional"]),
    ]
    for label, p in rows:
        print(f"  {label:<50} médiane {_us(p['median_ns'])}, p99 {_us(p['p99_ns'])} "
              f"(×{p['median_ns'] / base:.1f}, {p['count']:,} appels)")
    print(f"  accordées parmi les conditionnelles : {f['conditional_granted_share']:.0%} ; hors réseau : "
          f"{f['conditional_outside_granted']} ; décisions inchangées sans condition : {f['unconditioned_agrees']} ;"
          f" explain = check : {f['explain_agrees']} ; horloge {f['timer_overhead_ns']:.0f} ns incluse")


def print_markdown(results: list[dict[str, Any]]) -> None:
    print("\n| users | baseline (all queries) | same unconditioned queries, plain snapshot | unconditioned, "
          "conditional snapshot + context | conditional | conditional, denied | temporal user | "
          "explain (conditional) |")
    print("|---|---|---|---|---|---|---|---|")
    for f in results:
        cells = [f[k]["median_ns"] for k in ("baseline", "unconditioned_baseline", "unconditioned", "conditional",
                                             "conditional_outside", "timed", "explain_conditional")]
        print(f"| {f['users']:,} | " + " | ".join(_us(c) for c in cells) + " |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Coût des permissions conditionnelles (issue 6, ENG-5).")
    parser.add_argument("--scales", default="10k,100k")
    parser.add_argument("--seed", type=int, default=359)
    parser.add_argument("--checks", type=int, default=100_000)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args(argv)
    results = []
    for users in parse_scales(args.scales):
        figures = measure(users, args.seed, args.checks)
        print_figures(figures)
        results.append(figures)
        gc.unfreeze()
        gc.collect()
    if args.markdown:
        print_markdown(results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
