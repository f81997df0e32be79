"""The ``hotspots`` command: the whole analysis from a terminal.

``hotspots demo`` runs it on data shipped with the package, ``hotspots analyse``
on the user's files, ``hotspots layers`` lists the shipped boundaries. Heavy
libraries are imported only when a command runs, so ``hotspots --help`` and
``hotspots --version`` answer at once.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO

from hotspots import _vocabulary as vocabulary
from hotspots._errors import InputError
from hotspots._files import write_together
from hotspots._version import __version__
from hotspots.cli import _arguments as arguments
from hotspots.cli import _dashboard, _repeats
from hotspots.cli._period import SYNTAX as PERIOD_SYNTAX
from hotspots.cli._period import PeriodChoice

if TYPE_CHECKING:
    from hotspots.cli._pipeline import Analysis

PROG = "hotspots"
# boundaries.layers() lists the same names; kept here so that parsing imports nothing heavy
LEVELS = ("boroughs", "wards", "wards-2018", "lsoa", "lsoa-2011", "msoa")
STATISTICS = ("moran", "lisa", "gistar", "emerging", "change")
DEFAULT_STATISTICS = ("moran", "lisa", "gistar")
WEIGHTS = ("queen", "rook", "knn", "distance")
CORRECTIONS = tuple(c or "none" for c in vocabulary.CORRECTIONS)
TABLE_FORMATS = {".csv": "CSV", ".gpkg": "GeoPackage", ".parquet": "GeoParquet"}
DEFAULT_SEED = 2025
DEMO_OUT = "london-weapons.html"
EXIT_USER_ERROR = 2
EXIT_BUG = 1


def build_parser() -> argparse.ArgumentParser:
    """The ``hotspots`` argument parser, with every option's help text.

    Returns
    -------
    argparse.ArgumentParser
        Subcommands ``demo``, ``analyse`` and ``layers``; the docs render the
        command-line reference from it.

    Examples
    --------
    >>> parser = build_parser()
    >>> args = parser.parse_args(["demo", "--permutations", "99"])
    >>> args.command, args.permutations, args.out
    ('demo', 99, 'london-weapons.html')
    """
    # typed as its base class: the subcommands' parsers are _Parser too (add_subparsers
    # makes them of the parser's own class), and the modules adding them take any parser
    parser: argparse.ArgumentParser = _Parser(
        prog=PROG,
        description=(
            "Find where crime clusters in London, and whether the clustering is real. "
            "Start with 'hotspots demo'."
        ),
        epilog="Run 'hotspots COMMAND --help' for the options of a command.",
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s (london-hotspots) {__version__}"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    common = _Parser(add_help=False)
    common.add_argument(
        "--quiet",
        action="store_true",
        help="no progress lines and no load report on standard error (errors and warnings "
        "still show)",
    )
    common.add_argument(
        "--debug",
        action="store_true",
        help="on any error, show the full Python traceback instead of a one-line message",
    )
    _add_demo(commands, common)
    _add_analyse(commands, common)
    _add_layers(commands, common)
    _repeats.add_parser(commands, common)
    _dashboard.add_parser(commands, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``hotspots`` command.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments after the program name; default ``sys.argv[1:]``.

    Returns
    -------
    int
        The exit status: 0 on success, 2 for a usage or input mistake (one line
        on standard error, no traceback), 1 for an unexpected error (a bug).

    Examples
    --------
    >>> main(["layers"])  # doctest: +ELLIPSIS
    layer       areas  vintage
    boroughs       33  December 2022
    ...
    0
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    _check_options(args)
    try:
        with _library_messages():
            return args.run(args)
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except MemoryError:
        print(
            f"{PROG}: error: not enough memory for this input (is it the file you meant?)",
            file=sys.stderr,
        )
        return EXIT_USER_ERROR
    except Exception as error:
        if args.debug:
            raise
        if isinstance(error, (ValueError, OSError)):  # InputError is a ValueError
            print(f"{PROG}: error: {_one_line(error)}", file=sys.stderr)
            reports = getattr(error, "reports", ())
            if reports and not getattr(args, "quiet", False):
                lines = ["", "Load report (up to the error)"]
                lines += [f"  {_indented(report)}" for report in reports]
                print("\n".join(lines), file=sys.stderr)
            return EXIT_USER_ERROR
        print(
            f"{PROG}: internal error: {type(error).__name__}: {_one_line(error)} "
            "(this is a bug: run again with --debug for the traceback and please report it)",
            file=sys.stderr,
        )
        return EXIT_BUG


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line, pointing to ``--help``."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USER_ERROR, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


# ------------------------------------------------------------------ subcommands


def _add_demo(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    demo = commands.add_parser(
        "demo",
        parents=[common],
        help="the full analysis on real data shipped with the package",
        description=(
            "Possession of weapons offences by London ward over the latest 12 months of the "
            "Metropolitan Police ward table shipped with the package (real data, Open "
            "Government Licence): queen contiguity weights, global Moran's I, local Moran "
            "(LISA) and Getis-Ord Gi* with false-discovery-rate correction, on the rate per "
            "1,000 residents. Writes one HTML map with a layer per result and prints a "
            "summary: Moran's I with its p-value and the ten wards most at risk. The City of "
            "London is not policed by the Met: it shows as no data."
        ),
    )
    demo.add_argument(
        "--out",
        metavar="FILE",
        default=DEMO_OUT,
        help=f"where to write the HTML map (default: {DEMO_OUT})",
    )
    _add_inference(demo)
    demo.set_defaults(run=_run_demo, parser=demo)


def _add_analyse(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    analyse = commands.add_parser(
        "analyse",
        aliases=["analyze"],
        parents=[common],
        help="the analysis on your own crime data",
        description=(
            "Count crime per area, then test where it clusters: global Moran's I, local "
            "Moran (LISA), Getis-Ord Gi*, emerging hot spots and change between periods. "
            "Writes an HTML map, a table with one row per area and a JSON summary."
        ),
        epilog=(
            "Examples: hotspots analyse 2025-0*-metropolitan-street.csv --crime-type burglary "
            "--level lsoa --out-map burglary.html; hotspots analyse sample:mps-ward-crime "
            "--crime-type robbery --period last-12 --out-table robbery.csv"
        ),
    )
    analyse.add_argument(
        "inputs",
        nargs="+",
        metavar="INPUT",
        help=(
            "crime data, all of one kind: data.police.uk street-level CSV files, folders or "
            "zip archives (several forces and months are merged); Met (London Datastore) "
            "ward or borough tables; or CSV files with coordinate columns (--x/--y) or an "
            "area-code column (--code-column). 'sample:mps-ward-crime' and "
            "'sample:police-uk-burglary' name the samples shipped with the package"
        ),
    )

    where = analyse.add_argument_group("areas")
    where.add_argument(
        "--level",
        choices=LEVELS,
        help=(
            "shipped boundaries to count in (see 'hotspots layers'); default: the level of a "
            "Met table, else wards"
        ),
    )
    where.add_argument(
        "--areas",
        metavar="FILE",
        help="your own polygons instead (GeoPackage, shapefile, GeoJSON, ...); needs --id-column",
    )
    where.add_argument(
        "--id-column", metavar="COL", help="--areas: the column of unique area codes"
    )
    where.add_argument(
        "--name-column", metavar="COL", help="--areas: the column of area names (default: the id)"
    )
    where.add_argument(
        "--population-column",
        metavar="COL",
        help="--areas: the column of residents, for rates per 1,000 residents",
    )
    where.add_argument(
        "--ages",
        type=arguments.ages,
        metavar="FIRST-LAST",
        help="rates per 1,000 residents of these ages (Census 2021 bands of a shipped layer, "
        "e.g. 10-24 or 65+; the range must start and end on the bands' edges)",
    )
    where.add_argument(
        "--denominator",
        metavar="TEXT",
        help="with --population-column: what it counts, for labels (e.g. 'workday "
        "population'); default: residents",
    )

    what = analyse.add_argument_group("crime data")
    what.add_argument(
        "--crime-type",
        dest="crime_types",
        action="append",
        metavar="NAME",
        help=(
            "keep only this crime type (repeat for several): a police.uk crime type such as "
            "'Possession of weapons', or a Met major or minor category such as 'Robbery'; "
            "case and spacing do not matter. Default: all crime"
        ),
    )
    what.add_argument(
        "--period",
        type=_period,
        default=PeriodChoice(),
        metavar="SPEC",
        help=(
            f"months to analyse: {PERIOD_SYNTAX}, both ends included (default: all). "
            "Emerging hot spots use every month of the period; change compares the period "
            "(default: the latest 12 months) with the same months a year earlier"
        ),
    )
    what.add_argument("--x", metavar="COL", help="CSV input: the x (longitude or easting) column")
    what.add_argument("--y", metavar="COL", help="CSV input: the y (latitude or northing) column")
    what.add_argument(
        "--crs",
        default="EPSG:4326",
        help="CSV input: the coordinates' reference system (default: EPSG:4326, longitude and "
        "latitude; EPSG:27700 for British National Grid)",
    )
    what.add_argument(
        "--code-column",
        metavar="COL",
        help="CSV input: the column of area codes (as in --level or --areas), one incident per "
        "row unless --count-column is given",
    )
    what.add_argument(
        "--count-column",
        metavar="COL",
        help="CSV input with --code-column: the column of counts (areas not listed have no data)",
    )
    what.add_argument(
        "--month-column",
        metavar="COL",
        help="CSV input: the column of months (YYYY-MM), needed for --period, emerging and change",
    )
    what.add_argument(
        "--workers",
        type=arguments.positive_int,
        default=1,
        metavar="N",
        help="police.uk input: local processes counting the files per area and month in "
        "parallel, one file each at a time (default: 1); with a progress bar on a terminal. "
        "police.uk files are always streamed: the incidents are never held in memory",
    )

    how = analyse.add_argument_group("statistics")
    how.add_argument(
        "--stat",
        dest="statistics",
        type=_statistics,
        action="append",
        metavar="NAME",
        help=(
            "statistics to run, comma-separated or repeated: moran (global Moran's I), lisa "
            "(local Moran), gistar (Getis-Ord Gi*), emerging (emerging hot spots over the "
            "months), change (the period against the same months a year earlier, per area, "
            "borough and London), or all (which skips change, with a note, when the data "
            "lack the year before). "
            "Default: moran,lisa,gistar"
        ),
    )
    how.add_argument(
        "--change-test",
        choices=("trend", "exact", "e-test"),
        default="trend",
        help="test of change: relative to the London-wide trend allowing for overdispersion "
        "estimated from the data (trend, default), or the pure-Poisson exact test or E-test "
        "of no change (they call most real changes significant)",
    )
    how.add_argument(
        "--change-dispersion",
        choices=("areas", "history"),
        default="areas",
        help="--change-test trend: estimate the overdispersion across the areas (default) or "
        "also from the same comparison in earlier years of the data (history)",
    )
    how.add_argument(
        "--column",
        choices=("rate", "count"),
        help="what to analyse: rate per 1,000 residents (default when the population is known) "
        "or count. Emerging hot spots and change always use counts",
    )
    how.add_argument(
        "--weights",
        choices=WEIGHTS,
        default="queen",
        help="who is whose neighbour: areas touching at a point (queen, default) or along an "
        "edge (rook), the k nearest (knn, needs --k) or all within a distance (distance, "
        "needs --threshold)",
    )
    how.add_argument(
        "--k", type=arguments.positive_int, metavar="N", help="--weights knn: neighbours"
    )
    how.add_argument(
        "--threshold",
        type=arguments.positive_float,
        metavar="METRES",
        help="--weights distance: the distance band between area centroids, in metres",
    )
    how.add_argument(
        "--islands",
        choices=("keep", "nearest"),
        default="keep",
        help="areas left with no neighbours: keep them, labelled 'No neighbours' (default), "
        "or link each to its nearest area. Either way they are named in a warning",
    )
    how.add_argument(
        "--rank-pseudo-areas",
        action="store_true",
        help="rank areas whose count includes the Met's airport-security records (Heathrow "
        "Villages) among the top at-risk areas; by default they are named but not ranked",
    )
    _add_inference(how)
    how.add_argument(
        "--rank-by",
        choices=tuple(vocabulary.RANK_MEASURES),
        default="gi",
        help="what the top at-risk list ranks: gi (hot neighbourhood: the Gi* z of the area "
        "with its neighbours, significant hot spots only; default), count (own count), rate "
        "(per 1,000 residents a year) or eb_rate (Empirical Bayes rate a year)",
    )
    how.add_argument(
        "--min-count",
        type=arguments.non_negative_float,
        default=vocabulary.MIN_OWN_COUNT,
        metavar="N",
        help="leave areas with fewer than N incidents of their own out of the top list "
        f"(default: {vocabulary.MIN_OWN_COUNT}; 0 lists every area)",
    )
    how.add_argument(
        "--evaluate",
        action="store_true",
        help="judge hot-spot methods (top 5%% by count, rate, EB rate, Gi*, LISA High-High, "
        "emerging, last 3 months) chosen on the first half of the period by the crime of "
        "the second half: hit rate, PAI, PEI, PEI*, RRI (needs months)",
    )
    how.add_argument(
        "--alpha",
        type=arguments.probability,
        default=0.05,
        help="significance level (default: 0.05)",
    )
    how.add_argument(
        "--correction",
        choices=CORRECTIONS,
        default="fdr",
        help="multiple-testing correction across areas: fdr (Benjamini-Hochberg false "
        "discovery rate, default), by (Benjamini-Yekutieli, valid under any dependence "
        "between neighbouring areas), bonferroni or none",
    )

    out = analyse.add_argument_group("outputs")
    out.add_argument(
        "--out-map",
        metavar="FILE.html",
        type=arguments.suffix_path((".html", ".htm")),
        help="write one HTML map with a layer per result (opens offline in any browser)",
    )
    out.add_argument(
        "--out-table",
        metavar="FILE",
        type=arguments.suffix_path(tuple(TABLE_FORMATS)),
        help="write one row per area with every result column: CSV (no geometry), GeoPackage "
        "(.gpkg) or GeoParquet (.parquet), by extension",
    )
    out.add_argument(
        "--out-evaluation",
        metavar="FILE.csv",
        type=arguments.suffix_path((".csv",)),
        help="with --evaluate: write the evaluation table (one row per method) as CSV",
    )
    out.add_argument(
        "--out-summary",
        metavar="FILE.json",
        type=arguments.suffix_path((".json",)),
        help="write the parameters, load report and results in brief as JSON",
    )
    analyse.set_defaults(run=_run_analyse, parser=analyse)


def _add_layers(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    layers = commands.add_parser(
        "layers",
        parents=[common],
        help="the boundary layers shipped with the package",
        description="List the boundary layers that ship with the package, for --level.",
    )
    layers.set_defaults(run=_run_layers, parser=layers)


def _add_inference(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    parser.add_argument(
        "--permutations",
        type=arguments.permutations,
        default="adaptive",
        metavar="N|adaptive",
        help="permutations per area for the pseudo p-values: 'adaptive' (default) draws as "
        "many as each area's decision needs (sequential Monte Carlo), a number fixes them "
        "(999 for esda/GeoDa parity); global Moran's I uses 999 when adaptive",
    )
    parser.add_argument(
        "--inference",
        choices=("permutation", "analytical"),
        default="permutation",
        help="which p-value decides LISA, Gi* and emerging hot spot labels: the permutation "
        "p-value (default) or the normal approximation (as ArcGIS)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=DEFAULT_SEED,
        metavar="S",
        help=f"random seed: the same seed gives the same result (default: {DEFAULT_SEED})",
    )


# ------------------------------------------------------------------ running


def _run_demo(args: argparse.Namespace) -> int:
    from hotspots.cli._outputs import demo_text, write_map
    from hotspots.cli._pipeline import AnalysisSpec, run_analysis
    from hotspots.cli._progress import Progress

    spec = AnalysisSpec(
        inputs=("sample:mps-ward-crime",),
        level="wards",
        crime_types=("Possession of Weapons",),
        period=PeriodChoice(latest=12),
        column="rate",
        statistics=DEFAULT_STATISTICS,
        weights="queen",
        permutations=args.permutations,
        inference=args.inference,
        seed=args.seed,
        alpha=0.05,
        correction="fdr",
    )
    arguments.check_writable(args.out)
    progress = Progress(enabled=not args.quiet)
    analysis = run_analysis(spec, progress)
    title = "Possession of weapons in London, by ward"
    with progress.step("drawing the map"):
        write_together([(args.out, lambda path: write_map(analysis, path, title=title))])
    print(demo_text(analysis, args.out))
    _print_reports(analysis, args.quiet)
    return 0


def _run_analyse(args: argparse.Namespace) -> int:
    from hotspots.cli._inputs import TableColumns
    from hotspots.cli._outputs import (
        analysis_text,
        write_evaluation,
        write_map,
        write_summary,
        write_table,
    )
    from hotspots.cli._pipeline import AnalysisSpec, run_analysis
    from hotspots.cli._progress import Progress

    outputs = {"map": args.out_map, "table": args.out_table, "summary": args.out_summary}
    if args.out_evaluation:
        outputs["evaluation"] = args.out_evaluation
    named = [path for path in outputs.values() if path is not None]
    if len({str(Path(p).resolve()) for p in named}) < len(named):
        raise InputError("two outputs have the same path")
    for path in named:
        arguments.check_writable(path)
    spec = AnalysisSpec(
        inputs=tuple(args.inputs),
        level=args.level,
        areas=args.areas,
        id_column=args.id_column,
        name_column=args.name_column,
        population_column=args.population_column,
        table=TableColumns(
            x=args.x,
            y=args.y,
            crs=args.crs,
            code=args.code_column,
            count=args.count_column,
            month=args.month_column,
        ),
        crime_types=tuple(args.crime_types or ()),
        period=args.period,
        column=args.column,
        statistics=_chosen_statistics(args.statistics),
        change_test=args.change_test,
        change_dispersion=args.change_dispersion,
        change_optional=any(group == STATISTICS for group in args.statistics or ()),
        weights=args.weights,
        k=args.k,
        threshold=args.threshold,
        islands=args.islands,
        rank_pseudo_areas=args.rank_pseudo_areas,
        permutations=args.permutations,
        inference=args.inference,
        seed=args.seed,
        alpha=args.alpha,
        correction=None if args.correction == "none" else args.correction,
        ages=args.ages,
        denominator=args.denominator,
        rank_by=args.rank_by,
        min_count=args.min_count,
        evaluate=args.evaluate,
        workers=args.workers,
    )
    progress = Progress(enabled=not args.quiet)
    analysis = run_analysis(spec, progress)
    writers = []
    if args.out_map:
        writers.append((args.out_map, lambda path: write_map(analysis, path)))
    if args.out_table:
        writers.append((args.out_table, lambda path: write_table(analysis, path)))
    if args.out_summary:
        writers.append((args.out_summary, lambda path: write_summary(analysis, path, outputs)))
    if args.out_evaluation:
        writers.append((args.out_evaluation, lambda path: write_evaluation(analysis, path)))
    if writers:
        with progress.step("writing " + ", ".join(Path(path).name for path, _ in writers)):
            write_together(writers)
    print(analysis_text(analysis, outputs))
    _print_reports(analysis, args.quiet)
    return 0


def _run_layers(args: argparse.Namespace) -> int:
    import boundaries

    table = boundaries.layers()
    width = max(len("layer"), table["layer"].str.len().max())
    print(f"{'layer':<{width}}  {'areas':>5}  vintage")
    for row in table.itertuples():
        print(f"{row.layer:<{width}}  {row.areas:>5}  {row.vintage}")
        print(f"{'':<{width}}         {row.description}")
    print("Use a layer with: hotspots analyse INPUT --level LAYER")
    return 0


def _print_reports(analysis: Analysis, quiet: bool) -> None:
    """The load report: where every input row went (standard error)."""
    if quiet:
        return
    lines = ["", "Load report"]
    lines += [f"  read {_indented(report)}" for report in analysis.read_reports]
    lines += [f"  {note}" for note in analysis.notes]
    lines.append(f"  counted per area: {_indented(analysis.count_report)}")
    print("\n".join(lines), file=sys.stderr)


def _indented(report: object) -> str:
    return str(report).replace("\n", "\n    ")


# ------------------------------------------------------------------ checks and types


def _check_options(args: argparse.Namespace) -> None:
    """Combinations of options argparse cannot check on its own (exits with status 2)."""
    if args.command not in ("analyse", "analyze"):
        return
    problems = []
    if args.crs != "EPSG:4326":
        import pyproj

        try:
            pyproj.CRS.from_user_input(args.crs)
        except pyproj.exceptions.CRSError:
            problems.append(f"--crs {args.crs}: not a known coordinate reference system")
    if args.areas and args.level:
        problems.append("give --level or --areas, not both")
    if args.areas and not args.id_column:
        problems.append("--areas needs --id-column (the column of unique area codes)")
    for option in ("id_column", "name_column", "population_column"):
        if getattr(args, option) and not args.areas:
            problems.append(f"--{option.replace('_', '-')} goes with --areas")
    if (args.x is None) != (args.y is None):
        problems.append("give both --x and --y")
    if args.x and args.code_column:
        problems.append("give --x/--y (coordinates) or --code-column (area codes), not both")
    if args.count_column and not args.code_column:
        problems.append("--count-column goes with --code-column")
    if args.weights == "knn" and args.k is None:
        problems.append("--weights knn needs --k")
    if args.weights == "distance" and args.threshold is None:
        problems.append("--weights distance needs --threshold")
    if args.k is not None and args.weights != "knn":
        problems.append("--k goes with --weights knn")
    if args.threshold is not None and args.weights != "distance":
        problems.append("--threshold goes with --weights distance")
    if args.change_dispersion != "areas" and args.change_test != "trend":
        problems.append("--change-dispersion goes with --change-test trend")
    if args.ages and args.population_column:
        problems.append("give --ages or --population-column, not both")
    if args.denominator and not args.population_column:
        problems.append("--denominator names what --population-column counts: give both")
    if args.out_evaluation and not args.evaluate:
        problems.append("--out-evaluation goes with --evaluate")
    if problems:
        args.parser.error("; ".join(problems))


def _chosen_statistics(chosen: list[tuple[str, ...]] | None) -> tuple[str, ...]:
    if not chosen:
        return DEFAULT_STATISTICS
    names = {name for group in chosen for name in group}
    return tuple(name for name in STATISTICS if name in names)


def _statistics(text: str) -> tuple[str, ...]:
    names = [name.strip().lower() for name in text.split(",") if name.strip()]
    if "all" in names:
        return STATISTICS
    unknown = [name for name in names if name not in STATISTICS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown statistic {', '.join(unknown) or text!r}; choose from "
            f"{', '.join(STATISTICS)} or all"
        )
    return tuple(names)


def _period(text: str) -> PeriodChoice:
    try:
        return PeriodChoice.parse(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _one_line(error: BaseException | str) -> str:
    return " ".join(str(error).split()) or type(error).__name__


@contextlib.contextmanager
def _library_messages() -> Iterator[None]:
    """Warnings as ``hotspots: warning: ...`` lines; the library's log of load reports muted.

    The command prints every load report itself at the end, so the copies the
    readers log as they go are not shown twice.
    """
    logger = logging.getLogger("hotspots")
    saved = logger.propagate, logger.handlers[:]
    logger.handlers[:] = [logging.NullHandler()]
    logger.propagate = False

    def show(
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: TextIO | None = None,
        line: str | None = None,
    ) -> None:
        kind = "" if category.__module__.startswith("hotspots") else f"{category.__name__}: "
        print(f"{PROG}: warning: {kind}{_one_line(message)}", file=sys.stderr)

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("default")
            warnings.showwarning = show
            yield
    finally:
        logger.propagate, logger.handlers[:] = saved[0], saved[1]
