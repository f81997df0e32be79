"""Which months to analyse, as the command line's ``--period`` writes them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

_MONTH = r"(\d{4})-(0[1-9]|1[0-2])"
_RANGE = re.compile(rf"^{_MONTH}(?::{_MONTH})?$")
_LATEST = re.compile(r"^last-([1-9]\d*)$")
SYNTAX = "'all', 'last-N' (the latest N months), 'YYYY-MM' or 'YYYY-MM:YYYY-MM'"


@dataclass(frozen=True)
class PeriodChoice:
    """A choice of months: all of them, the latest ``latest``, or ``first`` to ``last``.

    Examples
    --------
    >>> PeriodChoice.parse("2024-07:2025-06")
    PeriodChoice(first='2024-07', last='2025-06', latest=None)
    >>> str(PeriodChoice.parse("last-12"))
    'the latest 12 months'
    >>> PeriodChoice.parse("2025-13")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: invalid period '2025-13': write 'all', 'last-N' (the latest N months), ...
    """

    first: str | None = None
    last: str | None = None
    latest: int | None = None

    @classmethod
    def parse(cls, text: str) -> PeriodChoice:
        """Read ``all``, ``last-N``, ``YYYY-MM`` or ``YYYY-MM:YYYY-MM`` (both ends included)."""
        text = text.strip()
        if text == "all":
            return cls()
        latest = _LATEST.match(text)
        if latest:
            return cls(latest=int(latest.group(1)))
        months = _RANGE.match(text)
        if not months:
            raise ValueError(f"invalid period {text!r}: write {SYNTAX}")
        first = f"{months.group(1)}-{months.group(2)}"
        last = f"{months.group(3)}-{months.group(4)}" if months.group(3) else first
        if last < first:
            raise ValueError(f"invalid period {text!r}: {last} is before {first}")
        return cls(first=first, last=last)

    @property
    def is_all(self) -> bool:
        """True when every month is kept."""
        return self.first is None and self.latest is None

    def bounds(self, months: pd.Series) -> tuple[pd.Period, pd.Period]:
        """First and last month kept, given the months of the data (a Series of Periods)."""
        import pandas as pd

        if self.latest is not None:
            last = months.max()
            return last - (self.latest - 1), last
        if self.first is None:
            return months.min(), months.max()
        return pd.Period(self.first, freq="M"), pd.Period(self.last, freq="M")

    def __str__(self) -> str:
        if self.latest is not None:
            return f"the latest {self.latest} months" if self.latest > 1 else "the latest month"
        if self.first is None:
            return "all months"
        return self.first if self.first == self.last else f"{self.first} to {self.last}"
