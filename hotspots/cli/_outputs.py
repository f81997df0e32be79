"""What the command line makes of an analysis: the map, the table, the JSON and the text summary."""

from __future__ import annotations

import dataclasses
import json
import math
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

import hotspots
from hotspots._errors import InputError
from hotspots._version import __version__
from hotspots._vocabulary import (
    ABOVE_TREND,
    BELOW_TREND,
    CLUSTERS,
    COLD_CATEGORIES,
    DECREASE,
    GI_CATEGORIES,
    HOT_CATEGORIES,
    IN_LINE_WITH_TREND,
    INCREASE,
    NO_CHANGE,
    NO_DATA,
    NO_NEIGHBOURS,
    NO_PATTERN,
    NOT_SIGNIFICANT,
    RESIDENTS,
)
from hotspots.aggregation._aggregate import PSEUDO_AREA
from hotspots.evaluation._rank import period_months
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
    *CLUSTERS, *GI_CATEGORIES[:3], *HOT_CATEGORIES, INCREASE, DECREASE, ABOVE_TREND,
    BELOW_TREND, NOT_SIGNIFICANT, NO_CHANGE, IN_LINE_WITH_TREND, NO_PATTERN,
    *GI_CATEGORIES[4:], *COLD_CATEGORIES,
    NO_NEIGHBOURS, NO_DATA,
)  # fmt: skip


def check_writable(path: str) -> None:
    """Fail before the work, not after it, when an output cannot be written.

    The folder must exist and accept a new file (a test file is created and
    removed: permissions alone do not tell a read-only file system), and the
    path must not be a folder.
    """
    target = Path(path)
    folder = target.parent
    if not folder.is_dir():
        raise InputError(f"cannot write {path}: no such folder {str(folder)!r}")
    if target.is_dir():
        raise InputError(f"cannot write {path}: it is a folder; give a file name")
    try:
        handle, probe = tempfile.mkstemp(prefix=".hotspots-check-", dir=folder)
        os.close(handle)
        os.unlink(probe)
    except OSError as error:
        raise InputError(f"cannot write in {str(folder)!r}: {error.strerror}") from None


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


def write_evaluation(analysis: Analysis, path: str) -> None:
    """The evaluation table (one row per hot-spot method) as CSV, at a temporary path."""
    evaluation = analysis.evaluation
    assert evaluation is not None  # --out-evaluation goes with --evaluate (_check_options)
    table = evaluation.reset_index()
    meta = evaluation.attrs.get("hotspots", {})
    table.insert(0, "test", meta.get("test"))
    table.insert(0, "train", meta.get("train"))
    table.to_csv(path, index=False)


def write_summary(analysis: Analysis, path: str, outputs: Mapping[str, str | None]) -> None:
    """The parameters, load report and results in brief, as JSON."""
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(summary(analysis, outputs), handle, indent=2, ensure_ascii=False)
        handle.write("\n")


def summary(analysis: Analysis, outputs: Mapping[str, str | None]) -> dict[str, object]:
    """The JSON summary as a dict (plain Python values; missing numbers are None)."""
    spec = analysis.spec
    counts = analysis.counts
    result: dict[str, object] = {
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
        "change": _change_summary(analysis),
        "top_areas_rank": _ranking(analysis),
        **(
            {}
            if analysis.evaluation is None
            else {
                "evaluation": {
                    **analysis.evaluation.attrs.get("hotspots", {}),
                    "methods": analysis.evaluation.reset_index().to_dict(orient="records"),
                }
            }
        ),
        "load_report": {
            "read": [report.to_dict() for report in analysis.read_reports],
            "notes": list(analysis.notes),
            "counted": analysis.count_report.to_dict(),
        },
        "outputs": {kind: path for kind, path in outputs.items() if path is not None},
    }
    return {key: _plain(value) for key, value in result.items()}  # the keys are text already


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
        f"analysed: {_analysed(analysis)}",
        f"Weights: {_weights_text(analysis)}; {_inference_text(analysis)}, seed "
        f"{spec.seed}; alpha {spec.alpha:g}, correction: {_CORRECTIONS[spec.correction]}",
    ]


