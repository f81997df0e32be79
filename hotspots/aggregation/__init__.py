"""Incidents and counts joined to areas: counts, rates and coverage per area, roll-ups, and
streaming counts of the police.uk archive."""

from hotspots.aggregation._aggregate import aggregate
from hotspots.aggregation._monthly import aggregate_monthly
from hotspots.aggregation._rollup import roll_up
from hotspots.aggregation._stream import count_police_uk

__all__ = ["aggregate", "aggregate_monthly", "count_police_uk", "roll_up"]
