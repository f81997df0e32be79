"""The ``hotspots`` command line: parser, input readers, the analysis pipeline and outputs.

The console script ``hotspots`` calls :func:`main`; :func:`build_parser` is the
parser the CLI reference in the docs is generated from.
"""

from hotspots.cli._main import build_parser, main

__all__ = ["build_parser", "main"]
