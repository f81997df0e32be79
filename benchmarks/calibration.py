"""Calibration and power of the local labels: null maps and planted clusters, in one run.

Run from the repository root: ``python benchmarks/calibration.py [--maps 200] [--power 50]``.
The table it prints is pasted into ``docs/methods/statistics.md``.

Null maps (no spatial pattern by construction): the real values of a layer are
shuffled at random over its real areas (queen contiguity of the shipped
boundaries), then ``getis_ord`` and ``local_moran`` are run with FDR at 0.05 and

* the default inference (conditional permutation, adaptive sequential p-values);
* ``inference="analytical"`` (normal approximation, ArcGIS's choice);
* ``permutations=999`` (fixed, esda / GeoDa's default).

Under the complete null, Benjamini-Hochberg controls the family-wise error rate at
alpha: the fraction of maps with *any* hot spot, cold spot or LISA cluster should
be at most 0.05 (plus Monte Carlo error: the standard error over 200 maps is 0.015).

Layers: ward possession-of-weapons counts and rates per 1,000 residents (the
spdep reference extract, ``tests/data/reference/wards_weapons_values.csv``) and
LSOA residential burglary counts (``lsoa_burglary_values.csv``); both are real
data shipped with the tests.

Power: SYNTHETIC planted clusters on the real ward graph: Poisson counts with
mean 7 everywhere except a connected block (a ward and its queen neighbours,
chosen at random) where the mean is raised to 14; the detection rate is the
share of block wards labelled as hot spots (Gi*) or High-High (LISA), and the
false labels outside the block are counted too.

Seed stability: the shipped Met ward table, latest 12 months, possession of weapons and
robbery counts, ``local_moran`` and ``getis_ord`` with seeds 1-10: the share of wards whose
label is the same for every seed, and the borderline counts the results report.

``--maps 0``, ``--power 0`` or ``--seeds 0`` leave a part out; ``--layer LSOA`` runs one layer.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

import boundaries
import hotspots

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from _reference import values as reference_values

MODES = {
    "default (adaptive permutation)": {},
    "analytical": {"inference": "analytical"},
    "fixed 999 permutations": {"permutations": 999},
}
HOT = ("Hot spot (95%)", "Hot spot (99%)", "Hot spot (90%)")
COLD = ("Cold spot (95%)", "Cold spot (99%)", "Cold spot (90%)")
CLUSTERS = ("High-High", "Low-Low", "High-Low", "Low-High")


def layers() -> list[tuple[str, pd.DataFrame, object]]:
    wards = boundaries.load("wards")
    ward_values = reference_values("wards_weapons").reindex(wards.index)
    wards = wards.assign(
        count=ward_values["value"], rate=ward_values["value"] / ward_values["population"] * 1000
    )
    wards = wards[wards["count"].notna()]
    lsoa = boundaries.load("lsoa")
    lsoa = lsoa.assign(count=reference_values("lsoa_burglary")["value"].reindex(lsoa.index))
    lsoa = lsoa[lsoa["count"].notna()]
    return [
        ("ward weapons counts", wards[["geometry", "count"]], hotspots.spatial_weights(wards)),
        (
            "ward weapons rates",
            wards[["geometry", "rate"]].rename(columns={"rate": "count"}),
            hotspots.spatial_weights(wards),
        ),
        ("LSOA burglary counts", lsoa[["geometry", "count"]], hotspots.spatial_weights(lsoa)),
    ]


def null_study(maps: int, only: str | None = None, modes: str | None = None) -> pd.DataFrame:
    rows = []
    for name, frame, graph in layers():
        if only is not None and only not in name:
            continue
        values = frame["count"].to_numpy()
        for mode, settings in MODES.items():
            if modes is not None and modes not in mode:
                continue
            start = time.perf_counter()
            hot = cold = lisa = 0
            false_hot = false_lisa = 0
            borderline = 0
            for r in range(maps):
                shuffled = frame.assign(count=np.random.default_rng(r).permutation(values))
                gi = hotspots.getis_ord(shuffled, "count", graph=graph, seed=r, **settings)
                lm = hotspots.local_moran(shuffled, "count", graph=graph, seed=r, **settings)
                n_hot = int(gi["gi_label"].isin(HOT).sum())
                n_lisa = int(lm["lisa_label"].isin(CLUSTERS).sum())
                hot += n_hot > 0
                cold += bool(gi["gi_label"].isin(COLD).any())
                lisa += n_lisa > 0
                false_hot += n_hot
                false_lisa += n_lisa
                borderline += gi.attrs["hotspots"].get("borderline", 0)
            seconds = (time.perf_counter() - start) / maps
            rows.append(
                {
                    "layer": name,
                    "inference": mode,
                    "maps": maps,
                    "any hot spot": hot / maps,
                    "any cold spot": cold / maps,
                    "any LISA cluster": lisa / maps,
                    "false hot spots per map": false_hot / maps,
                    "false LISA clusters per map": false_lisa / maps,
                    "seconds per map (Gi* + LISA)": seconds,
                }
            )
            print(rows[-1], flush=True)
    return pd.DataFrame(rows)


def block(graph, rng) -> list:
    centre = graph.unique_ids[rng.integers(len(graph.unique_ids))]
    return [centre, *graph[centre].index]


def power_study(reps: int) -> pd.DataFrame:
    wards = boundaries.load("wards")
    graph = hotspots.spatial_weights(wards)
    rows = []
    for mode, settings in MODES.items():
        found_gi = found_lisa = outside_gi = outside_lisa = 0
        planted = 0
        for r in range(reps):
            rng = np.random.default_rng(1000 + r)
            cluster = block(graph, rng)
            mean = pd.Series(7.0, index=wards.index)
            mean[cluster] = 14.0
            synthetic = wards.assign(count=rng.poisson(mean).astype(float))  # SYNTHETIC
            gi = hotspots.getis_ord(synthetic, "count", graph=graph, seed=r, **settings)
            lm = hotspots.local_moran(synthetic, "count", graph=graph, seed=r, **settings)
            inside = wards.index.isin(cluster)
            planted += inside.sum()
            found_gi += int(gi["gi_label"].isin(HOT)[inside].sum())
            found_lisa += int((lm["lisa_label"] == "High-High")[inside].sum())
            outside_gi += int(gi["gi_label"].isin(HOT)[~inside].sum())
            outside_lisa += int((lm["lisa_label"] == "High-High")[~inside].sum())
        rows.append(
            {
                "inference": mode,
                "planted maps": reps,
                "Gi* detection rate": found_gi / planted,
                "LISA High-High detection rate": found_lisa / planted,
                "Gi* hot spots outside the block per map": outside_gi / reps,
                "LISA High-High outside the block per map": outside_lisa / reps,
            }
        )
        print(rows[-1], flush=True)
    return pd.DataFrame(rows)


def stability_study(seeds: int) -> pd.DataFrame:
    """Labels across seeds 1..seeds on the shipped ward table, latest 12 months."""
    wards = boundaries.load("wards")
    graph = hotspots.spatial_weights(wards)
    table = hotspots.read_met_crime(hotspots.sample_path("mps-ward-crime"))
    table = table[table["month"] >= table["month"].max() - 11]
    rows = []
    for crime in ("Possession of Weapons", "Robbery"):
        counts = hotspots.aggregate(table, wards, crime_types=crime)
        for function, column in ((hotspots.local_moran, "lisa_label"),
                                 (hotspots.getis_ord, "gi_label")):  # fmt: skip
            results = [function(counts, "count", graph=graph, seed=s) for s in range(1, seeds + 1)]
            labels = np.array([r[column].to_numpy() for r in results])
            significant = [int((~r[column].isin(["Not significant", "No data"])).sum())
                           for r in results]  # fmt: skip
            rows.append(
                {
                    "crime (count per ward, latest 12 months)": crime,
                    "labels": column,
                    "seeds": seeds,
                    "wards with the same label in every seed": (labels == labels[0])
                    .all(axis=0)
                    .mean(),
                    "significant wards per seed": f"{min(significant)}–{max(significant)}",
                    "borderline wards per seed": "–".join(
                        str(f(r.attrs["hotspots"]["borderline"] for r in results))
                        for f in (min, max)
                    ),
                }
            )
            print(rows[-1], flush=True)
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--maps", type=int, default=200)
    parser.add_argument("--power", type=int, default=50, help="planted maps (0: none)")
    parser.add_argument("--layer", help="only the layers whose name contains this text")
    parser.add_argument("--mode", help="only the inferences whose name contains this text")
    parser.add_argument("--seeds", type=int, default=10, help="seed-stability seeds (0: none)")
    args = parser.parse_args()
    stability = stability_study(args.seeds) if args.seeds else pd.DataFrame()
    null = null_study(args.maps, args.layer, args.mode) if args.maps else pd.DataFrame()
    power = power_study(args.power) if args.power else pd.DataFrame()
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(null.to_markdown(index=False, floatfmt=".3f"))
        print()
        print(power.to_markdown(index=False, floatfmt=".3f"))
        print()
        print(stability.to_markdown(index=False, floatfmt=".4f"))


if __name__ == "__main__":
    main()
