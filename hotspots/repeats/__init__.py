"""Repeat and near-repeat victimisation: places hit again and again, and the Knox test."""

from hotspots.repeats._figure import near_repeat_figure
from hotspots.repeats._knox import near_repeat
from hotspots.repeats._locations import repeat_areas, repeat_locations
from hotspots.repeats._risk import near_repeat_risk

__all__ = [
    "near_repeat",
    "near_repeat_figure",
    "near_repeat_risk",
    "repeat_areas",
    "repeat_locations",
]
