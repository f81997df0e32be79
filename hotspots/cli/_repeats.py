"""``hotspots repeats``: repeat locations and the Knox test from a terminal (private)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from hotspots._vocabulary import KNOX_MORE, REPEAT_MORE
from hotspots.cli import _arguments as arguments

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

_Number = TypeVar("_Number", int, float)

PROG_NAME = "hotspots repeats"
DEFAULT_DISTANCES = (100.0, 200.0, 300.0, 400.0, 500.0)
DEFAULT_MONTHS = (0, 1, 2)
DEFAULT_DAYS = (14, 28, 42, 56, 70)
DEFAULT_SEED = 2025
DEFAULT_OUT = "repeats"
LEVELS = ("boroughs", "wards", "wards-2018", "lsoa", "lsoa-2011", "msoa")
OUTPUT_FILES = {
    "knox": "knox.csv",
    "figure": "knox.svg",
    "locations": "repeat-locations.csv",
    "areas": "repeat-areas.gpkg",
    "risk": "near-repeat-risk.gpkg",
}


def add_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    """Add the ``repeats`` subcommand to the ``hotspots`` parser."""
    parser = commands.add_parser(
        "repeats",
        parents=[common],
        help="repeat locations and near repeats (the Knox test)",
        description=(
            "Repeat and near-repeat victimisation: incidents and repeats per location "
            "against what the location's size predicts, the Knox test of events close in "
            "space and time, its heat map, repeat victimisation per area and the near-repeat "
            "risk areas. Writes them into --out-dir."
        ),
        epilog=(
            "Example: hotspots repeats sample:police-uk-burglary --crime-type burglary "
            "--window 2025-02 --out-dir burglary-repeats"
        ),
    )
    parser.add_argument(
        "inputs",
        nargs="+",
        metavar="INPUT",
        help=(
            "incidents: data.police.uk street-level CSV files, folders or zip archives, or "
            "CSV files with coordinate columns (--x/--y) and a date column (--time-column); "
            "'sample:police-uk-burglary' names the sample shipped with the package"
        ),
    )
    parser.add_argument(
        "--crime-type", dest="crime_types", action="append", metavar="TYPE",
        help="keep only this police.uk crime type (repeat the option for several)",
    )  # fmt: skip
    table = parser.add_argument_group("CSV tables with coordinates")
    table.add_argument("--x", metavar="COLUMN", help="column of longitude or easting")
    table.add_argument("--y", metavar="COLUMN", help="column of latitude or northing")
    table.add_argument(
        "--crs", default="EPSG:4326",
        help="coordinate system of --x/--y (default: EPSG:4326; EPSG:27700 for eastings)",
    )  # fmt: skip
    table.add_argument(
        "--time-column", metavar="COLUMN",
        help="column of dates (YYYY-MM-DD, counted in days); default 'month' for police.uk",
    )  # fmt: skip
    table.add_argument(
        "--location-column", metavar="COLUMN",
        help="column identifying the location (an address id); default the exact map point",
    )  # fmt: skip
    knox = parser.add_argument_group("Knox test")
    knox.add_argument(
        "--distance-bands", type=_numbers(float), default=DEFAULT_DISTANCES, metavar="M,M,...",
        help="upper edges of the distance bands in metres (default: 100,200,300,400,500)",
    )  # fmt: skip
    knox.add_argument(
        "--time-bands", type=_numbers(int), metavar="T,T,...",
        help="upper edges of the time bands, inclusive, in months for police.uk or days for "
        "dates (default: 0,1,2 months or 14,28,42,56,70 days)",
    )  # fmt: skip
    knox.add_argument(
        "--permutations", type=arguments.positive_int, default=999, metavar="N",
        help="random shuffles of the times (default: 999)",
    )  # fmt: skip
    knox.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, metavar="S",
        help=f"random seed: the same seed gives the same result (default: {DEFAULT_SEED})",
    )  # fmt: skip
    knox.add_argument(
        "--alpha", type=float, default=0.05, help="significance level (default: 0.05)"
    )
    knox.add_argument(
        "--correction", choices=("fdr", "by", "bonferroni", "none"), default="fdr",
        help="multiple-testing correction (default: fdr)",
    )  # fmt: skip
    rep = parser.add_argument_group("repeat locations")
    rep.add_argument(
        "--window", action="append", metavar="PERIOD",
        help="count repeats in this month or date (repeat for several); the incidents "
        "outside the window give each location's expected count",
    )  # fmt: skip
    rep.add_argument(
        "--level", choices=LEVELS, default="wards",
        help="shipped boundaries for the per-area summary (default: wards)",
    )  # fmt: skip
    parser.add_argument(
        "--out-dir", default=DEFAULT_OUT, metavar="DIR",
        help=f"folder for the outputs, created if needed (default: {DEFAULT_OUT}): "
        + ", ".join(OUTPUT_FILES.values()),
    )  # fmt: skip
    parser.set_defaults(run=run, parser=parser)


def run(args: argparse.Namespace) -> int:
    """Run ``hotspots repeats``; returns the exit status."""
    import boundaries
    from hotspots._files import write_text
    from hotspots.cli._inputs import POLICE_UK, TableColumns, input_kind, read_crime, resolve_path
    from hotspots.io import read_police_uk
    from hotspots.repeats import (
        near_repeat,
        near_repeat_figure,
        near_repeat_risk,
        repeat_areas,
        repeat_locations,
    )

    paths = [resolve_path(text) for text in args.inputs]
    kinds = {input_kind(path) for path in paths}
    if len(kinds) > 1:
        raise ValueError("all inputs must be of one kind (police.uk files, or CSV tables)")
    kind = kinds.pop()
    columns = TableColumns(x=args.x, y=args.y, crs=args.crs)
    if kind == POLICE_UK:
        points = read_police_uk([str(p) for p in paths], crime_types=args.crime_types)
        time = args.time_column or "month"
    else:
        if args.time_column is None:
            raise ValueError("a CSV table needs --time-column (the column of dates)")
        points = read_crime(paths, kind, columns)
        if "geometry" not in points:
            raise ValueError("a CSV table needs --x and --y (the coordinate columns)")
        time = args.time_column
    months = kind == POLICE_UK and time == "month"
    time_bands = args.time_bands or (DEFAULT_MONTHS if months else DEFAULT_DAYS)
    correction = None if args.correction == "none" else args.correction
    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)

    def say(text: str) -> None:
        if not args.quiet:
            print(text, file=sys.stderr)

    say(f"{PROG_NAME}: Knox test on {len(points):,} events, {args.permutations} permutations")
    knox = near_repeat(
        points, time=time, distance_bands=list(args.distance_bands), time_bands=list(time_bands),
        permutations=args.permutations, seed=args.seed, alpha=args.alpha, correction=correction,
    )  # fmt: skip
    write_text(out / OUTPUT_FILES["knox"], knox.to_csv(index=False))
    near_repeat_figure(knox, out / OUTPUT_FILES["figure"])
    window = args.window
    if window is not None and len(window) == 1:
        window = window[0]
    places = repeat_locations(
        points, location=args.location_column, time=time, window=window,
        alpha=args.alpha, correction=correction,
    )  # fmt: skip
    write_text(
        out / OUTPUT_FILES["locations"],
        places.assign(x=places.geometry.x, y=places.geometry.y)
        .drop(columns=places.geometry.name)
        .to_csv(index=False),
    )
    areas = repeat_areas(
        points, boundaries.load(args.level), location=args.location_column, time=time,
        window=window, alpha=args.alpha, correction=correction,
    )  # fmt: skip
    _write_layer(areas, out / OUTPUT_FILES["areas"], "repeat_areas")
    risk = near_repeat_risk(points, knox, time=time)
    _write_layer(risk, out / OUTPUT_FILES["risk"], "near_repeat_risk")

    print(_knox_text(knox))
    info = places.attrs["hotspots"]
    if info["model"] == "none":
        verdict = "no expected counts (give --window to compare each location with itself)"
    else:
        flagged = int((places["label"] == REPEAT_MORE).sum())
        verdict = f"{flagged} locations with more repeats than expected ({info['model']})"
    print(
        f"\nRepeat locations: {info['incidents']:,} incidents at {info['locations']:,} "
        f"locations; {info['repeat_share']:.1%} of incidents are repeats; {verdict}."
    )
    print(f"Near-repeat risk areas: {len(risk)} zones.")
    print(f"Written to {out}/: " + ", ".join(OUTPUT_FILES.values()))
    report = points.attrs.get("report")
    if report is not None:
        say("\nLoad report\n  read " + str(report).replace("\n", "\n  "))
    return 0


def _knox_text(knox: pd.DataFrame) -> str:
    shown = knox.assign(
        ratio=knox["ratio"].round(2),
        expected=knox["expected"].round(1),
        p=knox["p"].round(3),
        mark=(knox["label"] == KNOX_MORE).map({True: "*", False: ""}),
    )
    columns = ["distance_band", "time_band", "observed", "expected", "ratio", "p", "mark"]
    return shown[columns].to_string(index=False)


def _write_layer(frame: gpd.GeoDataFrame, path: Path, layer: str) -> None:
    """A GeoPackage layer, written to a temporary file first and moved into place."""
    import pandas as pd

    temp = path.with_name(f".{path.name}.tmp.gpkg")
    table = frame.copy()
    for column in table.columns:
        if column == table.geometry.name:
            continue
        values = table[column]
        if values.dtype == object or isinstance(
            values.dtype, (pd.CategoricalDtype, pd.PeriodDtype)
        ):
            table[column] = [None if v is None or v != v else str(v) for v in values]
    try:
        table.to_file(temp, driver="GPKG", layer=layer)
        temp.replace(path)
    finally:
        temp.unlink(missing_ok=True)


def _numbers(kind: Callable[[str], _Number]) -> Callable[[str], tuple[_Number, ...]]:
    def parse(text: str) -> tuple[_Number, ...]:
        try:
            return tuple(kind(part) for part in text.split(",") if part.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a list of numbers: {text!r}") from None

    return parse
