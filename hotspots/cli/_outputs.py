"""What the command line makes of an analysis: the map, the table, the JSON and the text summary."""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

import hotspots
from hotspots._version import __version__
from hotspots._vocabulary import (
    CLUSTERS,
    COLD_CATEGORIES,
    DECREASE,
    GI_CATEGORIES,
    HOT_CATEGORIES,
    INCREASE,
    NO_CHANGE,
    NO_DATA,
    NO_NEIGHBOURS,
    NO_PATTERN,
    NOT_SIGNIFICANT,
)
from hotspots.stats._inference import needed_p

if TYPE_CHECKING:
    import geopandas as gpd

    from hotspots import GlobalStatistic
    from hotspots.cli._pipeline import Analysis

TOP = 10
# how one area of each shipped level is called in a sentence
_UNIT = {
    "boroughs": "borough",
    "wards": "ward",
    "wards-2018": "ward",
    "lsoa": "LSOA",
    "lsoa-2011": "LSOA",
    "msoa": "MSOA",
}
_WHAT = {"rate": "rate per 1,000 residents", "count": "count of offences"}
# label column of each per-area result, with a heading for the summary
_LABELS = {
    "lisa_label": "LISA clusters",
    "gi_label": "Gi* hot and cold spots",
    "emerging_label": "Emerging hot spots",
    "change_label": "Change",
}

_CORRECTIONS = {
    "fdr": "false discovery rate",
    "by": "Benjamini-Yekutieli false discovery rate",
    "bonferroni": "Bonferroni",
    None: "none",
}
# summary order: clusters and hot spots first, then the null verdicts, then cold spots
_ORDER = (
    *CLUSTERS, *GI_CATEGORIES[:3], *HOT_CATEGORIES, INCREASE, DECREASE,
    NOT_SIGNIFICANT, NO_CHANGE, NO_PATTERN, *GI_CATEGORIES[4:], *COLD_CATEGORIES,
    NO_NEIGHBOURS, NO_DATA,
)  # fmt: skip


def write_map(analysis: Analysis, path: str, *, title: str | None = None) -> None:
    """Save the combined map: the counts or rates and a layer per local result.

    Emerging hot spots bring their period-by-period Gi* layer with its slider;
    change between periods is a layer of its own.
    """
    results = [analysis.counts, analysis.lisa, analysis.gistar, analysis.emerging, analysis.change]
    m = hotspots.combined_map(
        *(result for result in results if result is not None),
        column=analysis.column,
        title=title or _title(analysis),
    )
    m.save(path)


def write_table(analysis: Analysis, path: str) -> None:
    """One row per area with every result column, as CSV, GeoPackage or GeoParquet."""
    table = analysis.table()
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        table.drop(columns=table.geometry.name).to_csv(path)
    elif suffix == ".gpkg":
        _for_gpkg(table).to_file(path, driver="GPKG", layer="hotspots")
    elif suffix == ".parquet":
        table.to_parquet(path)
    else:
        raise ValueError(f"cannot write a table as {suffix!r}: use .csv, .gpkg or .parquet")


def write_summary(analysis: Analysis, path: str, outputs: Mapping[str, str | None]) -> None:
    """The parameters, load report and results in brief, as JSON."""
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(summary(analysis, outputs), handle, indent=2, ensure_ascii=False)
        handle.write("\n")


def summary(analysis: Analysis, outputs: Mapping[str, str | None]) -> dict[str, object]:
    """The JSON summary as a dict (plain Python values; missing numbers are None)."""
    spec = analysis.spec
    counts = analysis.counts
    result = {
        "hotspots_version": __version__,
        "inputs": list(spec.inputs),
        **analysis.provenance,
        "areas": len(counts),
        "areas_with_data": int(counts[analysis.column].notna().sum()),
        "column": analysis.column,
        "statistics": list(spec.statistics),
        "weights": _weights_text(analysis),
        "permutations": spec.permutations,
        "inference": spec.inference,
        "borderline": {
            key: frame.attrs["hotspots"]["borderline"]
            for key, frame in (("lisa", analysis.lisa), ("gistar", analysis.gistar))
            if frame is not None and "borderline" in frame.attrs.get("hotspots", {})
        },
        "seed": spec.seed,
        "alpha": spec.alpha,
        "correction": spec.correction,
        "global_moran": None if analysis.moran is None else dataclasses.asdict(analysis.moran),
        "labels": {
            column: _tally(frame[column])
            for frame in analysis.local_results
            for column in _LABELS
            if column in frame.columns
        },
        "top_areas": _top(analysis).reset_index().to_dict(orient="records"),
        "load_report": {
            "read": [report.to_dict() for report in analysis.read_reports],
            "notes": list(analysis.notes),
            "counted": analysis.count_report.to_dict(),
        },
        "outputs": {kind: path for kind, path in outputs.items() if path is not None},
    }
    return _plain(result)


def demo_text(analysis: Analysis, out: str) -> str:
    """The demo's short summary: Moran's I with its p-value and the top at-risk wards."""
    return "\n".join([*_overview(analysis), "", *_findings(analysis), "", f"Map: {out}"])


