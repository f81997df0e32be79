"""The library's vocabulary, defined once: every label, category order and result column.

Every module that prints, maps, tabulates or tests a label imports it from here;
no label string is spelled out anywhere else.

Column naming scheme, the same for every per-area method (prefix ``lisa``, ``gi``,
``change``, ``emerging``, ...):

``<prefix>_label``
    the verdict, in words ("High-High", "Hot spot (99%)", "Significant increase").
``<prefix>_p``
    the p-value that decided the label, before any multiple-testing correction.
``<prefix>_p_adjusted``
    ``<prefix>_p`` after the correction named in ``attrs["hotspots"]["correction"]``;
    an area is significant when it is at most ``alpha``.
"""

from __future__ import annotations

from typing import Literal

__all__ = [
    "ABOVE_TREND",
    "BELOW_TREND",
    "CHANGE_CATEGORIES",
    "CHANGE_TREND_CATEGORIES",
    "CLUSTERS",
    "COLD_CATEGORIES",
    "CORRECTIONS",
    "DECREASE",
    "EMERGING_CATEGORIES",
    "EMERGING_KINDS",
    "EMERGING_LEGEND_KINDS",
    "GI_CATEGORIES",
    "GI_LABELS",
    "HIGH_HIGH",
    "HIGH_LOW",
    "HOT_CATEGORIES",
    "INCREASE",
    "IN_LINE_WITH_TREND",
    "KNOX_CATEGORIES",
    "KNOX_MORE",
    "LISA_CATEGORIES",
    "LISA_SIGNIFICANCE_CATEGORIES",
    "LISA_SIGNIFICANCE_LEVELS",
    "LOW_HIGH",
    "LOW_LOW",
    "MET",
    "MIN_OWN_COUNT",
    "NOT_SIGNIFICANT",
    "NO_CHANGE",
    "NO_DATA",
    "NO_NEIGHBOURS",
    "NO_PATTERN",
    "RANK_MEASURES",
    "REPEAT_CATEGORIES",
    "REPEAT_MORE",
    "RESIDENTS",
    "SAME_LOCATION",
    "SELECTION_METHODS",
    "UNUSUALLY_HIGH",
    "UNUSUALLY_LOW",
    "UNUSUAL_CATEGORIES",
    "USUAL",
    "Correction",
]

# -- shared states ---------------------------------------------------------------
NO_DATA = "No data"  # the source does not cover the area (never zero)
NO_NEIGHBOURS = "No neighbours"  # an island: a local statistic is undefined
NOT_SIGNIFICANT = "Not significant"

# -- multiple-testing corrections --------------------------------------------------
Correction = Literal["fdr", "by", "bonferroni"]
CORRECTIONS: tuple[str | None, ...] = ("fdr", "by", "bonferroni", None)

# -- the Met --------------------------------------------------------------------
# one name in code ("met"); the publisher's own name in text
MET = "met"

# -- local Moran (LISA) quadrants ---------------------------------------------------
HIGH_HIGH = "High-High"
LOW_LOW = "Low-Low"
HIGH_LOW = "High-Low"
LOW_HIGH = "Low-High"
CLUSTERS = (HIGH_HIGH, HIGH_LOW, LOW_HIGH, LOW_LOW)
LISA_CATEGORIES = (*CLUSTERS, NOT_SIGNIFICANT)
# GeoDa's LISA significance map: classes of the corrected deciding p (lisa_p_adjusted),
# strongest first; an area falls in the first class whose level its p does not exceed
LISA_SIGNIFICANCE_LEVELS = (0.001, 0.01, 0.05)
LISA_SIGNIFICANCE_CATEGORIES = (
    *(f"p \u2264 {level:g}" for level in LISA_SIGNIFICANCE_LEVELS),
    f"p > {LISA_SIGNIFICANCE_LEVELS[-1]:g}",
)

# -- Getis-Ord Gi* confidence bins (signed by the direction of z) --------------------
GI_LABELS: dict[int, str] = {
    3: "Hot spot (99%)",
    2: "Hot spot (95%)",
    1: "Hot spot (90%)",
    0: NOT_SIGNIFICANT,
    -1: "Cold spot (90%)",
    -2: "Cold spot (95%)",
    -3: "Cold spot (99%)",
}
GI_CATEGORIES = tuple(GI_LABELS[b] for b in (3, 2, 1, 0, -1, -2, -3))

# -- emerging hot spots (ArcGIS Pro's categories) ----------------------------------
NO_PATTERN = "No pattern detected"
# ArcGIS's order, in which the rules are tried
EMERGING_KINDS = ("New", "Consecutive", "Intensifying", "Persistent", "Diminishing",
                  "Sporadic", "Oscillating", "Historical")  # fmt: skip
# strongest first, for legends and summaries
EMERGING_LEGEND_KINDS = ("Persistent", "Intensifying", "Consecutive", "New", "Oscillating",
                         "Sporadic", "Diminishing", "Historical")  # fmt: skip
HOT_CATEGORIES = tuple(f"{kind} hot spot" for kind in EMERGING_KINDS)
COLD_CATEGORIES = tuple(f"{kind} cold spot" for kind in EMERGING_KINDS)
EMERGING_CATEGORIES = (*HOT_CATEGORIES, *COLD_CATEGORIES, NO_PATTERN, NO_DATA)

# -- change between two periods ----------------------------------------------------
INCREASE = "Significant increase"
DECREASE = "Significant decrease"
NO_CHANGE = "No significant change"
CHANGE_CATEGORIES = (INCREASE, NO_CHANGE, DECREASE)

# -- denominators, rankings and hot-spot evaluation -----------------------------------
RESIDENTS = "residents"  # the default denominator: Census 2021 usual residents
# what a risk ranking ranks, in words (the key is the ``by`` argument)
RANK_MEASURES: dict[str, str] = {
    "count": "own count",
    "rate": "annualised rate",
    "eb_rate": "annualised Empirical Bayes rate",
    "gi": "hot neighbourhood (Gi* z of the area with its neighbours)",
}
# an area with fewer incidents of its own is never listed as a top hot spot by default
MIN_OWN_COUNT = 5
# the hot-spot selection methods compared by evaluation (select_hotspots' ``methods``)
SELECTION_METHODS = ("count", "rate", "eb_rate", "gistar", "lisa", "emerging", "recent")

# -- repeat and near-repeat victimisation (Knox test) --------------------------------
SAME_LOCATION = "Same location"
REPEAT_MORE = "More repeats than expected"
KNOX_MORE = "More pairs than expected"
KNOX_CATEGORIES = (KNOX_MORE, NOT_SIGNIFICANT)
REPEAT_CATEGORIES = (REPEAT_MORE, NOT_SIGNIFICANT)
# -- change relative to the trend of all the areas (the default change test) ----------
# "above the trend" is not "an increase": an area can fall by less than London did
ABOVE_TREND = "Significantly above trend"
BELOW_TREND = "Significantly below trend"
IN_LINE_WITH_TREND = "In line with trend"
CHANGE_TREND_CATEGORIES = (ABOVE_TREND, IN_LINE_WITH_TREND, BELOW_TREND)

# -- one month against the same month of earlier years -------------------------------
UNUSUALLY_HIGH = "Unusually high"
UNUSUALLY_LOW = "Unusually low"
USUAL = "Within the usual range"
UNUSUAL_CATEGORIES = (UNUSUALLY_HIGH, USUAL, UNUSUALLY_LOW)
