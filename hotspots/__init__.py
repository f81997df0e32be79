"""london-hotspots: where crime clusters in London, and whether the clustering is real.

The package is layered along the data flow: ``io`` (readers) -> ``aggregation``
-> ``weights`` -> ``stats`` -> ``spacetime`` -> ``evaluation`` / ``repeats`` -> ``maps`` /
``dashboard`` -> ``cli``; each subpackage keeps its code in private modules and re-exports
its public names. The public API
is re-exported here by name from those subpackages; each name is
imported on first use, so ``import hotspots`` stays fast and heavy optional
dependencies (folium) load only when a map is made.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from hotspots._version import __version__

# public name -> private module that defines it
_EXPORTS: dict[str, str] = {
    # errors and warnings
    "InputError": "hotspots._errors",
    "HotspotsWarning": "hotspots._errors",
    # shipped sample data
    "sample_path": "hotspots.io",
    # reading data
    "LoadReport": "hotspots.io",
    "read_police_uk": "hotspots.io",
    "read_met_crime": "hotspots.io",
    "read_mps_crime": "hotspots.io",  # deprecated alias of read_met_crime
    "points_from_frame": "hotspots.io",
    "crime_categories": "hotspots.io",
    # aggregation
    "aggregate": "hotspots.aggregation",
    "aggregate_monthly": "hotspots.aggregation",
    "roll_up": "hotspots.aggregation",
    "count_police_uk": "hotspots.aggregation",
    # weights
    "spatial_weights": "hotspots.weights",
    # statistics
    "GlobalStatistic": "hotspots.stats",
    "global_moran": "hotspots.stats",
    "general_g": "hotspots.stats",
    "local_moran": "hotspots.stats",
    "getis_ord": "hotspots.stats",
    "eb_rate": "hotspots.stats",
    "eb_moran": "hotspots.stats",
    # space-time
    "space_time_cube": "hotspots.spacetime",
    "emerging_hotspots": "hotspots.spacetime",
    "EmergingHotspots": "hotspots.spacetime",
    "mann_kendall": "hotspots.spacetime",
    "MannKendall": "hotspots.spacetime",
    "period_change": "hotspots.spacetime",
    # evaluation and risk rankings
    "evaluate_hotspots": "hotspots.evaluation",
    "select_hotspots": "hotspots.evaluation",
    "compare_hotspot_methods": "hotspots.evaluation",
    "rolling_evaluation": "hotspots.evaluation",
    "concentration": "hotspots.evaluation",
    "concentration_curve": "hotspots.evaluation",
    "Concentration": "hotspots.evaluation",
    "rank_areas": "hotspots.evaluation",
    # repeat and near-repeat victimisation
    "repeat_locations": "hotspots.repeats",
    "repeat_areas": "hotspots.repeats",
    "near_repeat": "hotspots.repeats",
    "near_repeat_figure": "hotspots.repeats",
    "near_repeat_risk": "hotspots.repeats",
    "change_rollup": "hotspots.spacetime",
    "ChangeRollup": "hotspots.spacetime",
    "unusual_periods": "hotspots.spacetime",
    "weighted_displacement_difference": "hotspots.spacetime",
    "WeightedDisplacement": "hotspots.spacetime",
    # maps
    "choropleth_map": "hotspots.maps",
    "cluster_map": "hotspots.maps",
    "hotspot_map": "hotspots.maps",
    "emerging_map": "hotspots.maps",
    "change_map": "hotspots.maps",
    "combined_map": "hotspots.maps",
    # dashboard
    "dashboard_page": "hotspots.dashboard",
}

__all__ = ["__version__", *sorted(_EXPORTS)]


def __getattr__(name: str) -> Any:
    try:
        module = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'hotspots' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from hotspots._errors import HotspotsWarning as HotspotsWarning
    from hotspots._errors import InputError as InputError
    from hotspots.aggregation._aggregate import aggregate as aggregate
    from hotspots.aggregation._monthly import aggregate_monthly as aggregate_monthly
    from hotspots.aggregation._rollup import roll_up as roll_up
    from hotspots.aggregation._stream import count_police_uk as count_police_uk
    from hotspots.dashboard._api import dashboard_page as dashboard_page
    from hotspots.evaluation._compare import compare_hotspot_methods as compare_hotspot_methods
    from hotspots.evaluation._compare import rolling_evaluation as rolling_evaluation
    from hotspots.evaluation._compare import select_hotspots as select_hotspots
    from hotspots.evaluation._metrics import Concentration as Concentration
    from hotspots.evaluation._metrics import concentration as concentration
    from hotspots.evaluation._metrics import concentration_curve as concentration_curve
    from hotspots.evaluation._metrics import evaluate_hotspots as evaluate_hotspots
    from hotspots.evaluation._rank import rank_areas as rank_areas
    from hotspots.io._categories import crime_categories as crime_categories
    from hotspots.io._met import read_met_crime as read_met_crime
    from hotspots.io._met import read_mps_crime as read_mps_crime
    from hotspots.io._points import points_from_frame as points_from_frame
    from hotspots.io._police_uk import read_police_uk as read_police_uk
    from hotspots.io._report import LoadReport as LoadReport
    from hotspots.io._samples import sample_path as sample_path
    from hotspots.maps._api import change_map as change_map
    from hotspots.maps._api import choropleth_map as choropleth_map
    from hotspots.maps._api import cluster_map as cluster_map
    from hotspots.maps._api import combined_map as combined_map
    from hotspots.maps._api import emerging_map as emerging_map
    from hotspots.maps._api import hotspot_map as hotspot_map
    from hotspots.repeats._figure import near_repeat_figure as near_repeat_figure
    from hotspots.repeats._knox import near_repeat as near_repeat
    from hotspots.repeats._locations import repeat_areas as repeat_areas
    from hotspots.repeats._locations import repeat_locations as repeat_locations
    from hotspots.repeats._risk import near_repeat_risk as near_repeat_risk
    from hotspots.spacetime._change import period_change as period_change
    from hotspots.spacetime._cube import space_time_cube as space_time_cube
    from hotspots.spacetime._emerging import EmergingHotspots as EmergingHotspots
    from hotspots.spacetime._emerging import emerging_hotspots as emerging_hotspots
    from hotspots.spacetime._rollup import ChangeRollup as ChangeRollup
    from hotspots.spacetime._rollup import change_rollup as change_rollup
    from hotspots.spacetime._trend import MannKendall as MannKendall
    from hotspots.spacetime._trend import mann_kendall as mann_kendall
    from hotspots.spacetime._unusual import unusual_periods as unusual_periods
    from hotspots.spacetime._wdd import WeightedDisplacement as WeightedDisplacement
    from hotspots.spacetime._wdd import (
        weighted_displacement_difference as weighted_displacement_difference,
    )
    from hotspots.stats._global import GlobalStatistic as GlobalStatistic
    from hotspots.stats._global import general_g as general_g
    from hotspots.stats._global import global_moran as global_moran
    from hotspots.stats._local import getis_ord as getis_ord
    from hotspots.stats._local import local_moran as local_moran
    from hotspots.stats._rates import eb_moran as eb_moran
    from hotspots.stats._rates import eb_rate as eb_rate
    from hotspots.weights._build import spatial_weights as spatial_weights
