"""Helpers shared by several test files (not tests themselves)."""

from __future__ import annotations

import contextlib
import io

from hotspots.cli import _main as cli

# a police.uk street-level header and one good row, for minimal hand-made files
HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,"
    "LSOA name,Crime type,Last outcome category,Context\n"
)
GOOD = (
    "abc,2024-12,Metropolitan Police Service,Metropolitan Police Service,-0.1276,51.5072,"
    "On or near X,E01004736,Westminster 018A,Burglary,Under investigation,\n"
)


def run(argv: list[str]) -> tuple[int, str, str]:
    """``hotspots`` ``main(argv)`` in-process: exit status, standard output, standard error."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = cli.main(argv)
        except SystemExit as exit_:  # argparse: --help, --version, usage errors
            status = exit_.code
    return status, out.getvalue(), err.getvalue()
