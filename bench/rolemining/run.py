"""Role-mining benchmark (issues 11 and 21, RE-5): the `habpps roles mine` command on the HP Labs datasets and RMPlib.

    .venv/bin/python bench/rolemining/run.py                    # HP datasets, then the shared RMPlib instances
    .venv/bin/python bench/rolemining/run.py --datasets hc,2LEVEL_05   # some of them
    .venv/bin/python bench/rolemining/run.py --synthetic        # plus generated datasets of the HP shapes
    .venv/bin/python bench/rolemining/run.py --write-readme     # also refresh the table in README.md

Time limit per instance: 60 s up to 300,000 pairs, 180 s above (issue 21), unless ``--time-limit`` is given.

Each dataset is mined by the real command in a fresh process (start-up included in the time), the result is
checked (composition equal to the file), and the figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
#: The shared datasets sit next to the checkout (``/work/shared`` for ``/work/main``, also found from a worktree).
SHARED = next((p / "shared" / "datasets" for p in ROOT.parents if (p / "shared" / "datasets").is_dir()),
              ROOT.parent / "shared" / "datasets")
DATASETS = SHARED / "role-mining"
RMPLIB = SHARED / "rmplib"
sys.path.insert(0, str(HERE))

from synthetic import LARGE_SHAPES, SHAPES, write  # noqa: E402 - sibling module of this script

#: Best known minimum numbers of roles (Ene et al. 2008 and later papers, as listed in the datasets' README).
BEST_KNOWN = {"hc": "14", "domino": "20", "fire1": "64 (65 publié)", "apj": "453", "americas_small": "178"}
ORDER = ["hc", "domino", "fire1", "apj", "americas_small"]
LARGE_PAIRS = 300_000


def rmplib_best_known() -> dict[str, str]:
    """Best known (and published) counts of the shared RMPlib instances, read from that folder's README table."""
    known = {}
    readme = RMPLIB / "README.md"
    if not readme.exists():
        return known
    for line in readme.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 7 and cells[0] and (RMPLIB / f"{cells[0]}.txt").exists():
            published, best = cells[4], cells[5]
            known[cells[0]] = best if best == published else f"{best} ({published} publié)"
    return known


def dataset_path(name: str) -> Path:
    for folder in (DATASETS, RMPLIB):
        if (folder / f"{name}.txt").exists():
            return folder / f"{name}.txt"
    raise SystemExit(f"jeu inconnu : {name}")

COLUMNS = ("jeu", "utilisateurs", "permissions", "couples", "rôles", "meilleur connu", "optimal", "borne inf.",
           "secondes", "limite", "WSC")


def read_pairs(path: Path) -> set[tuple[str, str]]:
    pairs = set()
    for line in path.read_text(encoding="utf-8").split("\n"):
        tokens = line.split()
        if tokens and not tokens[0].startswith("#"):
            pairs.add((tokens[0], tokens[1]))
    return pairs