def analysis_text(analysis: Analysis, outputs: Mapping[str, str | None]) -> str:
    """The summary ``hotspots analyse`` prints."""
    lines = [*_overview(analysis), "", *_findings(analysis)]
    written = [f"{kind}: {path}" for kind, path in outputs.items() if path is not None]
    if written:
        lines += ["", "Written: " + "; ".join(written)]
    return "\n".join(lines)


# ------------------------------------------------------------------ text


def _overview(analysis: Analysis) -> list[str]:
    provenance = analysis.provenance
    spec = analysis.spec
    counts = analysis.counts
    unit = _unit(analysis)
    missing = counts.index[counts[analysis.column].isna()]
    names = counts.loc[missing, "name"].astype(str).tolist() if "name" in counts else []
    no_data = ""
    if len(missing):
        listed = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        no_data = f" (no data: {listed})"
    return [
        f"{_crime_type(provenance)} by {unit}, {provenance.get('period', 'all months')}",
        f"Source: {provenance.get('source', 'unknown')}",
        f"{len(counts):,} {unit}s, {len(counts) - len(missing):,} with data{no_data}; "
        f"analysed: {_WHAT[analysis.column]}",
        f"Weights: {_weights_text(analysis)}; {_inference_text(analysis)}, seed "
        f"{spec.seed}; alpha {spec.alpha:g}, correction: {_CORRECTIONS[spec.correction]}",
    ]


def _inference_text(analysis: Analysis) -> str:
    spec = analysis.spec
    decided = "normal approximation" if spec.inference == "analytical" else "permutation p-values"
    if spec.permutations == "adaptive":
        if spec.inference == "analytical":
            return f"labels from the {decided}"
        return f"labels from {decided}, permutations as each area needs (sequential)"
    return f"labels from {decided}, {spec.permutations:,} permutations"


def _findings(analysis: Analysis) -> list[str]:
    lines = []
    if analysis.moran is not None:
        lines.append(_moran_line(analysis.moran, analysis.spec.alpha))
    for frame in analysis.local_results[1:]:
        for column, heading in _LABELS.items():
            if column in frame.columns:
                tally = ", ".join(f"{label} {n}" for label, n in _tally(frame[column]).items())
                lines.append(f"{heading}: {tally}{_borderline_text(frame, analysis)}")
                if column == "lisa_label":
                    lines += _no_cluster_context(analysis)
    top = _top(analysis)
    unit = _unit(analysis)
    if top.empty:
        lines += ["", f"No {unit} is a significant hot spot."]
    else:
        lines += ["", f"Top {len(top)} at-risk {unit}s ({_ranking(analysis)}):"]
        lines += _top_lines(top, analysis.column)
    return lines


def _borderline_text(frame: pd.DataFrame, analysis: Analysis) -> str:
    """How many labels another seed could change (p within Monte Carlo error of the threshold)."""
    n = frame.attrs.get("hotspots", {}).get("borderline")
    if n is None or analysis.spec.inference == "analytical":
        return ""
    unit = _unit(analysis)
    return (
        f" (seed-stable: no {unit} within Monte Carlo error of the threshold)"
        if n == 0
        else f" ({n:,} borderline {unit}{'' if n == 1 else 's'}: p within Monte Carlo error "
        "of the threshold, another seed could change the label)"
    )


def _no_cluster_context(analysis: Analysis) -> list[str]:
    """When the correction leaves no LISA cluster, how many areas it took away, and why."""
    lisa, spec = analysis.lisa, analysis.spec
    if spec.correction is None or lisa["lisa_label"].astype(str).isin(CLUSTERS).any():
        return []
    # the p-values that decided the labels, uncorrected
    n = int((pd.to_numeric(lisa["lisa_p"], errors="coerce") <= spec.alpha).sum())
    unit = _unit(analysis)
    uncorrected = (
        f"no {unit} would be significant at p <= {spec.alpha:g} without correction either"
        if n == 0
        else f"{n:,} {unit}{'' if n == 1 else 's'} would be significant at "
        f"p <= {spec.alpha:g} without correction"
    )
    lines = [
        f"No LISA cluster after the {_CORRECTIONS[spec.correction]} correction ({uncorrected})"
    ]
    settings = lisa.attrs.get("hotspots", {})
    fixed = settings.get("stop_extremes") == 0 and settings.get("inference") == "permutation"
    m = int(pd.to_numeric(lisa["lisa_p"], errors="coerce").notna().sum())
    if fixed and m:
        floor = 2 / (int(settings["permutations_max"]) + 1)
        needed = needed_p(m, spec.alpha, spec.correction)
        if floor > needed:
            lines.append(
                f"  {settings['permutations_max']:,} permutations cannot give p below "
                f"{floor:.2g}, but the correction needs {needed:.2g}: use --permutations adaptive"
            )
    return lines


def _moran_line(moran: GlobalStatistic, alpha: float) -> str:
    significant = moran.p_sim <= alpha
    verdict = "clustered" if moran.value > moran.expected else "dispersed"
    meaning = (
        f"{verdict} more than chance would give" if significant else "no clear spatial pattern"
    )
    return (
        f"Global Moran's I = {moran.value:.3f} (expected {moran.expected:.4f}, "
        f"z = {moran.z:.2f}), p = {moran.p_sim:.3f} by {moran.permutations:,} permutations: "
        f"{meaning}"
    )


