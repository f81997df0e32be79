"""``dashboard_page``: several crime types, borough and ward level, on one offline page."""

from __future__ import annotations

import os
from collections.abc import Sequence

import pandas as pd

from hotspots._errors import InputError
from hotspots._files import write_text
from hotspots.dashboard._figures import dashboard_figures
from hotspots.dashboard._page import render

__all__ = ["dashboard_page"]

DEFAULT_TITLE = "Weapon-enabled crime in London"


def dashboard_page(
    crime: pd.DataFrame,
    crime_types: str | Sequence[str] | None = None,
    *,
    title: str | None = None,
    out: str | os.PathLike[str] | None = None,
    levels: Sequence[str] | None = None,
    permutations: int | str = "adaptive",
    seed: int | None = 2025,
    alpha: float = 0.05,
    correction: str | None = "fdr",
) -> str:
    """One self-contained, offline HTML dashboard for several crime types and area levels.

    The page has a crime-type selector and a level selector (the map is
    redrawn in place), a map of the latest 12 months' rate, the change
    verdict, the hot-spot state or the emerging pattern; for the area a
    reader picks (click, or the keyboard-usable *Area* list), a monthly chart
    with the average area of its borough and of London, the latest 12 months
    against the same 12 a year earlier with the interval and the verdict
    relative to London's trend (:func:`hotspots.change_rollup`), its hot-spot
    state and emerging pattern, and for police.uk points its repeat
    victimisation (:func:`hotspots.repeat_areas`); London and borough headline
    tiles; the at-risk list saying what it ranks, with how much of this year's
    crime last year's hot spots held (:func:`hotspots.evaluate_hotspots`); a
    "how to read this" panel; provenance and licences. The Met's Heathrow
    pseudo-borough ward is left out of the borough and London totals, the
    change test and the at-risk list, and the page says so.
    Everything (Leaflet, the page's own JavaScript and the figures) is inside
    the one file: it opens without a network, and prints.

    Parameters
    ----------
    crime : pandas.DataFrame
        A Met ward or borough table from :func:`hotspots.read_met_crime`, or
        incident points from :func:`hotspots.read_police_uk`. Not modified.
    crime_types : str or sequence of str, optional
        Categories as named in the data (case and spacing do not matter; a
        Met major or minor category, or a police.uk crime type), each one a
        choice of the page's crime-type selector. Categories the library has
        never seen (a newer Met table) work as long as the data hold them.
        Default: the weapon-enabled crime in the data: possession of weapons,
        robbery and violence with injury, and any category whose name mentions
        a knife, a gun, a firearm or a weapon.
    title : str, optional
        Page title. Default ``"Weapon-enabled crime in London"`` for the
        default crime types, else "Crime in London: " and the types.
    out : path, optional
        Also write the page there (atomically: a reader never sees half a file).
    levels : sequence of {"boroughs", "wards", "lsoa"}, optional
        Area levels of the level selector. Default: boroughs and the level of
        a Met table (boroughs and wards for a ward table); boroughs and wards
        for points, which can also be shown by LSOA.
    permutations : int or "adaptive", default "adaptive"
        Conditional permutations behind the hot-spot state and the emerging
        pattern (as :func:`hotspots.getis_ord`; the p-value that decided the
        state, ``gi_p``, is shown beside it). 0 uses the normal approximation
        instead: a fast preview whose hot spots are not calibrated.
    seed : int
        Seed of the permutations.
    alpha, correction
        Significance level and multiple-testing correction of the hot-spot
        state (:func:`hotspots.getis_ord`), the emerging pattern and the change
        verdict (:func:`hotspots.period_change`).

    Returns
    -------
    str
        The HTML page.

    Raises
    ------
    hotspots.InputError
        A crime type that is not in the data (the categories present are
        listed), no weapon-enabled category when ``crime_types`` is not given,
        or a level the data cannot give.

    Notes
    -----
    The figures are computed by one module, ``hotspots.dashboard._figures``,
    from the public functions :func:`hotspots.aggregate_monthly`,
    :func:`hotspots.change_rollup`, :func:`hotspots.getis_ord`,
    :func:`hotspots.emerging_hotspots`, :func:`hotspots.evaluate_hotspots` and
    :func:`hotspots.repeat_areas`. Borough counts from a ward table are the
    sums of the boroughs' wards. Change needs 24 months (the latest 12 against
    the same 12 a year earlier); with fewer the page says it is not tested.
    The map's geometry is simplified (15 m) and rounded (about 1 m) for
    drawing only.

    Examples
    --------
    >>> import hotspots
    >>> crime = hotspots.read_met_crime(hotspots.sample_path("mps-ward-crime"))
    >>> page = hotspots.dashboard_page(crime, "Possession of weapons", levels=["boroughs"],
    ...                                permutations=0, title="Weapons by borough")
    >>> page.startswith("<!DOCTYPE html>"), "<title>Weapons by borough</title>" in page
    (True, True)
    >>> "<script src=" in page or "<link" in page  # nothing loaded from elsewhere
    False
    """
    if title is not None and not isinstance(title, str):
        raise InputError("title must be text", value=title)
    figures = dashboard_figures(
        crime,
        crime_types,
        levels=levels,
        permutations=permutations,
        seed=seed,
        alpha=alpha,
        correction=correction,
    )
    if title is None:
        names = [t["name"] for t in figures["types"]]
        title = DEFAULT_TITLE if crime_types is None else "Crime in London: " + ", ".join(names)
    page = render(figures, title)
    if out is not None:
        write_text(out, page)
    return page
