"""The Knox table as a heat map, like the Near Repeat Calculator's, in plain SVG (private)."""

from __future__ import annotations

import math
import os
from html import escape
from pathlib import Path

import numpy as np
import pandas as pd

from hotspots._files import write_text
from hotspots._vocabulary import KNOX_MORE
from hotspots.repeats._knox import check_table

_CELL_W, _CELL_H = 96, 34
_LEFT, _TOP = 130, 92
_FONT = "font-family='Helvetica, Arial, sans-serif'"


def near_repeat_figure(knox: pd.DataFrame, path: str | os.PathLike[str] | None = None) -> str:
    """A heat map of the Knox ratios: distance bands down, time bands across.

    Cells are shaded by the Knox ratio (blue below 1, white at 1, red above,
    full colour at 0.5 and 2); the ratio is printed in each cell, in bold with
    a star where the cell is labelled "More pairs than expected".

    Parameters
    ----------
    knox : pandas.DataFrame
        The table from :func:`near_repeat`.
    path : str or path, optional
        Where to write the SVG (written atomically); default only return it.

    Returns
    -------
    str
        The SVG document.

    Examples
    --------
    >>> import hotspots
    >>> points = hotspots.read_police_uk(hotspots.sample_path("police-uk-burglary"),
    ...                                  crime_types="burglary")
    >>> knox = hotspots.near_repeat(points, time="month", distance_bands=[100, 200],
    ...                             time_bands=[0, 1], permutations=99, seed=1)
    >>> svg = hotspots.near_repeat_figure(knox)
    >>> svg.startswith("<svg"), svg.count("<rect") >= 12
    (True, True)
    """
    knox = check_table(knox)
    rows = list(knox["distance_band"].cat.categories)
    columns = list(knox["time_band"].cat.categories)
    width = _LEFT + _CELL_W * len(columns) + 20
    height = _TOP + _CELL_H * len(rows) + 60
    info = knox.attrs.get("hotspots", {})
    title = "Knox ratios: observed / expected pairs of events"
    subtitle = (
        f"{info.get('events', '?')} events, {info.get('permutations', '?')} permutations, "
        f"seed {info.get('seed', '?')}; * = more pairs than expected "
        f"(p adjusted ({info.get('correction')}) <= {info.get('alpha', '?')})"
    )
    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
        f"viewBox='0 0 {width} {height}' {_FONT} font-size='12'>",
        f"<rect x='0' y='0' width='{width}' height='{height}' fill='white'/>",
        f"<text x='10' y='22' font-size='15' font-weight='bold'>{escape(title)}</text>",
        f"<text x='10' y='42' font-size='11' fill='#444'>{escape(subtitle)}</text>",
        f"<text x='{_LEFT + _CELL_W * len(columns) / 2}' y='{_TOP - 28}' "
        f"text-anchor='middle' fill='#444'>time apart</text>",
    ]
    for j, name in enumerate(columns):
        x = _LEFT + _CELL_W * j + _CELL_W / 2
        parts.append(
            f"<text x='{x}' y='{_TOP - 8}' text-anchor='middle' font-size='11'>"
            f"{escape(str(name))}</text>"
        )
    cells = knox.set_index(["distance_band", "time_band"])
    for i, row in enumerate(rows):
        y = _TOP + _CELL_H * i
        parts.append(
            f"<text x='{_LEFT - 8}' y='{y + _CELL_H / 2 + 4}' text-anchor='end' "
            f"font-size='11'>{escape(str(row))}</text>"
        )
        for j, column in enumerate(columns):
            cell = cells.loc[(row, column)]
            ratio = float(cell["ratio"])
            hit = cell["label"] == KNOX_MORE
            x = _LEFT + _CELL_W * j
            text = "n/a" if math.isnan(ratio) else f"{ratio:.2f}" + ("*" if hit else "")
            weight = "bold" if hit else "normal"
            parts.append(
                f"<rect x='{x}' y='{y}' width='{_CELL_W}' height='{_CELL_H}' "
                f"fill='{_colour(ratio)}' stroke='#999' stroke-width='0.5'>"
                f"<title>{escape(str(row))}, {escape(str(column))}: observed "
                f"{int(cell['observed'])}, expected {float(cell['expected']):.1f}, "
                f"p {float(cell['p']):.3g}</title></rect>"
            )
            parts.append(
                f"<text x='{x + _CELL_W / 2}' y='{y + _CELL_H / 2 + 4}' text-anchor='middle' "
                f"font-weight='{weight}'>{text}</text>"
            )
    foot = _TOP + _CELL_H * len(rows) + 24
    parts.append(
        f"<text x='10' y='{foot}' font-size='11' fill='#444'>distance apart (rows); "
        "blue: fewer pairs than chance, red: more</text>"
    )
    parts.append("</svg>")
    svg = "\n".join(parts) + "\n"
    if path is not None:
        write_text(Path(path), svg)
    return svg


def _colour(ratio: float) -> str:
    """White at 1, red at 2 or more, blue at 0.5 or less (log scale)."""
    if math.isnan(ratio) or ratio <= 0:
        return "#eeeeee"
    s = float(np.clip(math.log2(ratio), -1.0, 1.0))
    target = (203, 24, 29) if s > 0 else (33, 102, 172)
    mix = [round(255 + (c - 255) * abs(s)) for c in target]
    return "#{:02x}{:02x}{:02x}".format(*mix)
