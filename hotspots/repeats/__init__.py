"""Repeat and near-repeat victimisation: places hit again and again, and the Knox test."""

from hotspots.repeats._knox import near_repeat

__all__ = ["near_repeat"]
