"""Empirical Bayes rates and EB Moran's I (spdep agreement is in test_spdep.py)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from _reference import values as reference_values
from esda.smoothing import Empirical_Bayes
from libpysal.graph import Graph

from hotspots import InputError, eb_moran, eb_rate


def test_eb_rate_matches_esda_per_thousand():
    frame = reference_values("wards_weapons")
    data = frame.dropna(subset=["value"])
    theirs = Empirical_Bayes(data["value"].to_numpy(), data["population"].to_numpy()).r
    ours = eb_rate(frame, "value", "population")
    np.testing.assert_allclose(ours.dropna(), np.ravel(theirs) * 1000, rtol=1e-12)
    assert ours.name == "eb_rate" and ours.index.equals(frame.index)


def test_small_populations_shrink_most():
    frame = reference_values("wards_weapons").dropna(subset=["value"])
    raw = 1000 * frame["value"] / frame["population"]
    smoothed = eb_rate(frame, "value", "population")
    overall = 1000 * frame["value"].sum() / frame["population"].sum()
    pull = (raw - smoothed).abs() / (raw - overall).abs()
    small = frame["population"] < frame["population"].quantile(0.1)
    assert pull[small].median() > pull[~small].median()


def test_bad_population_is_an_input_error():
    frame = pd.DataFrame({"count": [1.0, 2.0, 3.0], "population": [10.0, 0.0, 5.0]},
                         index=pd.Index(["a", "b", "c"], name="code"))  # fmt: skip
    with pytest.raises(InputError, match="positive"):
        eb_rate(frame, "count", "population")


def test_eb_moran_needs_a_graph_for_a_plain_frame():
    frame = reference_values("wards_weapons")
    with pytest.raises(InputError, match="graph"):
        eb_moran(frame, "value", "population")


def test_no_offences_at_all():
    """All counts zero (a rare offence, a quiet month): rates 0, EB Moran's I refused, no 0/0."""
    frame = reference_values("wards_weapons").assign(value=lambda f: f["value"] * 0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert (eb_rate(frame, "value", "population").dropna() == 0).all()
        codes = frame.index
        chain = Graph.from_arrays([*codes[:-1], *codes[1:]], [*codes[1:], *codes[:-1]],
                                  np.ones(2 * len(codes) - 2))  # fmt: skip
        with pytest.raises(InputError, match="do not vary"):
            eb_moran(frame, "value", "population", graph=chain)
