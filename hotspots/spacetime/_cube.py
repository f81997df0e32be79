"""The space-time cube: one row per area, one column per period, counts in the cells.

A cube is a plain :class:`pandas.DataFrame`, validated: its index holds the
area codes, its columns are a complete, ordered :class:`pandas.PeriodIndex`
(months, quarters or years) with no gaps, and its cells are float counts:
0 where the source covers the area and recorded nothing, NaN where the source
does not cover the area (the City of London in Met data) or has no data for
that period. :func:`hotspots.aggregate_monthly` already returns
this shape; :func:`space_time_cube` checks it and can add up months into
quarters or years.
"""

from __future__ import annotations

import warnings
from typing import Literal

import numpy as np
import pandas as pd

from hotspots._errors import HotspotsWarning, InputError

__all__ = ["space_time_cube"]

# frequency code -> (pandas period frequency, name of the columns' index)
_FREQS: dict[str, tuple[str, str]] = {
    "M": ("M", "month"),
    "Q": ("Q-DEC", "quarter"),
    "Y": ("Y-DEC", "year"),
}
_ORDER = {"M": 0, "Q": 1, "Y": 2}


def space_time_cube(
    counts: pd.DataFrame, *, freq: Literal["M", "Q", "Y"] | None = None
) -> pd.DataFrame:
    """Check a table of counts per area and period, and add up months into quarters or years.

    Parameters
    ----------
    counts : pandas.DataFrame
        One row per area (index: area codes, unique), one column per period,
        as returned by ``hotspots.aggregate_monthly(data, areas)``.
        The columns must be a :class:`pandas.PeriodIndex` of months, quarters
        or years (or labels such as ``"2024-01"`` that parse as such). Cells
        are counts: 0 for a real zero, NaN where the area has no data.
    freq : {"M", "Q", "Y"}, optional
        Period length of the result: months, quarters (calendar) or years.
        Coarser periods are sums of the finer ones. A sum over months where
        any month is NaN is NaN (an undercount is not a count). Quarters or
        years only partly inside the data (at either end) are dropped, with a
        :class:`~hotspots.HotspotsWarning` naming them. Default: keep the
        periods of ``counts``.

    Returns
    -------
    pandas.DataFrame
        A copy, float cells, columns a gap-free ``PeriodIndex`` in time order
        named ``"month"``, ``"quarter"`` or ``"year"``. ``attrs["hotspots"]``
        keeps the input's provenance and adds ``freq`` and ``periods``.

    Raises
    ------
    hotspots.InputError
        If the area codes repeat, a period repeats, periods are missing from
        the sequence (the message names them), a cell is not a number or is
        negative or infinite, or ``freq`` is finer than the data.

    Notes
    -----
    Missing periods are an error rather than filled in: a month missing from
    a download is not a month without crime. If the gap is real and should
    count as no data, say so explicitly, e.g.
    ``counts.reindex(columns=pd.period_range(first, last, freq="M", name="month"))``
    (NaN cells), and pass that.

    Examples
    --------
    >>> import pandas as pd
    >>> from hotspots import space_time_cube
    >>> months = pd.period_range("2024-01", "2024-06", freq="M", name="month")
    >>> counts = pd.DataFrame([[1, 0, 2, 3, 1, 0], [4, 4, 5, 6, 2, 1]],
    ...                       index=pd.Index(["E05000001", "E05000002"], name="code"),
    ...                       columns=months)
    >>> quarters = space_time_cube(counts, freq="Q")
    >>> list(quarters.columns.astype(str)), quarters.to_numpy().tolist()
    (['2024Q1', '2024Q2'], [[3.0, 4.0], [13.0, 9.0]])
    """
    cube = _validated(counts)
    if freq is not None:
        cube = _resample(cube, freq)
    provenance = dict(counts.attrs.get("hotspots", {}))
    periods = cube.columns
    provenance["freq"] = periods.name
    provenance["periods"] = f"{periods[0]} to {periods[-1]}" if len(periods) else ""
    cube.attrs = {"hotspots": provenance}
    return cube


