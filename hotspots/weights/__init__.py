"""Spatial weights: contiguity, k-nearest-neighbour and distance-band graphs of areas."""

from hotspots.weights._build import spatial_weights

__all__ = ["spatial_weights"]
