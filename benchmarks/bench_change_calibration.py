"""Null calibration of the default change test on London's 680 wards (synthetic counts).

Each null map gives every ward a mean (gamma-distributed across wards, mean ``LEVEL``),
applies the same 10 % fall to every ward, and draws Poisson counts, with or without a
gamma year-to-year shock (shape 2: extra-Poisson variation). No ward truly departs from
the trend, so the fraction flagged at uncorrected p <= 0.05 should be at most 5 %.
Synthetic data, named as such; the ward layer is the shipped one. Run from the
repository root::

    python benchmarks/bench_change_calibration.py

Measured (30 null maps each; the table in ``docs/methods/spacetime.md``)::

    mean count  extra variation  flagged
             1  none             0.9 %
             1  gamma(2)         1.3 %
             3  none             2.8 %
             3  gamma(2)         3.4 %
            10  none             4.4 %
            10  gamma(2)         5.1 %
            50  none             4.8 %
            50  gamma(2)         5.6 %
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import boundaries
import hotspots

MAPS = 30


def main() -> None:
    rng = np.random.default_rng(1)
    wards = boundaries.load("wards")
    years = pd.period_range("2023", periods=2, freq="Y", name="year")
    print("mean count  extra variation  flagged")
    for level in (1, 3, 10, 50):
        for shape in (None, 2.0):
            flagged = []
            for _ in range(MAPS):
                mean = rng.gamma(2.0, level / 2, len(wards))
                shock = 1.0 if shape is None else rng.gamma(shape, 1 / shape, (len(wards), 2))
                counts = rng.poisson(mean[:, None] * shock * np.array([1.0, 0.9]))
                cube = pd.DataFrame(counts, index=wards.index, columns=years)
                result = hotspots.period_change(wards, cube, correction=None)
                tested = result["change_p"].notna()
                flagged.append((result.loc[tested, "change_p"] <= 0.05).mean())
            extra = "none" if shape is None else f"gamma({shape:g})"
            print(f"{level:>10}  {extra:<15}  {100 * np.mean(flagged):.1f} %")


if __name__ == "__main__":
    main()