def _analysed(analysis: Analysis) -> str:
    """What the statistics ran on, naming the denominator of a rate."""
    if analysis.column == "rate":
        who = analysis.provenance.get("denominator", RESIDENTS)
        return f"rate per 1,000 {who}"
    return _WHAT[analysis.column]


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
    lines += _change_lines(analysis)
    top = _top(analysis)
    unit = _unit(analysis)
    if top.empty:
        lines += ["", f"No {unit} to list ({_ranking(analysis)})."]
    else:
        units = unit if len(top) == 1 else f"{unit}s"
        lines += ["", f"Top {len(top)} at-risk {units}, ranked by {_ranking(analysis)}:"]
        lines += _top_lines(top, analysis.column)
    counts = analysis.counts
    if PSEUDO_AREA in counts.columns and counts[PSEUDO_AREA].any():
        names = counts.loc[counts[PSEUDO_AREA].astype(bool)]
        listing = ", ".join(
            str(names.loc[code, "name"]) if "name" in names.columns else str(code)
            for code in names.index
        )
        lines.append(
            f"Not ranked: {listing} (the count includes the Met's airport-security records)"
            if not analysis.spec.rank_pseudo_areas
            else f"Ranked with the Met's airport-security records: {listing}"
        )
    if analysis.evaluation is not None:
        lines += ["", *_evaluation_lines(analysis.evaluation)]
    return lines


# columns of the change summary, per borough and for London
_CHANGE_COLUMNS = ("name", "count_before", "count_after", "change", "percent_change",
                   "percent_change_low", "percent_change_high", "rate_ratio", "rate_ratio_low",
                   "rate_ratio_high", "change_p", "change_p_adjusted", "change_label")  # fmt: skip
_CHANGE_KEYS = ("before", "after", "test", "model", "dispersion", "dispersion_estimate",
                "dispersion_source", "relative_to", "reference_ratio", "confidence",
                "correction")  # fmt: skip


def _change_summary(analysis: Analysis) -> dict[str, object] | None:
    """The windows, the test and its dispersion, London and every borough."""
    if analysis.change is None:
        return None
    provenance = analysis.change.attrs.get("hotspots", {})
    result: dict[str, object] = {key: provenance.get(key) for key in _CHANGE_KEYS}
    if analysis.change_boroughs is not None:
        borough = analysis.change_boroughs.attrs["hotspots"]
        result["borough_dispersion"] = borough["dispersion"]
        result["borough_reference_ratio"] = borough["reference_ratio"]
        keep = [c for c in _CHANGE_COLUMNS if c in analysis.change_boroughs.columns]
        london = analysis.change_london
        assert london is not None  # rolled up with the boroughs (_pipeline._change)
        london_row: dict[str, object] = london[keep].reset_index().to_dict(orient="records")[0]
        london_row["relative_to"] = london.attrs["hotspots"]["relative_to"]
        result["london"] = london_row
        result["boroughs"] = (
            pd.DataFrame(analysis.change_boroughs[keep]).reset_index().to_dict(orient="records")
        )
    return result