def mine(path: Path, time_limit: float) -> dict:
    """Run the command, check the result, return one table row."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "result.json"
        started = time.monotonic()
        completed = subprocess.run(
            [sys.executable, "-m", "habpps", "roles", "mine", str(path), "--time-limit", str(time_limit),
             "--out", str(out)],
            capture_output=True, text=True, check=False,
        )
        wall = time.monotonic() - started
        if completed.returncode != 0:
            raise SystemExit(f"{path.name} : échec ({completed.returncode})\n{completed.stderr}")
        document = json.loads(out.read_text(encoding="utf-8"))
    pairs = read_pairs(path)
    granted = {(u, p) for role in document["roles"] for u in role["users"] for p in role["permissions"]}
    if granted != pairs:
        raise SystemExit(f"{path.name} : la composition des rôles ne reproduit pas le fichier")
    name = path.stem
    return {
        "jeu": name,
        "utilisateurs": len({u for u, _ in pairs}),
        "permissions": len({p for _, p in pairs}),
        "couples": len(pairs),
        "rôles": len(document["roles"]),
        "meilleur connu": BEST_KNOWN.get(name) or rmplib_best_known().get(name, "—"),
        "optimal": "oui" if document["optimal"] else "non",
        "borne inf.": document["lower_bound"],
        "secondes": f"{wall:.2f}",
        "limite": f"{time_limit:g}",
        "WSC": len(document["roles"]) + sum(len(r["users"]) + len(r["permissions"]) for r in document["roles"]),
    }


def _rmplib_order(name: str) -> tuple[int, str]:
    family = next((i for i, f in enumerate(("PLAIN_small", "2LEVEL", "PLAIN_medium", "COMP")) if name.startswith(f)), 9)
    return family, name


def markdown(rows: list[dict]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(str(row[c]) for c in COLUMNS) + " |" for row in rows]
    return "\n".join(lines)


def plain(rows: list[dict]) -> str:
    widths = [max(len(c), *(len(str(r[c])) for r in rows)) for c in COLUMNS]
    lines = ["  ".join(c.ljust(w) for c, w in zip(COLUMNS, widths, strict=True))]
    lines += ["  ".join(str(r[c]).ljust(w) for c, w in zip(COLUMNS, widths, strict=True)) for r in rows]
    return "\n".join(lines)


def machine() -> str:
    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} cœurs, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=None,
                        help="secondes par jeu (défaut : 60, ou 180 au-delà de 300 000 couples)")
    parser.add_argument("--datasets", default=",".join(ORDER + sorted(rmplib_best_known(), key=_rmplib_order)),
                        help="noms séparés par des virgules")
    parser.add_argument("--synthetic", action="store_true", help="ajouter les jeux générés (synthetic.py)")
    parser.add_argument("--large", action="store_true",
                        help="ajouter les grands jeux générés à structure plantée (plus de 300 000 couples)")
    parser.add_argument("--write-readme", action="store_true")
    args = parser.parse_args()

    rows = []
    for name in args.datasets.split(","):
        path = dataset_path(name)
        limit = args.time_limit or (180.0 if len(read_pairs(path)) > LARGE_PAIRS else 60.0)
        rows.append(mine(path, limit))
        row = rows[-1]
        print(f"{name} : {row['rôles']} rôles (meilleur connu {row['meilleur connu']}, borne {row['borne inf.']}) "
              f"en {row['secondes']} s", flush=True)
    synthetic_rows = []
    if args.synthetic:
        with tempfile.TemporaryDirectory() as tmp:
            for shape in SHAPES:
                synthetic_rows.append(mine(write(shape, Path(tmp)), args.time_limit or 60.0))
                row = synthetic_rows[-1]
                row["meilleur connu"] = f"≤ {shape.roles} (générés)"
                print(f"{shape.name} : {row['rôles']} rôles en {row['secondes']} s", flush=True)
    if args.large:
        with tempfile.TemporaryDirectory() as tmp:
            for shape in LARGE_SHAPES:
                path = write(shape, Path(tmp))
                limit = args.time_limit or (180.0 if len(read_pairs(path)) > LARGE_PAIRS else 60.0)
                synthetic_rows.append(mine(path, limit))
                row = synthetic_rows[-1]
                row["meilleur connu"] = f"≤ {shape.roles} (générés)"
                print(f"{shape.name} : {row['rôles']} rôles en {row['secondes']} s", flush=True)
    print()
    print(plain(rows + synthetic_rows))
    if args.write_readme:
        readme = HERE / "README.md"
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        table = (f"Mesuré le {time.strftime('%Y-%m-%d %H:%M')} sur {machine()}, charge moyenne à la fin {load} "
                 f"(cœurs partagés avec d'autres travaux), temps mesuré de l'extérieur (démarrage du processus "
                 f"compris).\n\n{markdown(rows)}\n")
        if synthetic_rows:
            table += f"\nJeux générés (`--synthetic`, voir `synthetic.py`) :\n\n{markdown(synthetic_rows)}\n"
        text = readme.read_text(encoding="utf-8")
        text = re.sub(r"<!-- results -->.*<!-- /results -->", f"<!-- results -->\n{table}<!-- /results -->",
                      text, flags=re.S)
        readme.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
