"""The whole analysis the command line runs: read, count per area, weights, statistics.

``hotspots demo`` and ``hotspots analyse`` both describe what they want as an
:class:`AnalysisSpec` and get an :class:`Analysis` back; writing maps, tables
and summaries is left to :mod:`hotspots.cli._outputs`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypedDict

import numpy as np
import pandas as pd

import boundaries
import hotspots
from hotspots import InputError
from hotspots._vocabulary import MET, MIN_OWN_COUNT
from hotspots.cli._inputs import (
    POLICE_UK,
    TableColumns,
    input_kind,
    read_areas,
    read_crime,
    resolve_path,
)
from hotspots.cli._period import PeriodChoice
from hotspots.cli._progress import Progress
from hotspots.io._categories import resolve_categories
from hotspots.io._report import LoadReport
from hotspots.weights._build import build_links

if TYPE_CHECKING:
    import geopandas as gpd

    from hotspots import EmergingHotspots, GlobalStatistic


@dataclass(frozen=True, kw_only=True)
class AnalysisSpec:
    """Everything that decides an analysis; the command-line options map onto it one to one.

    ``change_optional`` (``--stat all``) skips change with a note when the data
    lack the same months a year earlier, instead of failing.
    ``level`` None means the level of a Met table, else ``"wards"``; ``column``
    None means ``"rate"`` when the areas' population is known, else ``"count"``;
    ``correction`` None means no multiple-testing correction. The defaults of
    the statistics, weights and inference settings are the command line's
    (:mod:`hotspots.cli`), so they are not repeated here.
    """

    inputs: tuple[str, ...]
    statistics: tuple[str, ...]
    weights: str
    permutations: int | str
    seed: int | None
    alpha: float
    correction: str | None
    level: str | None = None
    areas: str | None = None
    id_column: str | None = None
    name_column: str | None = None
    population_column: str | None = None
    table: TableColumns = field(default_factory=TableColumns)
    crime_types: tuple[str, ...] = ()
    period: PeriodChoice = field(default_factory=PeriodChoice)
    column: str | None = None
    k: int | None = None
    threshold: float | None = None
    islands: str = "keep"
    rank_pseudo_areas: bool = False
    change_test: Literal["trend", "exact", "e-test"] = "trend"
    change_dispersion: Literal["areas", "history"] = "areas"
    change_optional: bool = False
    # the top list: what it ranks (hotspots.rank_areas' ``by``) and the fewest own incidents
    rank_by: str = "gi"
    min_count: float = MIN_OWN_COUNT
    # judge hot-spot methods chosen on the first half of the period by the second half
    evaluate: bool = False
    # rates per 1,000 residents of an age range (shipped layers), and the denominator's label
    ages: tuple[int, int | None] | None = None
    denominator: str | None = None
    inference: str = "permutation"
    # local processes counting police.uk files per area and month (hotspots.count_police_uk)
    workers: int = 1


@dataclass(frozen=True)
class Analysis:
    """The results of one analysis, each as the library function returned it.

    ``weights`` describes the spatial weights as built
    (:attr:`hotspots.weights._links.Links.description`), for runs without a statistic
    that records its own weighting. ``change_boroughs`` and ``change_london`` are
    the roll-up of the change (:func:`hotspots.change_rollup`) when the areas lie
    in known boroughs.
    """

    spec: AnalysisSpec
    counts: gpd.GeoDataFrame
    column: str
    weights: str
    read_reports: tuple[LoadReport, ...]
    count_report: LoadReport
    notes: tuple[str, ...] = ()
    moran: GlobalStatistic | None = None
    lisa: gpd.GeoDataFrame | None = None
    gistar: gpd.GeoDataFrame | None = None
    emerging: EmergingHotspots | None = None
    change: gpd.GeoDataFrame | None = None
    change_boroughs: gpd.GeoDataFrame | None = None
    change_london: pd.DataFrame | None = None
    evaluation: pd.DataFrame | None = None

    @property
    def provenance(self) -> dict[str, object]:
        """Source, period, crime type and level of the counts."""
        return dict(self.counts.attrs.get("hotspots", {}))

    @property
    def local_results(self) -> list[gpd.GeoDataFrame]:
        """The counts and every per-area result, in map-layer order."""
        emerging = None if self.emerging is None else self.emerging.areas
        frames = [self.counts, self.lisa, self.gistar, emerging, self.change]
        return [frame for frame in frames if frame is not None]

    def table(self) -> gpd.GeoDataFrame:
        """One row per area: the counts and the new columns of every result."""
        table = self.counts.copy()
        for frame in self.local_results[1:]:
            for column in frame.columns.difference(table.columns, sort=False):
                table[column] = frame[column].reindex(table.index)
        table.attrs = {}
        return table


def run_analysis(spec: AnalysisSpec, progress: Progress) -> Analysis:
    """Run ``spec`` from the input files to every statistic asked for."""
    paths = [resolve_path(text) for text in spec.inputs]
    kinds = {path: input_kind(path) for path in paths}
    if len(set(kinds.values())) > 1:
        listing = "; ".join(f"{path.name}: {kind}" for path, kind in kinds.items())
        raise InputError(f"the inputs are of different kinds ({listing}): analyse one at a time")
    kind = next(iter(kinds.values()))
    _check_crime_types(spec.crime_types, kind)
    if _streams(kind):
        return _run_streamed(spec, paths, progress)

    what = f"{len(paths)} files" if len(paths) > 1 else paths[0].name
    with progress.step(f"reading {what}"):
        data = read_crime(paths, kind, spec.table)
    read_reports = _reports(data)
    try:
        return _analyse(spec, data, kind, read_reports, progress)
    except InputError as error:
        error.reports = read_reports  # the CLI prints them: they often hold the cause
        raise


def _analyse(
    spec: AnalysisSpec,
    data: pd.DataFrame,
    kind: str,
    read_reports: tuple[LoadReport, ...],
    progress: Progress,
) -> Analysis:
    areas = _areas(spec, data, kind)
    every_month = _every_area_listed(data, areas, spec.table)  # change looks a year back
    data, period_note = _select_period(data, spec.period)
    notes: tuple[str, ...] = (period_note,) if period_note else ()
    data = _every_area_listed(data, areas, spec.table)

    crime_types = list(spec.crime_types) or None
    with progress.step(f"counting per area ({len(areas):,} areas)"):
        counts = hotspots.aggregate(
            data,
            areas,
            crime_types=crime_types,
            population=_population(spec, areas),
            denominator=spec.denominator,
        )
    return _results(spec, areas, counts, data, every_month, read_reports, notes, progress)


def _results(
    spec: AnalysisSpec,
    areas: gpd.GeoDataFrame,
    counts: gpd.GeoDataFrame,
    data: pd.DataFrame,
    every_month: pd.DataFrame,
    read_reports: tuple[LoadReport, ...],
    notes: tuple[str, ...],
    progress: Progress,
    streamed: pd.DataFrame | None = None,
) -> Analysis:
    """Weights and every statistic asked for, from the counts for the period.

    ``data`` holds the period's rows and ``every_month`` every row (change looks
    a year back): the incidents themselves, or only their months when the
    counts per area and month were ``streamed``.
    """
    column = _column(spec.column, counts)
    if not counts["count"].sum() > 0:
        what = counts.attrs["hotspots"].get("crime_type", "crime")
        raise InputError(
            f"no incidents of {what} in any area: "
            + _diagnosis([*read_reports, counts.attrs["report"]])
        )
    with progress.step(f"{spec.weights} weights"):
        graph = build_links(
            areas, spec.weights, k=spec.k, threshold=spec.threshold, islands=spec.islands
        )
    results = _statistics(spec, areas, data, counts, column, graph, progress, streamed)
    if "change" in spec.statistics:
        try:
            with progress.step("change against the same months a year earlier"):
                results |= _change(spec, areas, every_month, streamed)
        except InputError as error:
            if not spec.change_optional:
                raise
            notes += (f"change skipped: {error}",)
    if spec.evaluate:
        results["evaluation"] = _evaluation(spec, areas, data, graph, progress, streamed)
    return Analysis(
        spec=spec,
        counts=counts,
        column=column,
        weights=graph.description,
        read_reports=read_reports,
        count_report=counts.attrs["report"],
        notes=notes,
        **results,
    )


def _streams(kind: str) -> bool:
    """Whether the input is counted per area and month while streaming it.

    Always for police.uk files: :func:`hotspots.count_police_uk` is as fast as
    reading the points on one small file and holds none of the incidents, so an
    archive needs no more memory than a month. Met tables and other CSVs are
    read whole (a Met table is already counted per area and month).
    """
    return kind == POLICE_UK


def _run_streamed(spec: AnalysisSpec, paths: list[Path], progress: Progress) -> Analysis:
    """:func:`run_analysis` for police.uk files, from their counts per area and month.

    Nothing downstream needs the incidents: the period, the counts per area
    (with rates as :func:`hotspots.aggregate` makes them from a counted table),
    the monthly cube and the load report all come from the streamed counts.
    """
    areas = _areas(spec, None, POLICE_UK)
    streamed = _stream_monthly(paths, areas, spec, progress)
    if spec.crime_types:  # the crime types as the user named them, as in every other result
        streamed.attrs["hotspots"]["crime_type"] = ", ".join(spec.crime_types)
    report = streamed.attrs["report"]
    read_reports = (report,)
    try:
        cube, period_note = _select_months(streamed, spec.period)
        notes: tuple[str, ...] = (_streamed_note(spec.workers),)
        notes += (period_note,) if period_note else ()
        with progress.step(f"counting per area ({len(areas):,} areas)"):
            counts = _period_counts(cube, areas, spec, report.source)
        every_month = pd.DataFrame({"month": streamed.columns})
        months = pd.DataFrame({"month": cube.columns})
        return _results(
            spec, areas, counts, months, every_month, read_reports, notes, progress, streamed
        )
    except InputError as error:
        error.reports = read_reports  # the CLI prints them: they often hold the cause
        raise


def _select_months(streamed: pd.DataFrame, period: PeriodChoice) -> tuple[pd.DataFrame, str | None]:
    """The streamed counts of the months asked for, as :func:`_select_period` selects rows.

    The months with data are the cube's months from the first to the last with
    incidents kept; a note says how many months and counted incidents were left out.
    """
    if not len(streamed.columns):  # nothing kept: the counts are all zero, and say why
        return streamed, None
    if period.is_all:
        return streamed, None
    months = pd.Series(streamed.columns)
    first, last = period.bounds(months)
    keep = (streamed.columns >= first) & (streamed.columns <= last)
    with_data = streamed.notna().any(axis=0).to_numpy()
    if not (keep & with_data).any():
        asked = str(first) if first == last else f"{first} to {last}"
        raise InputError(f"no data in {asked}: the data cover {months.min()} to {months.max()}")
    # from the first to the last month with data, as the rows of those months span
    inside = np.flatnonzero(keep & with_data)
    cube = _months_of(streamed, streamed.columns[[inside[0], inside[-1]]])
    cube.attrs["hotspots"]["period"] = _clipped(streamed.attrs["hotspots"]["period"], cube)
    total = np.nansum(streamed.to_numpy())
    note = (
        f"period {first} to {last}{f' ({period})' if period.latest else ''}: "
        f"{int((keep & with_data).sum())} of {int(with_data.sum())} months kept "
        f"({int(np.nansum(cube.to_numpy())):,} of {int(total):,} incidents counted in areas)"
    )
    return cube, note


def _clipped(period: str, cube: pd.DataFrame) -> str:
    """The months of the crime type's incidents (``period``) within the cube's months.

    The cube spans the months with rows of any type; the provenance, as for points,
    the months with incidents of the type counted.
    """
    if not period[:4].isdigit():  # "no months"
        return period
    start, _, end = period.partition(" to ")
    first = max(pd.Period(start, freq="M"), cube.columns[0])
    last = min(pd.Period(end or start, freq="M"), cube.columns[-1])
    if first > last:
        return "no months"
    return str(first) if first == last else f"{first} to {last}"


def _period_counts(
    cube: pd.DataFrame, areas: gpd.GeoDataFrame, spec: AnalysisSpec, source: str
) -> gpd.GeoDataFrame:
    """Counts per area over the cube's months, with rates as :func:`hotspots.aggregate` has them.

    An area has a count only if the source covers it in every month with data
    (as ``aggregate`` decides it for points); its incidents in the other months
    are reported as not covered. The counts go through ``aggregate`` as a
    counted table, so population, rate and denominator are those of the
    in-memory path.
    """
    from hotspots.aggregation._aggregate import NOT_COVERED

    values = cube.to_numpy()
    with_data = ~np.isnan(values).all(axis=0)
    present = ~np.isnan(values[:, with_data])
    covered = present.all(axis=1) if with_data.any() else np.zeros(len(cube), dtype=bool)
    total = np.nansum(values, axis=1)
    provenance = dict(cube.attrs.get("hotspots", {}))
    table = pd.DataFrame({"area_code": cube.index[covered], "count": total[covered]})
    table.attrs = {"hotspots": {key: provenance[key] for key in ("source", "period", "crime_type")}}
    counts = hotspots.aggregate(
        table, areas, population=_population(spec, areas), denominator=spec.denominator
    )
    counted, kept = int(total.sum()), int(total[covered].sum())
    notes = []
    months = cube.columns[with_data]
    partly = present.any(axis=1) & ~covered if with_data.any() else covered
    if partly.any():
        notes.append(
            f"{int(partly.sum())} areas not covered in every month from {months[0]} to "
            f"{months[-1]} (e.g. {cube.index[partly][0]}): no data for the whole period"
        )
    if len(cube.columns) and not with_data.all():
        notes.append(
            "months with no data in the source (left as no data, never zero): "
            + ", ".join(str(m) for m in cube.columns[~with_data])
        )
    counts.attrs["report"] = LoadReport(
        source,
        rows_read=counted,
        rows_kept=kept,
        dropped={NOT_COVERED: counted - kept} if counted > kept else {},
        notes=tuple(notes),
        unit="incidents",
    )
    return counts


def _population(spec: AnalysisSpec, areas: gpd.GeoDataFrame) -> str | pd.Series | None:
    """The denominator: --population-column, residents of --ages, or the layer's residents."""
    if spec.ages is None:
        return spec.population_column
    layer = areas.attrs.get("boundaries", {}).get("layer")
    if layer is None:
        raise InputError("--ages needs a shipped layer (--level), not --areas")
    try:
        return boundaries.population(layer, ages=spec.ages)
    except ValueError as error:
        raise InputError(str(error)) from None