def _change_lines(analysis: Analysis) -> list[str]:
    """The windows, the model, London's change and each borough's, with intervals."""
    if analysis.change is None:
        return []
    info = analysis.change.attrs["hotspots"]
    level = f"{info['confidence']:.0%}"
    lines = [
        "",
        f"Windows compared: {info['after']} against {info['before']} "
        "(the same months a year earlier)",
    ]
    if info["test"] == "trend":
        lines.append(
            f"Test: {info['model']}; 'significant' means different from the change of all the "
            f"areas together, allowing for extra-Poisson variation (dispersion phi = "
            f"{info['dispersion']:.2f} across the {_unit(analysis)}s)"
        )
    else:
        lines.append(
            f"Test: {info['model']}; 'significant' means different from no change, assuming "
            "pure Poisson variation"
        )
    boroughs, london = analysis.change_boroughs, analysis.change_london
    if boroughs is None:
        return lines
    assert london is not None  # rolled up with the boroughs (_pipeline._change)
    row = london.iloc[0]
    phi = london.attrs["hotspots"]["dispersion"]
    lines.append(
        f"London: {_count(row.count_before)} -> {_count(row.count_after)}, "
        f"{_percent_interval(row, level)}: {row.change_label} "
        f"(against no change; phi = {phi:.2f} from the boroughs)"
    )
    relative = boroughs.attrs["hotspots"]
    against = (
        f"against London's {100 * (relative['reference_ratio'] - 1):+.1f}%, "
        f"phi = {relative['dispersion']:.2f}"
        if relative["test"] == "trend"
        else "against no change"
    )
    lines.append(
        f"Boroughs ({against}; intervals per borough, verdicts after the "
        f"{_CORRECTIONS[relative['correction']]} correction):"
    )
    cells: dict[str, list[str]] = {"borough": [], "before": [], "after": [],
                                   f"change ({level} interval)": [], "verdict": []}  # fmt: skip
    for _, b in boroughs.sort_values("name").iterrows():
        cells["borough"].append(str(b["name"]))
        cells["before"].append(_count(b.count_before))
        cells["after"].append(_count(b.count_after))
        cells[f"change ({level} interval)"].append(_percent_interval(b, None))
        cells["verdict"].append(str(b.change_label))
    numeric = {"before", "after"}
    widths = {key: max(len(key), *map(len, values)) for key, values in cells.items()}
    for i in range(-1, len(cells["borough"])):
        parts = [
            (key if i < 0 else values[i]).rjust(widths[key])
            if key in numeric
            else (key if i < 0 else values[i]).ljust(widths[key])
            for key, values in cells.items()
        ]
        lines.append(("  " + "  ".join(parts)).rstrip())
    return lines


def _count(value: float) -> str:
    return "no data" if not math.isfinite(value) else f"{value:,.0f}"


def _percent_interval(row: pd.Series, level: str | None) -> str:
    """ "-7.5% (95% CI -23.1% to +11.2%)"; "no data"; "none before"."""
    if not math.isfinite(row.count_before) or not math.isfinite(row.count_after):
        return "no data"
    if row.count_before == 0:
        return "none before"
    high = row.percent_change_high
    high_text = "+inf" if not math.isfinite(high) else f"{high:+.1f}%"
    label = f"{level} CI " if level else ""
    return f"{row.percent_change:+.1f}% ({label}{row.percent_change_low:+.1f}% to {high_text})"


