"""london-hotspots: where crime clusters in London, and whether the clustering is real.

The public API is re-exported here by name from private modules; each name is
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
    "sample_path": "hotspots._samples",
    # reading data
    "LoadReport": "hotspots._report",
    "read_police_uk": "hotspots._police_uk",
    "read_mps_crime": "hotspots._mps",
    "points_from_frame": "hotspots._points",
    "crime_categories": "hotspots._categories",
    # aggregation
    "aggregate": "hotspots._aggregate",
    # weights
    "spatial_weights": "hotspots._weights",
    # statistics
    "GlobalStatistic": "hotspots._global",
    "global_moran": "hotspots._global",
    "general_g": "hotspots._global",
    "local_moran": "hotspots._local",
    "getis_ord": "hotspots._local",
    "eb_rate": "hotspots._rates",
    "eb_moran": "hotspots._rates",
    # space-time
    "space_time_cube": "hotspots._cube",
    "emerging_hotspots": "hotspots._emerging",
    "EmergingHotspots": "hotspots._emerging",
    "mann_kendall": "hotspots._trend",
    "period_change": "hotspots._change",
    # maps
    "choropleth_map": "hotspots._maps",
    "cluster_map": "hotspots._maps",
    "hotspot_map": "hotspots._maps",
    "emerging_map": "hotspots._maps",
    "change_map": "hotspots._maps",
    "combined_map": "hotspots._maps",
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
    from hotspots._aggregate import aggregate
    from hotspots._categories import crime_categories
    from hotspots._change import period_change
    from hotspots._cube import space_time_cube
    from hotspots._emerging import EmergingHotspots, emerging_hotspots
    from hotspots._errors import HotspotsWarning, InputError
    from hotspots._global import GlobalStatistic, general_g, global_moran
    from hotspots._local import getis_ord, local_moran
    from hotspots._maps import (
        change_map,
        choropleth_map,
        cluster_map,
        combined_map,
        emerging_map,
        hotspot_map,
    )
    from hotspots._mps import read_mps_crime
    from hotspots._points import points_from_frame
    from hotspots._police_uk import read_police_uk
    from hotspots._rates import eb_moran, eb_rate
    from hotspots._report import LoadReport
    from hotspots._samples import sample_path
    from hotspots._trend import mann_kendall
    from hotspots._weights import spatial_weights
