"""London's outline and the City of London, for coverage and "is this point in London"."""

from __future__ import annotations

import functools

import numpy as np
import shapely

import boundaries

CITY_OF_LONDON = "E09000001"
MET_FORCE = "Metropolitan Police Service"
CITY_POLICE = "City of London Police"


@functools.cache
def london_outline() -> shapely.Geometry:
    """The Greater London outline (EPSG:27700), prepared for fast point tests."""
    outline = boundaries.outline().geometry.union_all()
    shapely.prepare(outline)
    return outline


@functools.cache
def city_of_london() -> shapely.Geometry:
    """The City of London polygon (EPSG:27700), prepared for fast point tests."""
    city = boundaries.load("boroughs").geometry.loc[CITY_OF_LONDON]
    shapely.prepare(city)
    return city


def in_london(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Whether British National Grid points lie inside the Greater London outline.

    Points on the outline itself count as inside.
    """
    return shapely.intersects_xy(london_outline(), x, y)