def _top(analysis: Analysis) -> pd.DataFrame:
    """The areas most at risk: strongest Gi* hot spots, else LISA High-High, else highest."""
    base = analysis.counts
    keep = [c for c in ("name", "borough_name", "count", "rate") if c in base.columns]
    table = pd.DataFrame(base[keep])
    if analysis.gistar is not None:
        gi = analysis.gistar
        table["gi_z"] = gi["gi_z"]
        table["gi_p"] = gi["gi_p"]
        table["gi_label"] = gi["gi_label"]
        if analysis.lisa is not None:
            table["lisa_label"] = analysis.lisa["lisa_label"]
        hot = table[table["gi_label"].astype(str).str.startswith("Hot spot")]
        return hot.sort_values("gi_z", ascending=False).head(TOP)
    if analysis.lisa is not None:
        table["lisa_i"] = analysis.lisa["lisa_i"]
        table["lisa_p"] = analysis.lisa["lisa_p"]
        table["lisa_label"] = analysis.lisa["lisa_label"]
        high = table[table["lisa_label"] == "High-High"]
        return high.sort_values("lisa_i", ascending=False).head(TOP)
    return table.sort_values(analysis.column, ascending=False).head(TOP)


def _ranking(analysis: Analysis) -> str:
    if analysis.gistar is not None:
        return "Gi* hot spots, highest z first"
    if analysis.lisa is not None:
        return "LISA High-High, highest local I first"
    return f"highest {_WHAT[analysis.column]} first"


def _top_lines(top: pd.DataFrame, column: str) -> list[str]:
    """The top areas as an aligned text table: text left, numbers right."""
    cells: dict[str, list[str]] = {"#": [str(rank) for rank in range(1, len(top) + 1)]}
    cells["name"] = top["name"].astype(str).tolist() if "name" in top else list(top.index)
    if "borough_name" in top.columns:
        cells["borough"] = top["borough_name"].astype(str).tolist()
    if column == "rate":
        cells["rate"] = [f"{value:.2f}" for value in top["rate"]]
    if "count" in top.columns:
        cells["count"] = [f"{value:.0f}" for value in top["count"]]
    for label, heading in (("gi_label", "Gi*"), ("lisa_label", "LISA")):
        if label in top.columns:
            cells[heading] = top[label].astype(str).tolist()
    # the p-value that decided the first label shown, before correction
    for p_column in ("gi_p", "lisa_p"):
        if p_column in top.columns:
            cells["p"] = [_p_text(value) for value in top[p_column]]
            break
    numeric = {"#", "rate", "count", "p"}
    widths = {key: max(len(key), *map(len, values)) for key, values in cells.items()}

    def line(values: dict[str, str]) -> str:
        parts = [
            f"{values[key]:>{widths[key]}}" if key in numeric else f"{values[key]:<{widths[key]}}"
            for key in cells
        ]
        return ("  " + "  ".join(parts)).rstrip()

    rows = [line({key: values[i] for key, values in cells.items()}) for i in range(len(top))]
    return [line({key: key for key in cells}), *rows]


def _p_text(p: float) -> str:
    return "" if not math.isfinite(p) else ("< 0.0001" if p < 1e-4 else f"{p:.4f}")


def _title(analysis: Analysis) -> str:
    provenance = analysis.provenance
    return f"{_crime_type(provenance)} by {_unit(analysis)}, {provenance.get('period', '')}"


def _unit(analysis: Analysis) -> str:
    return _UNIT.get(analysis.provenance.get("level", ""), "area")


def _crime_type(provenance: Mapping[str, object]) -> str:
    text = str(provenance.get("crime_type", "all crime types"))
    return text[:1].upper() + text[1:]


def _weights_text(analysis: Analysis) -> str:
    for frame in (analysis.lisa, analysis.gistar):
        if frame is not None and "weights" in frame.attrs.get("hotspots", {}):
            return str(frame.attrs["hotspots"]["weights"])
    if analysis.moran is not None:
        return analysis.moran.weights
    return analysis.weights


def _tally(labels: pd.Series) -> dict[str, int]:
    """Areas per label, in the order of the vocabulary (hot to cold, no data last)."""
    counts = labels.astype(str).value_counts()
    order = [label for label in _ORDER if label in counts.index]
    order += sorted(set(counts.index) - set(order))
    return {label: int(counts[label]) for label in order}


# ------------------------------------------------------------------ files


def _for_gpkg(table: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """GeoPackage columns: the code as a column, nullable integers as floats."""
    out = table.reset_index()
    for column in out.columns:
        if isinstance(out[column].dtype, pd.Int8Dtype | pd.Int64Dtype):
            out[column] = out[column].astype("float64")
    return out


def _plain(value: object) -> object:
    """JSON-able: numpy scalars as Python numbers, NaN and NA as None, tuples as lists."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if value is pd.NA or value is None:
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, bool | int | float | str):
        return value
    return str(value)
