"""Incidents and counts joined to areas: counts, rates and coverage per area."""

from hotspots.aggregation._aggregate import aggregate
from hotspots.aggregation._stream import count_police_uk

__all__ = ["aggregate", "count_police_uk"]