def _diagnosis(reports: list[LoadReport]) -> str:
    """Why nothing was counted, from the load reports (the main reasons rows went)."""
    for report in reports:
        # a count of incidents can be 0 for the months chosen: only a file of no rows is empty
        if report.rows_read == 0 and report.unit != "incidents":
            return f"{report.source} has no data rows (a header only?)"
    reasons: dict[str, int] = {}
    for report in reports:
        for reason, n in report.dropped.items():
            reasons[reason] = reasons.get(reason, 0) + n
    if not reasons:
        return "check --crime-type, --period and the areas"
    top = sorted(reasons.items(), key=lambda item: -item[1])[:3]
    text = "rows were dropped as " + "; ".join(f"{reason}: {n:,}" for reason, n in top)
    hints = {
        "outside London": " (are longitude and latitude swapped, or the points at 0,0?)",
        "outside all areas": " (are the areas in the right CRS, and in London?)",
        "crime type filtered out": " (check --crime-type)",
        "month filtered out": " (check --period)",
    }
    return text + hints.get(top[0][0], "") + "; see the load report below"


def _check_crime_types(names: tuple[str, ...], kind: str) -> None:
    """Unknown police.uk crime types fail before any file is read.

    Met tables are checked once read: the categories in the file are valid too.
    """
    if names and kind == POLICE_UK:
        resolve_categories(names, "police.uk")