def cube_for_areas(cube: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """The checked cube with its rows in the order of ``areas``.

    Areas without a row get NaN (no data); a code in the cube that is not
    among the areas is an :class:`InputError`.
    """
    cube = space_time_cube(cube)
    unknown = cube.index.difference(areas.index)
    if len(unknown):
        raise InputError(
            f"{len(unknown)} code(s) in the cube are not among the areas",
            value=", ".join(map(str, unknown[:5])),
        )
    aligned = cube.reindex(areas.index)
    aligned.attrs = cube.attrs
    return aligned


def _validated(counts: pd.DataFrame) -> pd.DataFrame:
    """A float copy of ``counts`` with checked codes, periods and cells."""
    if not isinstance(counts, pd.DataFrame):
        raise InputError(
            "expected a DataFrame of counts, one row per area and one column per period",
            value=type(counts).__name__,
        )
    if counts.shape[0] == 0 or counts.shape[1] == 0:
        raise InputError("the table of counts is empty", value=counts.shape)
    duplicated = counts.index[counts.index.duplicated()]
    if len(duplicated):
        raise InputError("area codes must be unique", value=str(duplicated[0]))
    periods = _period_index(counts.columns)
    try:
        values = counts.to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError):
        bad = next(c for c in counts.columns if not pd.api.types.is_numeric_dtype(counts[c]))
        raise InputError("counts must be numbers", column=str(bad)) from None
    bad_cells = np.isinf(values) | (values < 0)
    if bad_cells.any():
        row, col = np.argwhere(bad_cells)[0]
        raise InputError(
            "counts must be zero or more and finite (NaN for no data)",
            column=str(periods[col]),
            value=f"{counts.index[row]}: {values[row, col]}",
        )
    order = np.argsort(periods.asi8, kind="stable")
    periods = periods[order]
    _check_sequence(periods)
    index = counts.index.copy()
    if index.name is None:
        index.name = "code"
    return pd.DataFrame(values[:, order], index=index, columns=periods)


def _period_index(columns: pd.Index) -> pd.PeriodIndex:
    """The columns as a named PeriodIndex of months, quarters or years."""
    if isinstance(columns, pd.PeriodIndex):
        periods = columns
    else:
        try:
            periods = pd.PeriodIndex([pd.Period(str(label)) for label in columns])
        except (ValueError, TypeError):
            raise InputError(
                "columns must be periods (months, quarters or years), e.g. '2024-01'",
                value=str(columns[0]),
            ) from None
    code = next(
        (c for c, (pandas_freq, _) in _FREQS.items() if periods.freqstr == pandas_freq), None
    )
    if code is None:
        raise InputError("periods must be months, quarters or years", value=periods.freqstr)
    return pd.PeriodIndex(periods, name=_FREQS[code][1])


def _check_sequence(periods: pd.PeriodIndex) -> None:
    """Raise if a period repeats or is missing between the first and the last."""
    repeated = periods[periods.duplicated()]
    if len(repeated):
        raise InputError("each period must appear once", column=str(repeated[0]))
    expected = pd.period_range(periods[0], periods[-1], freq=periods.freq)
    missing = expected.difference(periods)
    if len(missing):
        shown = ", ".join(str(p) for p in missing[:12])
        more = f" and {len(missing) - 12} more" if len(missing) > 12 else ""
        raise InputError(
            f"periods missing from the sequence {periods[0]} to {periods[-1]}: {shown}{more}. "
            "If they are truly without data, add them as NaN columns (see space_time_cube Notes)"
        )


def _resample(cube: pd.DataFrame, freq: str) -> pd.DataFrame:
    """Sum finer periods into ``freq`` periods; NaN if any part is NaN; drop partial ends."""
    if freq not in _FREQS:
        raise InputError("freq must be 'M', 'Q' or 'Y'", column="freq", value=freq)
    current = next(c for c, (_, name) in _FREQS.items() if name == cube.columns.name)
    if _ORDER[freq] < _ORDER[current]:
        raise InputError(
            f"cannot split {cube.columns.name}s into shorter periods", column="freq", value=freq
        )
    if freq == current:
        return cube
    pandas_freq, name = _FREQS[freq]
    target = cube.columns.asfreq(pandas_freq)
    sums = cube.T.groupby(target).sum(skipna=False).T
    parts = pd.Series(1, index=target).groupby(level=0).size()
    full = pd.Series(
        [len(pd.period_range(p.asfreq(current, "s"), p.asfreq(current, "e"))) for p in parts.index],
        index=parts.index,
    )
    partial = parts.index[parts.to_numpy() < full.to_numpy()]
    if len(partial):
        warnings.warn(
            f"dropped {name}s only partly covered by the data: "
            + ", ".join(str(p) for p in partial),
            HotspotsWarning,
            stacklevel=3,
        )
    sums = sums.loc[:, ~sums.columns.isin(partial)]
    if sums.shape[1] == 0:
        raise InputError(f"the data cover no complete {name}", column="freq", value=freq)
    sums.columns = pd.PeriodIndex(sums.columns, name=name)
    return sums
