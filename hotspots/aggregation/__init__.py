"""Incidents and counts joined to areas: counts, rates and coverage per area."""

from hotspots.aggregation._aggregate import aggregate

__all__ = ["aggregate"]
