"""london-hotspots: where crime clusters in London, and whether the clustering is real.

The package is layered along the data flow: ``io`` (readers) -> ``aggregation``
-> ``weights`` -> ``stats`` -> ``spacetime`` -> ``maps`` -> ``cli``; each subpackage
keeps its code in private modules and re-exports its public names. The public API
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
    "read_mps_crime": "hotspots.io",
    "points_from_frame": "hotspots.io",
    "crime_categories": "hotspots.io",
    # aggregation
    "aggregate": "hotspots.aggregation",
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
    # maps
    "choropleth_map": "hotspots.maps",
    "cluster_map": "hotspots.maps",
    "hotspot_map": "hotspots.maps",
    "emerging_map": "hotspots.maps",
    "change_map": "hotspots.maps",
    "combined_map": "hotspots.maps",
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
    from hotspots._errors import HotspotsWarning, InputError
    from hotspots.aggregation._aggregate import aggregate
    from hotspots.aggregation._stream import count_police_uk
    from hotspots.io._categories import crime_categories
    from hotspots.io._met import read_mps_crime
    from hotspots.io._points import points_from_frame
    from hotspots.io._police_uk import read_police_uk
    from hotspots.io._report import LoadReport
    from hotspots.io._samples import sample_path
    from hotspots.maps._api import (
        change_map,
        choropleth_map,
        cluster_map,
        combined_map,
        emerging_map,
        hotspot_map,
    )
    from hotspots.spacetime._change import period_change
    from hotspots.spacetime._cube import space_time_cube
    from hotspots.spacetime._emerging import EmergingHotspots, emerging_hotspots
    from hotspots.spacetime._trend import MannKendall, mann_kendall
    from hotspots.stats._global import GlobalStatistic, general_g, global_moran
    from hotspots.stats._local import getis_ord, local_moran
    from hotspots.stats._rates import eb_moran, eb_rate
    from hotspots.weights._build import spatial_weights
