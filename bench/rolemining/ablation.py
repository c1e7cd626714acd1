"""What each part of the anytime search contributes (issue 21): the same core, the same budget, one part removed.

    .venv/bin/python bench/rolemining/ablation.py --seconds 15                  # every shared RMPlib instance
    .venv/bin/python bench/rolemining/ablation.py --seconds 15 --datasets 2LEVEL_05,COMP_01.1

Each instance is reduced once (exact reductions, as the miner does), then its largest component is searched in
this process by :class:`AnytimeSearch` for ``--seconds`` in each variant:

* ``complet``: grown greedy covers + CP-SAT merging + bounds with exact compatible counts (the miner's setting);
* ``sans croissance``: each greedy step only chooses between the seeds' own maximal bicliques;
* ``sans fusion``: no CP-SAT merging of the covers found, the best single greedy cover is kept;
* ``borne simple``: the bound's order uses |users(p)| × |permissions(u)| instead of exact compatible counts.

Printed: roles and lower bound reached by each variant, and the best known count. Figures, never assertions.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import RMPLIB, _rmplib_order, rmplib_best_known  # noqa: E402 - sibling module of this script

from habpps.roleeng.mining import Deadline, read_upa  # noqa: E402
from habpps.roleeng.mining.anytime import AnytimeSearch, SearchState  # noqa: E402
from habpps.roleeng.mining.components import connected_components  # noqa: E402
from habpps.roleeng.mining.reductions import reduce_assignment  # noqa: E402

VARIANTS = ("complet", "sans croissance", "sans fusion", "borne simple")


def search(matrix: np.ndarray, variant: str, seconds: float) -> tuple[int, int]:
    n = matrix.shape[0]
    state = SearchState([(np.arange(n) == i, matrix[i]) for i in range(n)], bound=1)
    engine = AnytimeSearch(matrix, state, workers=2, use_solver=variant != "sans fusion")
    engine.grown = variant != "sans croissance"
    engine.exact_counts = variant != "borne simple"
    engine.run(Deadline(seconds))
    return len(state.roles), state.bound


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--datasets", default=",".join(sorted(rmplib_best_known(), key=_rmplib_order)))
    args = parser.parse_args()
    known = rmplib_best_known()
    header = ["jeu", "meilleur connu", *(f"{v} (rôles / borne)" for v in VARIANTS)]
    print(f"{args.seconds:g} s par variante, charge moyenne au départ {os.getloadavg()[0]:.1f}")
    print(" | ".join(header), flush=True)
    for name in args.datasets.split(","):
        upa = read_upa(RMPLIB / f"{name}.txt")
        reduced = reduce_assignment(upa, Deadline(60))
        component = max(connected_components(reduced.matrix), key=lambda c: c.edge_count)
        cells = []
        for variant in VARIANTS:
            roles, bound = search(component.matrix, variant, args.seconds)
            cells.append(f"{roles} / {bound}")
        print(" | ".join([name, known.get(name, "—"), *cells]), flush=True)


if __name__ == "__main__":
    main()
