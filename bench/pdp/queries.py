"""Request bodies for ``bench/pdp``: one JSON body per line, for AuthZEN and for ``/api/v1/decisions``.

``national``: the engine benchmark's national policy (``bench/engine/generate.py``) written as a policy document,
and its sample queries. ``demo``: the demo network's database (``habpps demo``), a service token, and queries
drawn from its compiled policy (half granted in the user's unit, half in another unit).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def write_bodies(out: Path, queries: list[tuple[str, str, str, str | None]], batch: int,
                 granted: list[tuple[str, str, str, str | None]] | None = None) -> None:
    """``authzen.jsonl``, ``v1.jsonl`` and ``authzen-batch.jsonl`` (``batch`` evaluations per body); with
    ``granted``, also ``authzen-granted.jsonl`` (no refusal: nothing for the journal to write)."""
    if granted:
        with (out / "authzen-granted.jsonl").open("w") as bodies:
            for user, operation, obj, org in granted:
                bodies.write(json.dumps({"subject": {"type": "user", "id": user}, "action": {"name": operation},
                                         "resource": {"type": obj, "id": "1"}, "context": {"org": org}}) + "\n")
    with (out / "authzen.jsonl").open("w") as authzen, (out / "v1.jsonl").open("w") as v1:
        for user, operation, obj, org in queries:
            request = {"subject": {"type": "user", "id": user}, "action": {"name": operation},
                       "resource": {"type": obj, "id": "1"}}
            if org:
                request["context"] = {"org": org}
            authzen.write(json.dumps(request) + "\n")
            v1.write(json.dumps({"user": user, "operation": operation, "object": obj,
                                 **({"org": org} if org else {})}) + "\n")
    with (out / "authzen-batch.jsonl").open("w") as batched:
        for start in range(0, len(queries) - batch + 1, batch):
            items = []
            for user, operation, obj, org in queries[start:start + batch]:
                item = {"subject": {"type": "user", "id": user}, "action": {"name": operation},
                        "resource": {"type": obj, "id": "1"}}
                if org:
                    item["context"] = {"org": org}
                items.append(item)
            batched.write(json.dumps({"evaluations": items}) + "\n")


def national(out: Path, users: int, count: int, batch: int) -> None:
    sys.path.insert(0, str(ROOT / "bench" / "engine"))
    from generate import build_rbac, generate_policy, sample_queries

    plan = generate_policy(users)
    doc = build_rbac(plan).export()
    (out / "policy.json").write_text(json.dumps(doc))
    write_bodies(out, sample_queries(plan, count), batch)
    print(json.dumps(plan.summary()))


def demo(out: Path, count: int, batch: int) -> None:
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "habpps.settings")
    django.setup()
    from habpps.api.tokens import register_service
    from habpps.authorization.policy_cache import current_policy

    (out / "token").write_text(register_service("banc-pdp").secret)
    snapshot = current_policy().snapshot
    rng = random.Random(19)
    users = sorted(user for user, entries in snapshot.users.items() if entries)
    units = sorted({entry.org for entries in snapshot.users.values() for entry in entries if entry.org})
    queries = []
    granted: list[tuple[str, str, str, str | None]] = []
    for _ in range(count):
        user = rng.choice(users)
        entry = rng.choice(snapshot.users[user])
        perms = sorted(snapshot.user_permissions(user, entry.org))
        if not perms:
            continue
        operation, obj = rng.choice(perms)
        org = entry.org if rng.random() < 0.5 else rng.choice(units or [None])
        queries.append((user, operation, obj, org))
        if snapshot.check(user, operation, obj, entry.org):
            granted.append((user, operation, obj, entry.org))
    write_bodies(out, queries, batch, granted)
    print(json.dumps({"users": len(users), "units": len(units)}))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=["national", "demo"])
    parser.add_argument("out", type=Path)
    parser.add_argument("--users", type=int, default=300_000)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=20)
    args = parser.parse_args()
    if args.kind == "national":
        national(args.out, args.users, args.count, args.batch)
    else:
        demo(args.out, args.count, args.batch)
    return 0


if __name__ == "__main__":
    sys.exit(main())
