"""Store esda's local Moran on the ward reference case, for the tests' default run.

esda compiles its numba kernels in every new process (minutes on a loaded
machine), so the default test run compares with these stored numbers instead;
the live comparison stays in ``tests/test_engine.py`` under the ``slow`` marker
(``.ci/run`` runs it).

Writes ``tests/data/reference/esda_wards_weapons_lisa.npz``:

* ``pool``: esda's lookup table of neighbour positions, rebuilt from the seed
  by ``esda.crand.vec_permutations`` (permutations x largest cardinality);
* ``ids``: the area order (``W.id_order``);
* ``Is``, ``p_sim``: ``Moran_Local(x, w, permutations=999, seed=1).Is / .p_sim``;
* ``sim_sum``, ``sim_sumsq``, ``sim_min``, ``sim_max``: per-area summaries of
  ``Moran_Local.sim`` (the simulations themselves are 5 MB).

Run from the repository root: ``python scripts/esda_reference.py``.
"""

from __future__ import annotations

import sys
import warnings
from importlib.metadata import version
from pathlib import Path

import numpy as np
from esda import Moran_Local
from esda.crand import vec_permutations

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from _reference import graph as reference_graph  # noqa: E402
from _reference import values as reference_values  # noqa: E402

SEED = 1
PERMUTATIONS = 999
OUT = ROOT / "tests" / "data" / "reference" / "esda_wards_weapons_lisa.npz"


def main() -> None:
    g = reference_graph("wards_weapons")
    w = g.to_W()
    w.transform = "r"
    x = reference_values("wards_weapons")["value"].reindex(w.id_order).to_numpy()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "The alternative hypothesis", DeprecationWarning)
        lisa = Moran_Local(
            x, w, permutations=PERMUTATIONS, seed=SEED, n_jobs=1, keep_simulations=True
        )
    pool = vec_permutations(int(max(w.cardinalities.values())), w.n, PERMUTATIONS, SEED)
    np.savez_compressed(
        OUT,
        ids=np.asarray(w.id_order, dtype=str),
        pool=pool.astype(np.int32),
        Is=lisa.Is,
        p_sim=lisa.p_sim,
        sim_sum=lisa.sim.sum(axis=0),
        sim_sumsq=(lisa.sim**2).sum(axis=0),
        sim_min=lisa.sim.min(axis=0),
        sim_max=lisa.sim.max(axis=0),
        esda=np.array(version("esda")),
        numba=np.array(version("numba")),
    )
    print(f"wrote {OUT.relative_to(ROOT)} ({OUT.stat().st_size / 1024:.0f} KB)")


if __name__ == "__main__":
    main()
