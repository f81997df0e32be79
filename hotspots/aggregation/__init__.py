"""Incidents and counts joined to areas: counts, rates and coverage per area."""

from hotspots.aggregation._aggregate import aggregate
from hotspots.aggregation._monthly import aggregate_monthly

__all__ = ["aggregate", "aggregate_monthly"]
