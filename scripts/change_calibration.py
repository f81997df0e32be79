"""How often each change test flags a borough's year-on-year change, on the Met's history.

Reads the London Datastore table *MPS Borough Level Crime (Historical) 201004-202107*
(Metropolitan Police Service recorded offences per borough and month, Open Government
Licence v3.0), sums financial years April to March 2010/11 .. 2018/19 (the years before
the pandemic), and for each crime type and each pair of consecutive years runs
:func:`hotspots.period_change` with every test, uncorrected (``correction=None``), on
the 32 boroughs (the City is not policed by the Met; the Heathrow pseudo-borough is left
out). 8 pairs x 32 boroughs = 256 borough-year changes per crime type.

Prints a Markdown table (the one in ``docs/methods/spacetime.md``) of the fraction of
changes flagged at 0.05 by each test, and the mean squared Pearson residual against the
London-wide change (the dispersion the default test estimates).

Usage::

    python scripts/change_calibration.py \
        "path/to/MPS Borough Level Crime (Historical) 201004-202107.csv"

It also writes the small extract ``tests/data/spacetime/borough_robbery_monthly.csv``
(robbery per borough and month) with ``--extract``.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

import boundaries
import hotspots

YEARS = range(2010, 2019)  # financial years 2010/11 .. 2018/19
TYPES = {  # label -> (column, value)
    "Robbery": ("MajorText", "Robbery"),
    "Burglary": ("MajorText", "Burglary"),
    "Theft": ("MajorText", "Theft"),
    "Vehicle offences": ("MajorText", "Vehicle Offences"),
    "Violence against the person": ("MajorText", "Violence Against the Person"),
    "Violence with injury": ("MinorText", "Violence with Injury"),
    "Sexual offences": ("MajorText", "Sexual Offences"),
    "Drug offences": ("MajorText", "Drug Offences"),
    "Possession of weapons": ("MajorText", "Possession of Weapons"),
    "Knife possession": ("MinorText", "Possession of Article with Blade or Point"),
    "Firearm possession": ("MinorText", "Possession of Firearms Offences"),
    "Arson and criminal damage": ("MajorText", "Arson and Criminal Damage"),
}
TESTS = {
    "exact": {"test": "exact"},
    "e-test": {"test": "e-test"},
    "trend (default)": {"test": "trend"},
    "trend, history": {"test": "trend", "dispersion": "history"},
}


def monthly(table: pd.DataFrame, column: str, value: str, boroughs: pd.DataFrame) -> pd.DataFrame:
    """Counts per borough code and month for one crime type."""
    rows = table[table[column] == value]
    months = [c for c in table.columns if c.isdigit()]
    by_name = rows.groupby("LookUp_BoroughName")[months].sum()
    codes = pd.Series(boroughs.index, index=boroughs["name"])
    by_name = by_name[by_name.index.isin(codes.index)]  # drops the airports pseudo-borough
    cube = by_name.set_axis(codes[by_name.index].to_numpy(), axis=0)
    cube.index.name = "code"
    cube.columns = pd.PeriodIndex([f"{m[:4]}-{m[4:]}" for m in months], freq="M", name="month")
    return cube.astype(float)


def financial_years(cube: pd.DataFrame) -> pd.DataFrame:
    """Sums April..March, labelled by the year they start in (a year period, for the cube)."""
    sums = {}
    for year in YEARS:
        window = pd.period_range(f"{year}-04", f"{year + 1}-03", freq="M")
        sums[pd.Period(str(year), freq="Y")] = cube.loc[:, window].sum(axis=1)
    frame = pd.DataFrame(sums)
    frame.columns = pd.PeriodIndex(frame.columns, name="year")
    return frame


def main(path: str, extract: bool = False) -> None:
    table = pd.read_csv(path)
    boroughs = boundaries.load("boroughs")
    lines = [
        "| Crime type | mean r² | " + " | ".join(TESTS) + " |",
        "|---|---:|" + "---:|" * len(TESTS),
    ]
    for label, (column, value) in TYPES.items():
        cube = monthly(table, column, value, boroughs)
        if extract and label == "Robbery":
            out = Path(__file__).parents[1] / "tests" / "data" / "spacetime"
            cube.set_axis(cube.columns.astype(str), axis=1).astype(int).to_csv(
                out / "borough_robbery_monthly.csv"
            )
        years = financial_years(cube)
        areas = boroughs.loc[years.index]
        flagged = {name: [] for name in TESTS}
        squares = []
        for year in YEARS[1:]:
            window = {"before": (str(year - 1),) * 2, "after": (str(year),) * 2}
            for name, settings in TESTS.items():
                if settings.get("dispersion") == "history" and year - 1 == YEARS[0]:
                    continue  # no earlier year to learn from
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    result = hotspots.period_change(
                        areas, years.loc[:, : str(year)], correction=None, **window, **settings
                    )
                flagged[name].extend((result["change_p"] <= 0.05).tolist())
                if name == "trend (default)":
                    squares.append(result.attrs["hotspots"]["dispersion_estimate"])
        cells = [f"{np.mean(flagged[name]):.0%}" for name in TESTS]
        lines.append(f"| {label} | {np.mean(squares):.1f} | " + " | ".join(cells) + " |")
    print("\n".join(lines))


if __name__ == "__main__":
    main(sys.argv[1], extract="--extract" in sys.argv[2:])
