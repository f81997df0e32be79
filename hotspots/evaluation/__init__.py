"""Judging hot spots by what happens next, concentration of crime, and risk rankings."""

from hotspots.evaluation._compare import (
    compare_hotspot_methods,
    rolling_evaluation,
    select_hotspots,
)
from hotspots.evaluation._metrics import (
    Concentration,
    concentration,
    concentration_curve,
    evaluate_hotspots,
)
from hotspots.evaluation._rank import rank_areas

__all__ = [
    "Concentration",
    "compare_hotspot_methods",
    "concentration",
    "concentration_curve",
    "evaluate_hotspots",
    "rank_areas",
    "rolling_evaluation",
    "select_hotspots",
]
