"""Offline interactive maps (Folium/Leaflet with Leaflet embedded).

folium is imported only when a map is made.
"""

from hotspots.maps._api import (
    change_map,
    choropleth_map,
    cluster_map,
    combined_map,
    emerging_map,
    hotspot_map,
)

__all__ = [
    "change_map",
    "choropleth_map",
    "cluster_map",
    "combined_map",
    "emerging_map",
    "hotspot_map",
]