def _reports(data: pd.DataFrame) -> tuple[LoadReport, ...]:
    if "reports" in data.attrs:
        return tuple(data.attrs["reports"])
    report = data.attrs.get("report")
    return (report,) if report is not None else ()


def _areas(spec: AnalysisSpec, data: pd.DataFrame | None, kind: str) -> gpd.GeoDataFrame:
    """The areas to count in: the user's polygons or a shipped layer that fits the data."""
    if spec.areas is not None:
        if spec.id_column is None:  # the command line checks it first (_check_options)
            raise InputError("--areas needs --id-column (the column of unique area codes)")
        return read_areas(spec.areas, id_column=spec.id_column, name_column=spec.name_column)
    table_level = data.attrs.get("level") if data is not None and kind == MET else None
    level = spec.level or table_level or "wards"
    rolls_up = (table_level, level) == ("wards", "boroughs")  # wards nest in boroughs
    if table_level is not None and level != table_level and not rolls_up:
        raise InputError(
            f"a Met {table_level} table counts offences per {table_level[:-1]} code: "
            f"use --level {table_level}"
            + (" or --level boroughs" if table_level == "wards" else "")
            + f" (not {level}), or --areas with the same codes"
        )
    return boundaries.load(level)


def _select_period(data: pd.DataFrame, period: PeriodChoice) -> tuple[pd.DataFrame, str | None]:
    """The rows in the months asked for, and a note of how many were left out."""
    if period.is_all:
        return data, None
    if "month" not in data.columns or not isinstance(data["month"].dtype, pd.PeriodDtype):
        raise InputError(
            f"--period {period} needs months in the data: name the month column with --month-column"
        )
    months = data["month"]
    first, last = period.bounds(months)
    keep = ((months >= first) & (months <= last)).to_numpy()
    if not keep.any():
        asked = str(first) if first == last else f"{first} to {last}"
        raise InputError(f"no data in {asked}: the data cover {months.min()} to {months.max()}")
    selected = data[keep]  # the library's coverage follows the forces of the rows kept
    note = (
        f"period {first} to {last}{f' ({period})' if period.latest else ''}: "
        f"{selected['month'].nunique()} of "
        f"{months.nunique()} months kept"
    )
    if "geometry" in data.columns:  # incident points: one row per incident
        note += f" ({int(keep.sum()):,} of {len(keep):,} incidents)"
    return selected, note


