"""Change over time: the space-time cube, emerging hot spots, trends, period change.

Also the roll-up of change to boroughs and London, unusual periods and the
weighted displacement difference.
"""

from hotspots.spacetime._change import period_change
from hotspots.spacetime._cube import space_time_cube
from hotspots.spacetime._emerging import EmergingHotspots, emerging_hotspots
from hotspots.spacetime._rollup import ChangeRollup, change_rollup
from hotspots.spacetime._trend import MannKendall, mann_kendall
from hotspots.spacetime._unusual import unusual_periods
from hotspots.spacetime._wdd import WeightedDisplacement, weighted_displacement_difference

__all__ = [
    "ChangeRollup",
    "EmergingHotspots",
    "MannKendall",
    "WeightedDisplacement",
    "change_rollup",
    "emerging_hotspots",
    "mann_kendall",
    "period_change",
    "space_time_cube",
    "unusual_periods",
    "weighted_displacement_difference",
]