def _evaluation_lines(table: pd.DataFrame) -> list[str]:
    """The evaluation table as aligned text, with the periods it compares."""
    meta = table.attrs.get("hotspots", {})
    shown = table[["areas_selected", "area_share", "hit_rate", "pai", "pei", "pei_star", "rri"]]
    text = shown.to_string(float_format=lambda value: f"{value:.3f}", na_rep="-", index_names=False)
    return [
        f"Hot-spot methods chosen on {meta.get('train')}, judged on {meta.get('test')} "
        "(hit rate: share of the test period's crime in the selection; PAI: hit rate / "
        "area share; PEI, PEI*: against the best possible for the same area / number of "
        "areas; RRI: recapture rate):",
        *("  " + line for line in text.splitlines()),
    ]


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
    assert lisa is not None  # called for the LISA result's labels (_findings)
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
    """The areas most at risk by the one measure ``--rank-by`` names (hotspots.rank_areas)."""
    from hotspots.evaluation._rank import rank_areas

    base = analysis.counts
    if PSEUDO_AREA in base.columns and not analysis.spec.rank_pseudo_areas:
        base = base[~base[PSEUDO_AREA].astype(bool)]
    spec = analysis.spec
    frame = base.copy()
    gi = analysis.gistar
    if gi is not None:
        frame["gi_z"] = gi["gi_z"]
        frame["gi_label"] = gi["gi_label"]
    ranked = rank_areas(
        frame, spec.rank_by, top=TOP, min_count=spec.min_count, seed=spec.seed,
        alpha=spec.alpha, correction=spec.correction,
    )  # fmt: skip
    table = pd.DataFrame(base.loc[ranked.index, [c for c in ("name", "borough_name") if c in base]])
    if "rate" in base.columns:
        months = period_months(analysis.provenance.get("period"))
        table["rate"] = base.loc[ranked.index, "rate"] * (12 / months if months else 1.0)
    table["count"] = ranked["count"]
    if spec.rank_by == "eb_rate":
        table["eb_rate"] = ranked["value"]
    if spec.rank_by == "gi":
        table["gi_z"] = ranked["value"]
    if gi is not None:
        table["gi_p"] = gi.loc[ranked.index, "gi_p"]
        table["gi_label"] = gi.loc[ranked.index, "gi_label"]
    if analysis.lisa is not None:
        table["lisa_p"] = analysis.lisa.loc[ranked.index, "lisa_p"]
        table["lisa_label"] = analysis.lisa.loc[ranked.index, "lisa_label"]
    table.attrs["hotspots"] = ranked.attrs["hotspots"]
    return table


def _ranking(analysis: Analysis) -> str:
    """What the top list ranks, with its period and denominator, and what it leaves out."""
    meta = _top(analysis).attrs["hotspots"]
    text = meta["ranks"]
    if meta["min_count"] > 0:
        text += (
            f"; {_unit(analysis)}s with fewer than {meta['min_count']:g} incidents of their "
            f"own not listed ({meta['excluded']} left out)"
        )
    if "rate" in analysis.counts.columns:
        who = analysis.provenance.get("denominator", RESIDENTS)
        text += f"; rate: per 1,000 {who} a year"
    return text


def _top_lines(top: pd.DataFrame, column: str) -> list[str]:
    """The top areas as an aligned text table: text left, numbers right."""
    cells: dict[str, list[str]] = {"#": [str(rank) for rank in range(1, len(top) + 1)]}
    cells["name"] = top["name"].astype(str).tolist() if "name" in top else list(top.index)
    if "borough_name" in top.columns:
        cells["borough"] = top["borough_name"].astype(str).tolist()
    for measure, heading in (("eb_rate", "EB rate"), ("gi_z", "Gi* z")):
        if measure in top.columns:
            cells[heading] = [f"{value:.2f}" for value in top[measure]]
    if "rate" in top.columns:
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
    numeric = {"#", "rate", "count", "EB rate", "Gi* z", "p"}
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
    level = analysis.provenance.get("level")
    return _UNIT.get(level, "area") if isinstance(level, str) else "area"


def _crime_type(provenance: Mapping[str, object]) -> str:
    text = str(provenance.get("crime_type", "all crime types"))
    return text[:1].upper() + text[1:]


def _weights_text(analysis: Analysis) -> str:
    """The statistic's record of its weights, with how the graph was built in front."""
    text = analysis.weights
    for frame in (analysis.lisa, analysis.gistar):
        if frame is not None and "weights" in frame.attrs.get("hotspots", {}):
            text = str(frame.attrs["hotspots"]["weights"])
            break
    else:
        if analysis.moran is not None:
            text = analysis.moran.weights
    # a statistic describes the graph it was given from the graph itself; the pipeline
    # built it and knows how ("queen contiguity (tolerance 0.1 m): 33 areas, ...")
    how, _, structure = analysis.weights.partition(": ")
    if structure and not text.startswith(how) and text.startswith(structure):
        return f"{how}: {text}"
    return text


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