def _every_area_listed(
    data: pd.DataFrame, areas: gpd.GeoDataFrame, table: TableColumns
) -> pd.DataFrame:
    """For a table of one incident per row and area code: zero rows for every area.

    The library counts a table of counts only in the areas it names (an area
    missing from a police table may be outside its force); one incident per
    row means an area without rows had no incidents, so every area is covered.
    """
    if table.code is None or table.count is not None:
        return data
    zeros = pd.DataFrame({"area_code": areas.index.astype("str"), "count": 0.0})
    if "month" in data.columns:
        zeros["month"] = data["month"].min()
    listed = pd.concat([data, zeros], ignore_index=True)
    listed.attrs = data.attrs
    return listed


def _column(column: str | None, counts: gpd.GeoDataFrame) -> str:
    if column is None:
        return "rate" if "rate" in counts.columns else "count"
    if column not in counts.columns:
        raise InputError(
            "no population is known for these areas, so there is no rate: use --column count, "
            "or --population-column with --areas",
            column=column,
        )
    return column


class _Testing(TypedDict):
    """How every local statistic decides its labels: the options the CLI passes on."""

    permutations: int | str
    seed: int | None
    inference: str
    alpha: float
    correction: str | None


class _ChangeOptions(TypedDict):
    """How the change is tested: the options the CLI passes on."""

    test: Literal["trend", "exact", "e-test"]
    dispersion: Literal["areas", "history"]
    alpha: float
    correction: str | None


