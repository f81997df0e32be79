"""Change over time: the space-time cube, emerging hot spots, trends and period change."""

from hotspots.spacetime._change import period_change
from hotspots.spacetime._cube import space_time_cube
from hotspots.spacetime._emerging import EmergingHotspots, emerging_hotspots
from hotspots.spacetime._trend import MannKendall, mann_kendall

__all__ = [
    "EmergingHotspots",
    "MannKendall",
    "emerging_hotspots",
    "mann_kendall",
    "period_change",
    "space_time_cube",
]
