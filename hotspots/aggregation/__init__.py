"""Incidents and counts joined to areas: counts, rates and coverage per area, and roll-ups."""

from hotspots.aggregation._aggregate import aggregate
from hotspots.aggregation._monthly import aggregate_monthly
from hotspots.aggregation._rollup import roll_up

__all__ = ["aggregate", "aggregate_monthly", "roll_up"]