def _testing(spec: AnalysisSpec) -> _Testing:
    return _Testing(
        permutations=spec.permutations,
        seed=spec.seed,
        inference=spec.inference,
        alpha=spec.alpha,
        correction=spec.correction,
    )


class _Results(TypedDict, total=False):
    """The statistics' results, keyed by :class:`Analysis` field; those not run are absent."""

    moran: GlobalStatistic
    lisa: gpd.GeoDataFrame
    gistar: gpd.GeoDataFrame
    emerging: EmergingHotspots
    change: gpd.GeoDataFrame
    change_boroughs: gpd.GeoDataFrame
    change_london: pd.DataFrame
    evaluation: pd.DataFrame


# global Moran's I is one test: a fixed count resolves p far below any usual alpha
GLOBAL_PERMUTATIONS = 999


def _statistics(
    spec: AnalysisSpec,
    areas: gpd.GeoDataFrame,
    data: pd.DataFrame,
    counts: gpd.GeoDataFrame,
    column: str,
    graph: Any,
    progress: Progress,
    streamed: pd.DataFrame | None = None,
) -> _Results:
    """Every statistic asked for, keyed by :class:`Analysis` field."""
    runs = (
        "permutations as each area needs"
        if spec.permutations == "adaptive"
        else f"{spec.permutations:,} permutations"
    )
    results: _Results = {}
    if "moran" in spec.statistics:
        # an int, or "adaptive" (the only text --permutations takes)
        moran_runs = (
            spec.permutations if isinstance(spec.permutations, int) else GLOBAL_PERMUTATIONS
        )
        with progress.step(f"global Moran's I, {moran_runs:,} permutations"):
            results["moran"] = hotspots.global_moran(
                counts, column=column, graph=graph, permutations=moran_runs, seed=spec.seed
            )
    if "lisa" in spec.statistics:
        with progress.step(f"local Moran's I (LISA), {runs}"):
            results["lisa"] = hotspots.local_moran(
                counts,
                column=column,
                graph=graph,
                **_testing(spec),
            )
    if "gistar" in spec.statistics:
        with progress.step(f"Getis-Ord Gi*, {runs}"):
            results["gistar"] = hotspots.getis_ord(
                counts,
                column=column,
                graph=graph,
                **_testing(spec),
            )
    if "emerging" in spec.statistics:
        cube = _monthly_counts(data, areas, spec, streamed)
        with progress.step(f"emerging hot spots over {cube.shape[1]} months, {runs}"):
            results["emerging"] = hotspots.emerging_hotspots(
                areas,
                cube,
                graph=graph,
                **_testing(spec),
            )
    return results


