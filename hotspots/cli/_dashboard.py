"""``hotspots dashboard``: several crime types, borough and ward level, on one offline page."""

from __future__ import annotations

import argparse
import sys

from hotspots.cli import _arguments as arguments

DEFAULT_OUT = "dashboard.html"
LEVELS = ("boroughs", "wards", "lsoa")
DEFAULT_SEED = 2025


def add_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """Add the ``dashboard`` subcommand to ``commands``."""

    parser = commands.add_parser(
        "dashboard",
        parents=[common],
        help="one offline HTML dashboard for several crime types, by borough and ward",
        description=(
            "Write one self-contained HTML page (it opens offline in any browser, on a phone "
            "too, and prints) with a crime-type selector, a level selector, a map, for each "
            "area a monthly chart against its borough and London, the latest 12 months against "
            "the same 12 a year earlier with the interval and the verdict relative to London's "
            "trend, the hot-spot state and emerging pattern (and repeat victimisation for "
            "police.uk points), headline tiles, the at-risk list with how well last year's hot "
            "spots held, and a 'how to read this' panel. "
            "Default crime types: the weapon-enabled crime in the data (possession of weapons, "
            "robbery, violence with injury, and any knife, gun or firearm category)."
        ),
        epilog=(
            "Examples: hotspots dashboard sample:mps-ward-crime --out dashboard.html; "
            "hotspots dashboard ward-table.csv --crime-type burglary --crime-type robbery "
            "--title 'Burglary and robbery'"
        ),
    )
    parser.add_argument(
        "inputs",
        nargs="+",
        metavar="INPUT",
        help=(
            "Met (London Datastore) ward or borough tables, or data.police.uk street-level CSV "
            "files, folders or zip archives, all of one kind; 'sample:mps-ward-crime' and "
            "'sample:police-uk-burglary' name the samples shipped with the package"
        ),
    )
    parser.add_argument(
        "--crime-type",
        dest="crime_types",
        action="append",
        metavar="NAME",
        help=(
            "a crime type of the page, as named in the data (repeat for several; case and "
            "spacing do not matter). Default: the weapon-enabled categories in the data"
        ),
    )
    parser.add_argument(
        "--level",
        dest="levels",
        action="append",
        choices=LEVELS,
        help=(
            "an area level of the page (repeat for several). Default: boroughs and the level "
            "of a Met table; boroughs and wards for police.uk points"
        ),
    )
    parser.add_argument("--title", help="page title (default: from the crime types)")
    parser.add_argument(
        "--out",
        metavar="FILE.html",
        default=DEFAULT_OUT,
        type=arguments.suffix_path((".html", ".htm")),
        help=f"where to write the page (default: {DEFAULT_OUT})",
    )
    parser.add_argument(
        "--permutations",
        type=arguments.permutations,
        default="adaptive",
        metavar="N|adaptive",
        help="conditional permutations behind the hot-spot states and emerging patterns: "
        "'adaptive' (default: as many as each area needs for the correction) or a number",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=DEFAULT_SEED,
        metavar="S",
        help=f"random seed: the same seed gives the same page (default: {DEFAULT_SEED})",
    )
    parser.add_argument(
        "--alpha",
        type=arguments.probability,
        default=0.05,
        help="significance level (default: 0.05)",
    )
    parser.add_argument(
        "--correction",
        choices=("fdr", "by", "bonferroni", "none"),
        default="fdr",
        help="multiple-testing correction across areas (default: fdr)",
    )
    parser.set_defaults(run=run, parser=parser)


def run(args: argparse.Namespace) -> int:
    """Read the inputs, compute the figures and write the page."""
    import hotspots
    from hotspots.cli._inputs import TableColumns, input_kind, read_crime, resolve_path
    from hotspots.cli._progress import Progress

    arguments.check_writable(args.out)
    progress = Progress(enabled=not args.quiet)
    paths = [resolve_path(text) for text in args.inputs]
    kinds = {input_kind(path) for path in paths}
    if len(kinds) > 1 or kinds == {"table"}:
        raise hotspots.InputError(
            "the dashboard reads Met ward or borough tables or police.uk files, all of one kind",
            value=", ".join(args.inputs),
        )
    with progress.step("reading the crime data"):
        crime = read_crime(paths, kinds.pop(), TableColumns())
    with progress.step("computing the figures and writing the page"):
        hotspots.dashboard_page(
            crime,
            args.crime_types,
            title=args.title,
            out=args.out,
            levels=args.levels,
            permutations=args.permutations,
            seed=args.seed,
            alpha=args.alpha,
            correction=None if args.correction == "none" else args.correction,
        )
    print(f"Wrote {args.out}: open it in any browser (it works offline).", file=sys.stdout)
    return 0
