"""The shared crime-category vocabulary."""

from __future__ import annotations

import pandas as pd
import pytest

import hotspots
from hotspots import InputError, crime_categories
from hotspots.io._categories import resolve_categories


def test_vocabulary_covers_shipped_sources():
    met = crime_categories("met")
    table = pd.read_csv(hotspots.sample_path("mps-ward-crime"), usecols=["MajorText", "MinorText"])
    keys = {"".join(n.split()).casefold() for n in met["name"]}
    for column in ("MajorText", "MinorText"):
        assert {"".join(n.split()).casefold() for n in table[column]} <= keys
    points = hotspots.read_police_uk(hotspots.sample_path("police-uk-burglary"))
    assert set(points["crime_type"]) <= set(crime_categories("police.uk")["name"])


@pytest.mark.parametrize(
    ("names", "source"),
    [
        ("Possession of weapons", "police.uk"),
        ("POSSESSION OF WEAPONS", "met"),
        ("possession  of Weapons", "met"),
    ],
    ids=["police-uk", "met-upper", "spacing"],
)
def test_case_and_spacing_insensitive(names, source):
    assert resolve_categories(names, source) == {"possessionofweapons"}


def test_unknown_lists_valid():
    with pytest.raises(InputError, match="valid categories are: Anti-social behaviour"):
        resolve_categories(["Burglary", "Arson"], "police.uk")
    with pytest.raises(InputError, match="unknown source"):
        crime_categories("btp")