def _change(
    spec: AnalysisSpec,
    areas: gpd.GeoDataFrame,
    data: pd.DataFrame,
    streamed: pd.DataFrame | None = None,
) -> _Results:
    """Change in the chosen months against the same months a year earlier, rolled up.

    The after window is ``--period`` (default: the latest 12 months); the before
    window is the same months a year earlier, from the data outside the period.
    """
    from hotspots.spacetime._rollup import borough_codes

    cube = _monthly_counts(data, areas, spec, streamed)
    after = None
    if not spec.period.is_all:
        first, last = spec.period.bounds(data["month"])
        after = (str(first), str(last))
    options = _ChangeOptions(
        test=spec.change_test,
        dispersion=spec.change_dispersion,
        alpha=spec.alpha,
        correction=spec.correction,
    )
    try:
        borough_codes(areas)
    except InputError:  # the user's own areas, in no known borough: no roll-up
        return {"change": hotspots.period_change(areas, cube, after=after, **options)}
    rollup = hotspots.change_rollup(areas, cube, after=after, **options)
    return {
        "change": rollup.areas,
        "change_boroughs": rollup.boroughs,
        "change_london": rollup.london,
    }


def _stream_monthly(
    paths: list[Path], areas: gpd.GeoDataFrame, spec: AnalysisSpec, progress: Progress
) -> pd.DataFrame:
    """Counts per area and month of police.uk files, streamed on ``spec.workers`` processes.

    Every month of the files; :func:`_monthly_counts` takes the months each
    statistic needs. Its load report accounts for every row as the read's does.
    """
    crime_types = list(spec.crime_types) or None
    with progress.files(f"counting per area and month ({spec.workers} workers)") as callback:
        return hotspots.count_police_uk(
            [str(path) for path in paths],
            areas,
            crime_types=crime_types,
            workers=spec.workers,
            progress=callback,
        )


