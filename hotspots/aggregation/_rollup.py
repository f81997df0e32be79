"""Counts on fine areas summed up to coarser shipped areas through the shipped lookups."""

from __future__ import annotations

import numpy as np
import pandas as pd

import boundaries
from hotspots._errors import InputError

LONDON = "london"
LONDON_CODE = "E12000007"  # the ONS code of the London region
# target layer -> (source layer, column of the source layer holding the target code)
_PARENTS: dict[str, tuple[tuple[str, str], ...]] = {
    "msoa": (("lsoa", "msoa_code"),),
    "boroughs": (("wards", "borough_code"), ("lsoa", "borough_code"), ("msoa", "borough_code")),
}
TARGETS = ("msoa", "boroughs", LONDON)


def parent_codes(codes: pd.Index | pd.Series, to: str) -> pd.Series:
    """The code of the ``to`` area holding each of ``codes`` (missing when none does).

    Uses the shipped layers' own columns: wards and LSOAs/MSOAs name their
    borough, LSOAs their MSOA. A code already of the ``to`` layer maps to itself.
    """
    codes = pd.Index(codes).astype("str")
    if to == LONDON:
        known = set()
        for layer in ("wards", "lsoa", "msoa", "boroughs"):
            known |= set(boundaries.load(layer).index)
        inside = np.asarray(codes.isin(list(known)), dtype=bool)
        return pd.Series(LONDON_CODE, index=codes, dtype=object).where(inside, None)
    if to not in _PARENTS:
        raise InputError(f"can roll up to {', '.join(map(repr, TARGETS))} only", value=to)
    lookup = pd.Series(boundaries.load(to).index, index=boundaries.load(to).index)
    for layer, column in _PARENTS[to]:
        lookup = pd.concat([lookup, boundaries.load(layer)[column]])
    lookup = lookup[~lookup.index.duplicated()]
    return pd.Series(lookup.reindex(codes).to_numpy(), index=codes)


def roll_up(counts: pd.DataFrame | pd.Series, to: str) -> pd.DataFrame | pd.Series:
    """Sum per-area counts up to MSOAs, boroughs or London through the shipped lookups.

    Parameters
    ----------
    counts : DataFrame or Series
        Counts indexed by area code (wards, LSOAs, MSOAs or boroughs of the
        shipped layers): the per-month table of :func:`hotspots.aggregate`
        (:func:`hotspots.aggregate_monthly`), a space-time cube, or a Series such as
        ``aggregate(...)["count"]``. Every column must hold numbers; NaN is no
        data. Not modified.
    to : {"msoa", "boroughs", "london"}
        The coarser areas: MSOAs (from LSOAs), boroughs (from wards, LSOAs or
        MSOAs) or all of London (one row, code ``E12000007``).

    Returns
    -------
    DataFrame or Series
        The same columns, one row per area of the target layer in the layer's
        order (index named ``code``). A parent is NaN (no data) when any of its
        children in ``counts`` is NaN, or when none of its children is in
        ``counts``: a partial sum is never passed off as a total. So the City
        of London, which the Met does not police, stays NaN, and so does
        London as a whole when the City is missing (sum the boroughs you have
        instead if that is what you want). ``attrs["hotspots"]["rolled_up"]``
        records ``"<from> -> <to>"``.

    Raises
    ------
    hotspots.InputError
        For codes that belong to no shipped layer finer than ``to`` (they are
        named), or for an unknown ``to``.

    Notes
    -----
    The lookups are the shipped layers' own columns (ONS 2021 LSOAs and MSOAs,
    2022 wards). ONS builds LSOAs to nest in MSOAs and both to nest in local
    authorities, and 2022 London wards nest in boroughs, so each child has
    exactly one parent and the sums are exact. Codes of other vintages (2011
    LSOAs, 2018 wards) are not in these lookups and are refused rather than
    placed by a best fit; the ONS publishes best-fit lookups for those.

    Examples
    --------
    >>> import boundaries, hotspots
    >>> crime = hotspots.read_met_crime(hotspots.sample_path("mps-ward-crime"))
    >>> wards = hotspots.aggregate_monthly(crime, boundaries.load("wards"))
    >>> boroughs = hotspots.roll_up(wards, "boroughs")
    >>> boroughs.shape, bool(boroughs.loc["E09000001"].isna().all())
    ((33, 24), True)
    >>> int(boroughs.sum().sum()) == int(wards.sum().sum())
    True
    """
    if not isinstance(counts, (pd.DataFrame, pd.Series)):
        raise InputError("counts must be a DataFrame or Series indexed by area code")
    parents = parent_codes(counts.index, to)
    unknown = parents.index[parents.isna()]
    if len(unknown):
        raise InputError(
            f"{len(unknown)} area code(s) are in no shipped layer that nests in {to!r}",
            value=", ".join(map(str, unknown[:5])),
        )
    frame = counts.to_frame() if isinstance(counts, pd.Series) else counts
    try:
        values = frame.to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError):
        raise InputError("counts must be numbers (NaN for no data)") from None
    target = (
        pd.Index([LONDON_CODE], name="code")
        if to == LONDON
        else pd.Index(boundaries.load(to).index, name="code")
    )
    position = target.get_indexer(parents.to_numpy())
    sums = np.zeros((len(target), values.shape[1]))
    np.add.at(sums, position, np.nan_to_num(values))
    missing = np.zeros((len(target), values.shape[1]), dtype=bool)
    np.logical_or.at(missing, position, np.isnan(values))
    present = np.bincount(position, minlength=len(target)) > 0
    sums[missing | ~present[:, None]] = np.nan
    result = pd.DataFrame(sums, index=target, columns=frame.columns)
    source = _layer_of(counts.index)
    result.attrs = {**counts.attrs, "hotspots": {**counts.attrs.get("hotspots", {})}}
    result.attrs["hotspots"]["rolled_up"] = f"{source} -> {to}"
    result.attrs["hotspots"]["level"] = to
    if isinstance(counts, pd.Series):
        series = result.iloc[:, 0].rename(counts.name)
        series.attrs = result.attrs
        return series
    return result


def _layer_of(codes: pd.Index) -> str:
    for layer in ("wards", "lsoa", "msoa", "boroughs"):
        if pd.Index(codes).isin(boundaries.load(layer).index).all():
            return layer
    return "mixed areas"
