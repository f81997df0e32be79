"""Spatial statistics: global and local autocorrelation, Gi*, empirical Bayes rates,
and the compiled permutation engine behind their inference.
"""

from hotspots.stats._global import GlobalStatistic, general_g, global_moran
from hotspots.stats._local import getis_ord, local_moran
from hotspots.stats._rates import eb_moran, eb_rate

__all__ = [
    "GlobalStatistic",
    "eb_moran",
    "eb_rate",
    "general_g",
    "getis_ord",
    "global_moran",
    "local_moran",
]