def _monthly_counts(
    data: pd.DataFrame,
    areas: gpd.GeoDataFrame,
    spec: AnalysisSpec,
    streamed: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Counts per area and month of ``data``: the streamed counts' months of ``data``
    when police.uk files were counted by :func:`_stream_monthly`."""
    if "month" not in data.columns:
        raise InputError(
            "emerging hot spots and change need months in the data: "
            "name the month column with --month-column"
        )
    crime_types = list(spec.crime_types) or None
    if streamed is not None:
        cube = _months_of(streamed, data["month"]) if len(data) else streamed
    else:
        cube = hotspots.aggregate_monthly(data, areas, crime_types=crime_types)
    if cube.shape[1] < 2:
        raise InputError(
            f"emerging hot spots and change need at least 2 months; the data have "
            f"{cube.shape[1]}: use --stat moran,lisa,gistar for one month"
        )
    return cube


def _streamed_note(workers: int) -> str:
    """One line of the load report: the rows were counted as they were read (the read's
    line above it accounts for every row)."""
    return (
        f"counted per area and month while reading ({workers} worker{'s' if workers > 1 else ''})"
    )


def _months_of(streamed: pd.DataFrame, months: pd.Series | pd.Index) -> pd.DataFrame:
    """The streamed cube's months from the first to the last of ``months``."""
    keep = (streamed.columns >= months.min()) & (streamed.columns <= months.max())
    cube = streamed.loc[:, keep]
    provenance = dict(streamed.attrs.get("hotspots", {}))
    if len(cube.columns):
        first, last = cube.columns[0], cube.columns[-1]
        provenance["period"] = str(first) if first == last else f"{first} to {last}"
    cube.attrs = {"hotspots": provenance, "report": streamed.attrs.get("report")}
    return cube


def _evaluation(
    spec: AnalysisSpec,
    areas: gpd.GeoDataFrame,
    data: pd.DataFrame,
    graph: Any,
    progress: Progress,
    streamed: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Hot spots chosen on the first half of the months, judged on the second half."""
    cube = _monthly_counts(data, areas, spec, streamed)
    half = cube.shape[1] // 2
    months = [str(m) for m in cube.columns]
    train = (months[-2 * half], months[-half - 1])
    test = (months[-half], months[-1])
    with progress.step(
        f"evaluating hot-spot methods: {train[0]}..{train[1]} -> {test[0]}..{test[1]}"
    ):
        return hotspots.compare_hotspot_methods(
            areas, cube, train=train, test=test, graph=graph,
            permutations=spec.permutations, seed=spec.seed, alpha=spec.alpha,
            correction=spec.correction,
        )  # fmt: skip
